import ArgumentParser
import Testing
import TwoTower
@testable import TwoTowerCLI

/// The command line: defaults, parsing into library configurations, and usage errors that say
/// what is allowed.
@Suite struct CommandParsingTests {
    private func train(_ arguments: [String]) throws -> TrainCommand {
        try TrainCommand.parse(arguments)
    }

    @Test func defaultsMatchTheDocumentedOnes() throws {
        let run = try train([]).makeRun()
        #expect(run.data.path == nil)
        #expect(run.training.samplers == [.inBatch])
        #expect(run.training.logQ == .streaming)
        #expect(run.training.patience == 2 && run.training.epochs == 20)
        #expect(run.training.batchSize == 1024)
        #expect(run.model.tower == .mf && run.model.dimensions == 64)
        #expect(run.evaluation.ks == [10, 20, 50] && run.evaluation.protocolKind == .perUser)
        #expect(run.training.downscoreFalseNegatives)
    }

    @Test func tensorboardTakesADirectory() throws {
        #expect(try train([]).tensorboard == nil)
        #expect(try train(["--tensorboard", "runs/a"]).tensorboard == "runs/a")
        #expect(throws: (any Error).self) { try train(["--tensorboard"]) }
    }

    /// `--loss-reduction`, `--loss ccl` and its knobs; ccl's logQ defaults to none, an explicit one stays.
    @Test func lossOptionsReachTheConfiguration() throws {
        let plain = try train([]).makeRun().training
        #expect(plain.lossReduction == .mean && plain.reduction == .mean && plain.cclMargin == nil)
        let sum = try train(["--loss-reduction", "sum", "--loss", "bpr"]).makeRun().training
        #expect(sum.reduction == .sum && sum.loss == .bpr && sum.logQ == .streaming)
        let ccl = try train(["--loss", "ccl", "--l2-normalize", "--ccl-margin", "0.5", "--ccl-negative-weight", "50"]).makeRun().training
        #expect(ccl.loss == .ccl && ccl.logQ == LogQMode.none)
        #expect(ccl.cclParameters == CosineContrastiveParameters(margin: 0.5, negativeWeight: 50))
        // An explicit logQ with ccl is a usage error naming both flags.
        do {
            _ = try train(["--loss", "ccl", "--logq", "static"])
            Issue.record("--loss ccl --logq static was accepted")
        } catch {
            #expect(TrainCommand.message(for: error).contains("--logq must be none with --loss ccl"))
        }
        #expect(throws: (any Error).self) { _ = try train(["--loss-reduction", "median"]) }
    }

    @Test func optionsReachTheConfiguration() throws {
        let run = try train([
            "--data", "ratings.csv", "--format", "csv", "--user-column", "uid", "--item-column", "sku",
            "--timestamp-column", "ts", "--rating-column", "stars", "--min-rating", "4", "--split", "ratio:0.8",
            "--dim", "32", "--tower", "mlp", "--layers", "128,64", "--l2-normalize", "--epochs", "3",
            "--batch-size", "512", "--optimizer", "adagrad", "--learning-rate", "0.1", "--seed", "7",
            "--sampler", "in-batch", "--sampler", "cross-batch:4096", "--sampler", "popularity:1024",
            "--logq", "streaming", "--temperature", "0.05", "--temperature-order", "tfrs",
            "--no-false-negative-downscoring", "--eval-k", "5,20", "--protocol", "per-row", "--output", "out",
        ]).makeRun()
        #expect(run.data.path == "ratings.csv" && run.data.format == .csv)
        #expect(run.data.userColumn == "uid" && run.data.itemColumn == "sku" && run.data.timestampColumn == "ts")
        #expect(run.data.minimumRating == 4 && run.data.split == .ratio(train: 0.8, validation: 0))
        #expect(run.model.dimensions == 32 && run.model.tower == .mlp && run.model.hiddenLayers == [128, 64])
        #expect(run.model.l2Normalize)
        #expect(run.training.samplers == [.inBatch, .crossBatch(capacity: 4096), .popularity(count: 1024)])
        #expect(run.training.logQ == .streaming && run.training.temperature == 0.05 && run.training.temperatureOrder == .temperatureThenLogQ)
        #expect(run.training.optimizer == .adagrad && run.training.learningRate == 0.1 && run.training.seed == 7)
        #expect(!run.training.downscoreFalseNegatives)
        #expect(run.evaluation.ks == [5, 20] && run.evaluation.protocolKind == .perRow)
        #expect(run.output == "out")
    }

    struct UsageCase: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let fragment: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let usageErrors: [UsageCase] = [
        .init(arguments: ["--sampler", "bogus"], fragment: "in-batch, cross-batch:CAPACITY"),
        .init(arguments: ["--sampler", "cross-batch"], fragment: "needs a size"),
        .init(arguments: ["--sampler", "uniform:-3"], fragment: "positive integer"),
        .init(arguments: ["--sampler", "cross-batch:4096"], fragment: "e.g. --sampler in-batch --sampler cross-batch:4096"),
        .init(arguments: ["--sampler", "cached-uniform:512"], fragment: "empty at the first step"),
        .init(arguments: ["--eval-k", "10,x"], fragment: "--eval-k"),
        .init(arguments: ["--layers", "128,,64"], fragment: "--layers"),
        .init(arguments: ["--epochs", "0"], fragment: "--epochs must be positive"),
        .init(arguments: ["--learning-rate", "0"], fragment: "--learning-rate"),
        .init(arguments: ["--temperature", "-1"], fragment: "--temperature"),
        .init(arguments: ["--logq", "sampler"], fragment: "--logq sampler"),
        .init(arguments: ["--logq", "sometimes"], fragment: "none"),
        .init(arguments: ["--data", "a.csv", "--test", "b.csv", "--split", "leave-one-out"], fragment: "cannot be used together"),
        .init(arguments: ["--test", "b.csv"], fragment: "need --data"),
        .init(arguments: ["--data", "a.csv", "--split", "halves"], fragment: "leave-last-out"),
        .init(arguments: ["--patience", "2", "--validation-metric", "recall@7"], fragment: "--validation-metric"),
        .init(arguments: ["--patience", "0"], fragment: "--patience must be positive"),
        .init(arguments: ["--tower", "cnn"], fragment: "mf"),
        .init(arguments: ["--user-history", "20"], fragment: "needs --tower mlp"),
        .init(arguments: ["--tower", "mlp", "--user-history", "0"], fragment: "--user-history must be positive"),
    ]

    @Test(arguments: usageErrors)
    func badFlagsAreUsageErrorsThatSayWhatIsAllowed(_ c: UsageCase) {
        do {
            let command = try TrainCommand.parse(c.arguments)
            _ = try command.makeRun()
            Issue.record("\(c.arguments) was accepted")
        } catch {
            let message = TrainCommand.message(for: error)
            #expect(message.contains(c.fragment), "message: \(message)")
        }
    }

    @Test func everyCommandHasHelpWithDefaults() {
        let help = TwoTowerCommand.helpMessage(for: TrainCommand.self)
        #expect(help.contains("--sampler") && help.contains("--logq") && help.contains("(default: 1024)"))
        for command in TwoTowerCommand.configuration.subcommands {
            #expect(!TwoTowerCommand.helpMessage(for: command).isEmpty)
        }
    }

    @Test func recommendNeedsAPositiveK() {
        #expect(throws: (any Error).self) { try RecommendCommand.parse(["--model", "m", "--user", "1", "--k", "0"]) }
        #expect(throws: (any Error).self) { try RecommendCommand.parse(["--model", "m"]) }
    }
}
