// swift-tools-version: 6.1
// Benchmarks for TwoTower, with ordo-one's package-benchmark (wall clock, throughput and
// malloc counts). A separate package: the root package's build and CI ignore this folder.
//
// Run: cd Benchmarks && swift package --disable-sandbox benchmark
import PackageDescription

let package = Package(
    name: "TwoTowerBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "TwoTower", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "KernelBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TowerCore", package: "TwoTower"),
                .product(name: "TowerNN", package: "TwoTower"),
                .product(name: "TwoTower", package: "TwoTower"),
            ],
            path: "Benchmarks/KernelBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "TrainingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TowerCore", package: "TwoTower"),
                .product(name: "TowerNN", package: "TwoTower"),
                .product(name: "TowerData", package: "TwoTower"),
                .product(name: "TwoTower", package: "TwoTower"),
            ],
            path: "Benchmarks/TrainingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)
