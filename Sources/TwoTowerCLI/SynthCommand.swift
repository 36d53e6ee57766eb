import ArgumentParser

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "synth", abstract: "Not implemented yet.")
    func run() throws { throw ValidationError("synth is not implemented yet") }
}
