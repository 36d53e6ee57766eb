import TowerData

/// Checks that a given test file kept some rows once read through the training vocabularies.
enum TestFileCheck {
    /// - Parameters:
    ///   - report: the test file's read report (unknown ids counted).
    ///   - test: the file, as given.
    ///   - vocabularies: what the ids were looked up in, e.g. "the training data".
    /// - Throws: ``DataError/invalidRequest(_:)`` when every row named an unknown user or item,
    ///   with the counts and the first unknown id.
    static func requireKnownRows(_ log: InteractionLog, report: ReadReport, test: String, vocabularies: String) throws {
        guard log.count == 0, report.unknownUsers + report.unknownItems > 0 else { return }
        let dropped = report.unknownUsers + report.unknownItems
        let first = report.firstUnknown.map { "; the first is \($0)" } ?? ""
        throw DataError.invalidRequest(
            "test file \(test): \(dropped == 1 ? "its only row" : "every one of its \(dropped) rows") names a user or item absent from \(vocabularies) "
            + "(\(report.unknownUsers) rows with an unknown user, \(report.unknownItems) with a known user but an unknown item\(first)); "
            + "nothing is left to evaluate on: the test file must use the same user and item ids as \(vocabularies)")
    }
}
