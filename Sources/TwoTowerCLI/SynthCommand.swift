import ArgumentParser
import TowerData

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write the synthetic dataset (interactions.csv with user_id,item_id,timestamp, and its truth).",
        discussion: """
            Users and items get latent vectors; item popularity is Zipf-like; each user's items are \
            drawn with probability ∝ popularity × exp(⟨user, item⟩ / temperature). The truth \
            (truth.bin, synthetic.json) lets `train` score the oracle ranking. Train on it with:
              twotower train --data DIR/interactions.csv --timestamp-column timestamp
            """)

    @Option(name: .long, help: ArgumentHelp("Directory to write into.", valueName: "dir"))
    var out: String

    @Option(name: .long, parsing: .unconditional, help: "Number of users.") var users: Int = 20_000
    @Option(name: .long, parsing: .unconditional, help: "Number of items.") var items: Int = 10_000
    @Option(name: .long, parsing: .unconditional, help: "Approximate number of interactions.") var interactions: Int = 1_000_000
    @Option(name: .long, parsing: .unconditional, help: "Width of the planted latent vectors.") var factors: Int = 16
    @Option(name: .long, parsing: .unconditional, help: "Seed. (default: 42)", transform: parseSeed) var seed: UInt64 = 42

    func validate() throws {
        for (flag, value) in [("--users", users), ("--interactions", interactions), ("--factors", factors)] where value < 1 {
            throw ValidationError("\(flag) must be positive, found \(value)")
        }
        guard items >= 2 else { throw ValidationError("--items must be at least 2, found \(items)") }
        let (needed, overflow) = users.multipliedReportingOverflow(by: 5)
        guard !overflow, interactions >= needed else {
            throw ValidationError("--interactions must be at least 5 per user (\(overflow ? "more than \(Int.max)" : "\(needed)") for \(users) users), found \(interactions)")
        }
        // Each user's items are distinct and capped by the generator's maximum activity.
        let shape = SyntheticConfiguration(users: users, items: items, interactions: interactions, factors: factors)
        guard items >= shape.minimumActivity else {
            throw ValidationError("--items must be at least \(shape.minimumActivity) (each user gets at least \(shape.minimumActivity) distinct items), found \(items)")
        }
        // Beyond users × items no generator can go (a user's items are distinct); below it the
        // generator's per-user cap (a tenth of the items, at least 5) may give fewer than asked.
        let (most, tooMany) = users.multipliedReportingOverflow(by: items)
        if !tooMany, interactions > most {
            throw ValidationError("--interactions \(interactions) is more than \(users) users × \(items) items allow: each user's items are distinct, so at most \(most) interactions")
        }
    }

    func run() throws {
        let configuration = SyntheticConfiguration(users: users, items: items, interactions: interactions,
                                                   factors: factors, seed: seed)
        let dataset = SyntheticDataset.generate(configuration)
        try dataset.write(to: out)
        print("wrote \(dataset.log.count) interactions of \(users) users and \(items) items to \(out)")
        print(DatasetStatistics(dataset.log))
    }
}
