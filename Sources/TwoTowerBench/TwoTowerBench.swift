import ArgumentParser

@main
struct TwoTowerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twotower-bench",
        abstract: "Benchmarks for TwoTower (not part of the user CLI).",
        subcommands: [GemmBenchmark.self, StepBenchmark.self, LoadBenchmark.self,
                      TrainBenchmark.self, TopKBenchmark.self, ServingModelBenchmark.self,
                      CollectivesBenchmark.self, DataParallelBenchmark.self, TensorBoardBenchmark.self,
                      FuzzBenchmark.self])
}
