import Foundation
import Testing
@testable import TowerData

/// Ids are bytes everywhere (``IdRule``): the reader, the saved vocabulary and the run-time
/// lookups keep NFC `é` (U+00E9) and NFD `e`+U+0301 apart, although Swift's `String ==` calls
/// them equal; C1 controls (NEL U+0085) are control characters like the C0 ones.
@Suite struct UnicodeIdTests {
    let nfc = "\u{E9}", nfd = "e\u{301}"

    @Test func canonicallyEquivalentIdsStayTwoIdsThroughSaveAndLoad() throws {
        let f = Fixtures(); defer { f.remove() }
        let path = f.write("u.csv", "user_id,item_id\nx,1\n\(nfc),1\n\(nfd),2\n\(nfc),2\n")
        let log = try DelimitedReader.read(path: path).log
        let users = log.userVocabulary
        #expect(users.count == 3)
        let loaded = try Vocabulary.decode(try users.encoded(), file: "users.vocab")
        #expect(loaded.count == 3)
        #expect(loaded == users)
        for vocabulary in [users, loaded] {
            let a = try vocabulary.row(for: nfc), b = try vocabulary.row(for: nfd)
            #expect(a != b)
            #expect(Array(vocabulary.id(of: a).utf8) == Array(nfc.utf8))
            #expect(Array(vocabulary.id(of: b).utf8) == Array(nfd.utf8))
            #expect(vocabulary.counts[Int(a)] == 2 && vocabulary.counts[Int(b)] == 1)
        }
    }

    @Test func vocabulariesThatDifferOnlyInNormalisationAreNotEqual() {
        #expect(Vocabulary(name: "u", ids: [nfc]) != Vocabulary(name: "u", ids: [nfd]))
    }

    @Test func c1ControlsAreRefusedEverywhere() throws {
        let f = Fixtures(); defer { f.remove() }
        let path = f.write("nel.csv", "user_id,item_id\nu,i\na\u{85}b,i\n")
        guard case .invalidField(let file, let line, let column, let expected, let found)? = dataError({ try DelimitedReader.read(path: path) }) else {
            Issue.record("NEL accepted"); return
        }
        #expect(file == path && line == 3 && column == "user_id")
        #expect(expected.contains("control characters"))
        #expect(found == "a\\u{0085}b", "\(found)")
        // Not a control: U+00A0 (C2 A0) and U+0100 (C4 80, whose second byte is in 80…9F).
        let fine = f.write("fine.csv", "user_id,item_id\na\u{A0}b,i\n\u{100},i\n")
        #expect(try DelimitedReader.read(path: fine).log.userVocabulary.count == 2)
        #expect(throws: DataError.self) { try Vocabulary(name: "user", ids: ["a\u{85}"]).encoded() }
        #expect(throws: DataError.self) { try Vocabulary.decode(Array("# twotower vocabulary user 1\na\u{85}\t1\n".utf8), file: "v") }
        #expect(!Vocabulary(name: "user", ids: ["a"]).contains("a\u{85}"))
    }
}

/// An unknown id is shown with its control characters escaped, never raw.
@Suite struct UnknownIdMessageTests {
    @Test func controlCharactersAreEscaped() {
        let message = DataError.unknownId(vocabulary: "user", id: "a\u{01}b\u{85}").description
        #expect(message == "unknown user id \"a\\u{01}b\\u{0085}\" (not in the vocabulary)", "\(message)")
    }
}
