import Foundation

/// Finds a key that appears twice in one JSON object.
///
/// RFC 8259 leaves duplicate names undefined and Foundation's `JSONDecoder` keeps the first
/// silently (`{"k": 1, "k": 3}` decodes as `k = 1`), so a client that merges two payloads gets an
/// answer to a question it did not ask. The server scans a body that has already decoded (valid
/// JSON) and rejects it naming the field. One pass over the bytes; keys compare after decoding
/// their escapes (`"k"` and `"\u006b"` are the same name).
public enum JSONDuplicateKeys {
    /// The path of the first repeated key in `bytes` (`"k"`, `"filter.k"`, `"items[2].id"`), or
    /// nil when every object's keys are distinct. `bytes` must be valid JSON (decode it first);
    /// on invalid input the answer is unspecified but the scan always ends.
    public static func firstDuplicate(in bytes: Data) -> String? {
        bytes.withUnsafeBytes { raw in
            var scanner = Scanner(bytes: raw.bindMemory(to: UInt8.self))
            return scanner.run()
        }
    }

    /// One open container: an object with the keys seen so far, or an array with its index.
    private struct Frame {
        var isObject: Bool
        var keys: Set<String> = []
        var key: String? = nil
        var index = 0
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0
        var stack: [Frame] = []
        /// In an object, whether the next string is a key (after `{` or `,`).
        var expectingKey = false

        mutating func run() -> String? {
            while at < bytes.count {
                let byte = bytes[at]
                switch byte {
                case UInt8(ascii: "{"):
                    stack.append(Frame(isObject: true))
                    expectingKey = true
                    at += 1
                case UInt8(ascii: "["):
                    stack.append(Frame(isObject: false))
                    expectingKey = false
                    at += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if !stack.isEmpty { stack.removeLast() }
                    expectingKey = false
                    at += 1
                case UInt8(ascii: ","):
                    if let last = stack.indices.last {
                        if stack[last].isObject { expectingKey = true } else { stack[last].index += 1 }
                    }
                    at += 1
                case UInt8(ascii: "\""):
                    let text = readString()
                    if expectingKey, let last = stack.indices.last, stack[last].isObject {
                        expectingKey = false
                        stack[last].key = text
                        if !stack[last].keys.insert(text).inserted { return path() }
                    }
                default:
                    at += 1
                }
            }
            return nil
        }

        /// Reads the string starting at the opening quote at `at`, leaves `at` after the closing
        /// quote, and returns its decoded text.
        mutating func readString() -> String {
            let start = at
            at += 1
            var escaped = false, closed = false
            while at < bytes.count {
                let byte = bytes[at]
                at += 1
                if byte == UInt8(ascii: "\\") { escaped = true; at += 1; continue }
                if byte == UInt8(ascii: "\"") { closed = true; break }
            }
            let end = Swift.min(at, bytes.count)
            if !escaped {
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(closed ? end - 1 : end)]), as: UTF8.self)
            }
            let literal = Data(UnsafeBufferPointer(rebasing: bytes[start..<end]))
            return (try? JSONDecoder().decode(String.self, from: literal)) ?? String(decoding: literal, as: UTF8.self)
        }

        /// `a.b[2].c` for the innermost key.
        func path() -> String {
            var name = ""
            for frame in stack {
                if frame.isObject {
                    let key = frame.key ?? ""
                    name += name.isEmpty ? key : ".\(key)"
                } else {
                    name += "[\(frame.index)]"
                }
            }
            return name
        }
    }
}
