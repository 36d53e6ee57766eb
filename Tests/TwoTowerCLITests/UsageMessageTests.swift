import ArgumentParser
import Testing
import TowerWorkflows
@testable import TwoTowerCLI

/// Usage errors that name the real fault: an unknown subcommand, a negative number given to a
/// numeric option (the parser used to take `-1` for a flag and report a missing value).
@Suite struct UsageMessageTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let command: String
        let arguments: [String]
        let fragment: String
        var testDescription: String { ([command] + arguments).joined(separator: " ") }
    }

    /// Every numeric option of every subcommand, given a negative value.
    static let negativeNumbers: [Case] = [
        .init(command: "train", arguments: ["--dim", "-1"], fragment: "--dim must be positive, found -1"),
        .init(command: "train", arguments: ["--epochs", "-3"], fragment: "--epochs must be positive, found -3"),
        .init(command: "train", arguments: ["--batch-size", "-5"], fragment: "--batch-size must be positive, found -5"),
        .init(command: "train", arguments: ["--embedding-dim", "-8"], fragment: "--embedding-dim must be positive, found -8"),
        .init(command: "train", arguments: ["--tower", "mlp", "--user-history", "-2"], fragment: "--user-history must be positive, found -2"),
        .init(command: "train", arguments: ["--dropout", "-0.5"], fragment: "--dropout must be in [0, 1), found -0.5"),
        .init(command: "train", arguments: ["--layers", "-1,4"], fragment: "--layers: expected comma-separated positive integers, found \"-1\""),
        .init(command: "train", arguments: ["--learning-rate", "-0.1"], fragment: "--learning-rate must be a positive number, found -0.1"),
        .init(command: "train", arguments: ["--weight-decay", "-1"], fragment: "--weight-decay must be ≥ 0, found -1"),
        .init(command: "train", arguments: ["--clip-norm", "-1"], fragment: "--clip-norm must be positive, found -1"),
        .init(command: "train", arguments: ["--temperature", "-1"], fragment: "--temperature must be a positive number, found -1"),
        .init(command: "train", arguments: ["--patience", "-1"], fragment: "--patience must be positive, found -1"),
        .init(command: "train", arguments: ["--threads", "-2"], fragment: "--threads must be at least 1"),
        .init(command: "train", arguments: ["--seed", "-1"], fragment: "expected a non-negative integer"),
        .init(command: "train", arguments: ["--eval-k", "-5"], fragment: "--eval-k: expected comma-separated positive integers, found \"-5\""),
        .init(command: "evaluate", arguments: ["--model", "m", "--eval-k", "-5"], fragment: "--eval-k: expected comma-separated positive integers"),
        .init(command: "evaluate", arguments: ["--model", "m", "--seed", "-7"], fragment: "expected a non-negative integer"),
        .init(command: "recommend", arguments: ["--model", "m", "--user", "1", "--k", "-3"], fragment: "--k must be positive, found -3"),
        .init(command: "serve", arguments: ["--model", "m", "--port", "-1"], fragment: "--port: expected a port in 0...65535, found -1"),
        .init(command: "serve", arguments: ["--model", "m", "--max-k", "-1"], fragment: "--max-k: expected at least 1, found -1"),
        .init(command: "serve", arguments: ["--model", "m", "--max-batch", "-2"], fragment: "--max-batch: expected at least 1, found -2"),
        .init(command: "serve", arguments: ["--model", "m", "--max-wait-us", "-1"], fragment: "--max-wait-us: expected at least 0, found -1"),
        .init(command: "serve", arguments: ["--model", "m", "--threads", "-4"], fragment: "--threads: expected at least 1, found -4"),
        .init(command: "serve", arguments: ["--model", "m", "--max-body-bytes", "-1"], fragment: "--max-body-bytes: expected at least 1024, found -1"),
        .init(command: "synth", arguments: ["--out", "d", "--users", "-5"], fragment: "--users must be positive, found -5"),
        .init(command: "synth", arguments: ["--out", "d", "--items", "-1"], fragment: "--items must be at least 2, found -1"),
        .init(command: "synth", arguments: ["--out", "d", "--interactions", "-1"], fragment: "--interactions must be positive, found -1"),
        .init(command: "synth", arguments: ["--out", "d", "--factors", "-1"], fragment: "--factors must be positive, found -1"),
        .init(command: "synth", arguments: ["--out", "d", "--seed", "-2"], fragment: "expected a non-negative integer"),
    ]

    @Test(arguments: negativeNumbers)
    func negativeNumbersAreOutOfRangeNotMissing(_ c: Case) {
        do {
            _ = try TwoTowerCommand.parseAsRoot([c.command] + c.arguments)
            Issue.record("accepted")
        } catch {
            let message = TwoTowerCommand.message(for: error)
            #expect(message.contains(c.fragment), "message: \(message)")
            #expect(!message.contains("Missing value"), "message: \(message)")
        }
    }

    @Test func seedsKeepTheirDefaultInTheHelp() {
        for command in [TrainCommand.self, EvaluateCommand.self, SynthCommand.self] as [any ParsableCommand.Type] {
            let help = TwoTowerCommand.helpMessage(for: command)
            #expect(help.contains("--seed") && help.contains("(default: 42)"), "\(help)")
        }
    }

    @Test func synthRejectsAnInteractionCountThatOverflows() {
        #expect(throws: (any Error).self) {
            try SynthCommand.parse(["--out", "d", "--users", "\(Int.max)", "--interactions", "10"])
        }
    }

    @Test func unknownSubcommandsAreNamedWithTheAvailableOnes() throws {
        let error = try #require(TwoTowerCommand.unknownSubcommand(in: ["fit", "--data", "x"]))
        let message = TwoTowerCommand.message(for: error)
        #expect(message.contains("unknown subcommand 'fit'"), "\(message)")
        for command in TwoTowerCommand.configuration.subcommands {
            #expect(message.contains(command._commandName), "\(message)")
        }
        #expect(!message.contains("--data"), "\(message)")
        #expect(TwoTowerCommand.unknownSubcommand(in: ["trian"]) != nil)
        for fine in [[], ["--help"], ["help", "train"], ["train", "--data", "x"], ["serve", "--model", "m"]] {
            #expect(TwoTowerCommand.unknownSubcommand(in: fine) == nil, "\(fine)")
        }
    }

    /// `twotower --version` prints the version (ArgumentParser's CleanExit carries it).
    @Test func versionIsPrinted() {
        do {
            _ = try TwoTowerCommand.parseAsRoot(["--version"])
            Issue.record("--version parsed as a command")
        } catch {
            #expect(TwoTowerCommand.message(for: error) == TwoTowerVersion.string)
        }
    }
}
