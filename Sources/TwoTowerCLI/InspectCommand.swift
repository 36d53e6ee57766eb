import ArgumentParser
import TowerData

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print statistics of a dataset: users, items, interactions, density, popularity skew.")

    @OptionGroup var data: DataOptions

    func validate() throws { try OptionApplicability.enforce(OptionApplicability.inspect(self)) }

    func run() throws {
        let (log, notes) = try data.source().loadLog()
        for note in notes { printDiagnostic("note: \(note)") }
        print(DatasetStatistics(log))
    }
}
