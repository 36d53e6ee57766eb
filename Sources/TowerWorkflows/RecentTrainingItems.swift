import TowerData
import TwoTower

extension Recommender {
    /// Each user's `count` most recent training items (raw ids, newest first), rebuilt from the
    /// model's data-source record: the recorded data is read and split again (same options and
    /// seed), so these are the interactions of the training part (validation included). "Recent" is by
    /// timestamp (ties: the later row); without timestamps, the last rows in file order.
    /// - Returns: one list per user row, and the note saying where the data came from.
    /// - Throws: ``ConfigurationError`` when the model has no record, a recorded file moved or
    ///   changed (``DataSource/recorded(in:)``), or the re-split does not give the model's users and items.
    public func recentTrainingItems(count: Int) throws -> (lists: [[String]], note: String) {
        let (source, note) = try DataSource.recorded(in: checkpoint)
        let c = checkpoint.configuration
        let prepared = try source.prepare(seed: c.dataSource?.splitSeed ?? c.training.seed, validation: c.validationSplit)
        let train = prepared.split.trainingPart  // validation included: the user saw it, the refit trained on it
        guard train.userVocabulary == checkpoint.users, train.itemVocabulary == checkpoint.items else {
            throw ConfigurationError("\(prepared.name) split again does not give the users and items of the model in \(checkpoint.path)")
        }
        var rowsByUser = [[Int]](repeating: [], count: checkpoint.users.count)
        for r in 0..<train.count { rowsByUser[Int(train.users[r])].append(r) }
        let lists = rowsByUser.map { rows -> [String] in
            // Stable: equal timestamps keep file order, so the later row counts as more recent.
            let ordered = train.timestamps.map { t in rows.enumerated().sorted { (t[$0.1], $0.0) > (t[$1.1], $1.0) }.map(\.1) }
                ?? rows.reversed()
            return ordered.prefix(max(0, count)).map { train.itemVocabulary.id(of: train.items[$0]) }
        }
        return (lists, note)
    }
}
