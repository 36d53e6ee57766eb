import ArgumentParser
import Testing
import TowerServing
@testable import TwoTowerCLI

/// `twotower serve` flags reach the serving configuration; bad values are usage errors naming the flag.
@Suite struct ServeCommandParsingTests {
    @Test func defaultsAndFlagsReachTheConfiguration() throws {
        let defaults = try ServeCommand.parse(["--model", "m"]).servingConfiguration
        #expect(defaults.host == "127.0.0.1" && defaults.port == 8080 && defaults.maxK == 1000)
        #expect(defaults.maxBatch == 64 && defaults.maxWaitMicroseconds == 500 && defaults.threads == nil)
        let c = try ServeCommand.parse([
            "--model", "m", "--host", "0.0.0.0", "--port", "0", "--max-k", "50", "--max-batch", "1",
            "--max-wait-us", "0", "--threads", "3", "--admin-token", "t",
        ]).servingConfiguration
        #expect(c.modelDirectory == "m" && c.host == "0.0.0.0" && c.port == 0 && c.maxK == 50)
        #expect(c.maxBatch == 1 && c.maxWaitMicroseconds == 0 && c.threads == 3 && c.adminToken == "t")
    }

    @Test(arguments: [["--max-batch", "0"], ["--max-k", "-1"], ["--port", "70000"], ["--threads", "0"], ["--log-level", "loud"]])
    func badValuesAreUsageErrors(_ flags: [String]) {
        do {
            _ = try ServeCommand.parse(["--model", "m"] + flags)
            Issue.record("\(flags) was accepted")
        } catch {
            let message = ServeCommand.message(for: error)
            #expect(message.contains(flags[0]), "\(message)")
        }
    }
}
