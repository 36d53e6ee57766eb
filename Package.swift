// swift-tools-version: 6.1
// TwoTower: two-tower retrieval with in-batch negative sampling, in Swift.
//
// Module dependencies are one-way (drawn in docs/ARCHITECTURE.md):
//   TowerKernels (C) ← TowerCore ← TowerNN ─────────────┐
//                      TowerCore ← TowerFormats ← TowerData ← TwoTower ← TowerWorkflows ← TwoTowerCLI
// TowerFormats: file formats and atomic writes; TwoTower: the retrieval library;
// TowerWorkflows: the application layer (data source → training run → report) that executables drive.
// TowerServing (TowerWorkflows ← TowerServing ← TwoTowerCLI): the HTTP retrieval service on Hummingbird.
// TowerReport (TwoTower, TowerWorkflows ← TowerReport ← TwoTowerCLI): TensorBoard event files
// (TFRecord framing, CRC-32C, a minimal protobuf encoder) written by a training observer.
// TowerDistributed (no dependencies; CMPI over mpi.h with the MPI trait): collectives for
// data-parallel training — a Communicator protocol, a single-process group and Open MPI's world.
// No unconditional unsafeFlags: the AVX2/FMA kernel is compiled through a
// target attribute in C and selected at run time.
import PackageDescription

let package = Package(
    name: "TwoTower",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TowerCore", targets: ["TowerCore"]),
        .library(name: "TowerNN", targets: ["TowerNN"]),
        .library(name: "TowerData", targets: ["TowerData"]),
        .library(name: "TowerFormats", targets: ["TowerFormats"]),
        .library(name: "TwoTower", targets: ["TwoTower"]),
        .library(name: "TowerWorkflows", targets: ["TowerWorkflows"]),
        .library(name: "TowerServing", targets: ["TowerServing"]),
        .library(name: "TowerReport", targets: ["TowerReport"]),
        .library(name: "TowerDistributed", targets: ["TowerDistributed"]),
        .executable(name: "twotower", targets: ["TwoTowerCLI"]),
        .executable(name: "twotower-bench", targets: ["TwoTowerBench"]),
    ],
    traits: [
        .trait(name: "OpenBLAS", description: "Route gemm to the system OpenBLAS (apt-get install libopenblas-dev), for comparison."),
        .trait(name: "MPI", description: "Data-parallel training over MPI (apt-get install libopenmpi-dev openmpi-bin; run under mpirun)."),
        .default(enabledTraits: []),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The API reference (`swift package generate-documentation --target TwoTower`); a plugin only,
        // nothing of it is linked into a product.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(name: "TowerKernels"),
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        .target(
            name: "TowerCore",
            dependencies: [
                "TowerKernels",
                .product(name: "RealModule", package: "swift-numerics"),
                .target(name: "COpenBLAS", condition: .when(traits: ["OpenBLAS"])),
            ],
            swiftSettings: [.define("GEMM_OPENBLAS", .when(traits: ["OpenBLAS"]))]),
        .systemLibrary(
            name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]),
        .target(
            name: "TowerDistributed",
            dependencies: [.target(name: "CMPI", condition: .when(traits: ["MPI"]))],
            swiftSettings: [.define("TOWER_MPI", .when(traits: ["MPI"]))]),
        .target(name: "TowerNN", dependencies: ["TowerCore"]),
        .target(name: "CFileSystem"),
        .target(name: "TowerFormats", dependencies: ["TowerCore", "CFileSystem"]),
        .target(name: "TowerData", dependencies: ["TowerCore", "TowerFormats"]),
        .target(name: "TwoTower", dependencies: ["TowerCore", "TowerNN", "TowerFormats", "TowerData", "TowerDistributed"]),
        .target(name: "TowerWorkflows", dependencies: ["TowerCore", "TowerFormats", "TowerData", "TwoTower", "TowerDistributed"]),
        .target(
            name: "TowerServing",
            dependencies: [
                "TowerCore", "TowerFormats", "TowerData", "TwoTower", "TowerWorkflows",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]),
        .target(name: "TowerReport", dependencies: ["TwoTower", "TowerWorkflows"]),
        .executableTarget(
            name: "TwoTowerCLI",
            dependencies: [
                "TowerWorkflows", "TowerServing", "TowerReport", "TwoTower", "TowerData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "TwoTowerBench",
            dependencies: [
                "TowerCore", "TowerNN", "TowerData", "TwoTower", "TowerWorkflows", "TowerDistributed", "TowerReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "TowerTestSupport", dependencies: ["TowerCore"], path: "Tests/TowerTestSupport"),
        .testTarget(name: "TowerCoreTests", dependencies: ["TowerCore", "TowerTestSupport"], exclude: ["Reference"]),
        .testTarget(name: "TowerNNTests", dependencies: ["TowerNN", "TowerTestSupport"], exclude: ["Reference"]),
        .testTarget(name: "TowerDataTests", dependencies: ["TowerData", "TowerTestSupport"], exclude: ["Reference"]),
        .testTarget(name: "TowerFormatsTests", dependencies: ["TowerFormats", "TowerTestSupport"], exclude: ["Reference"]),
        .testTarget(name: "TwoTowerTests", dependencies: ["TwoTower", "TowerDistributed", "TowerTestSupport"], exclude: ["Reference"]),
        .testTarget(name: "TowerWorkflowsTests", dependencies: ["TowerWorkflows", "TwoTower", "TowerFormats", "TowerData", "TowerDistributed", "TowerTestSupport"]),
        .testTarget(
            name: "TowerServingTests",
            dependencies: [
                "TowerServing", "TowerWorkflows", "TwoTower", "TowerData", "TowerTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(name: "TowerDistributedTests", dependencies: ["TowerDistributed"]),
        .testTarget(
            name: "TowerReportTests",
            dependencies: ["TowerReport", "TowerWorkflows", "TwoTower", "TowerData", "TowerTestSupport"],
            exclude: ["Reference"]),
        .testTarget(name: "TwoTowerCLITests", dependencies: ["TwoTowerCLI", "TowerTestSupport"]),
    ]
)
