import Foundation
import Testing
import TowerFormats

@Suite struct JSONDuplicateKeysTests {
    static func duplicate(_ text: String) -> String? {
        let data = Data(text.utf8)
        // Every case is valid JSON: the scanner's contract.
        #expect((try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil, "\(text)")
        return JSONDuplicateKeys.firstDuplicate(in: data)
    }

    @Test func distinctKeysPass() {
        #expect(Self.duplicate(#"{"user_id": "1", "k": 3}"#) == nil)
        #expect(Self.duplicate(#"[{"k": 1}, {"k": 2}]"#) == nil)  // same key in sibling objects
        #expect(Self.duplicate(#"{"a": {"k": 1}, "k": 2}"#) == nil)  // same key at different depths
        #expect(Self.duplicate(#"{"a": ["k", "k"], "b": "k"}"#) == nil)  // strings that are values
        #expect(Self.duplicate(#"{"a\"b": 1, "a": 2, "b": "{\"a\": 3}"}"#) == nil)  // quotes and braces inside strings
        #expect(Self.duplicate(#"{}"#) == nil)
        #expect(Self.duplicate(#"[1, 2.5e3, true, null, "x"]"#) == nil)
    }

    @Test func aRepeatedKeyIsNamedWithItsPath() {
        #expect(Self.duplicate(#"{"user_id": "1", "k": 1, "k": 3}"#) == "k")
        #expect(Self.duplicate(#"{"filter": {"id": 1, "x": [], "id": 2}}"#) == "filter.id")
        #expect(Self.duplicate(#"{"items": [{"id": 1}, {"id": 2}, {"id": 3, "id": 4}]}"#) == "items[2].id")
        #expect(Self.duplicate(#"[[1], {"a": 1, "a": 1}]"#) == "[1].a")
        #expect(Self.duplicate(#"{"": 1, "": 2}"#) == "")
    }

    @Test func keysCompareAfterTheirEscapes() {
        #expect(Self.duplicate(#"{"k": 1, "\u006b": 3}"#) == "k")
        #expect(Self.duplicate(#"{"a\"b": 1, "a\u0022b": 2}"#) == "a\"b")
        #expect(Self.duplicate(#"{"é": 1, "\u00e9": 2}"#) == "é")
    }

    @Test func invalidInputEnds() {
        // Not the contract, but the scan must end and not crash on any bytes.
        #expect(JSONDuplicateKeys.firstDuplicate(in: Data(#"{"a": 1, "a": "#.utf8)) == "a")  // a truncated body still names it
        for text in [#"{"a"#, #"{"a\"#, "\"", "{{{{", "]]]", #"{"a": 1, "a"#] {
            _ = JSONDuplicateKeys.firstDuplicate(in: Data(text.utf8))
        }
    }
}
