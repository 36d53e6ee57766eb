import ArgumentParser

struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recommend", abstract: "Not implemented yet.")
    func run() throws { throw ValidationError("recommend is not implemented yet") }
}
