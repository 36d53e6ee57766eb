/// The subset of Python literals that `.npy` headers use: a dict of strings to strings, booleans,
/// integers and tuples of integers.
enum PythonLiteral: Equatable {
    case string(String)
    case bool(Bool)
    case integer(Int)
    case tuple([PythonLiteral])

    struct ParseError: Error { let message: String }

    /// Parses `{'key': value, ...}` with optional trailing comma and surrounding whitespace.
    static func parseDictionary(_ text: String) throws(ParseError) -> [String: PythonLiteral] {
        var parser = Parser(scalars: Array(text.unicodeScalars))
        let result = try parser.dictionary()
        parser.skipSpace()
        guard parser.index == parser.scalars.count else { throw ParseError(message: "unexpected text after the dict") }
        return result
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0

        mutating func skipSpace() {
            while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
        }

        mutating func expect(_ c: Unicode.Scalar) throws(ParseError) {
            skipSpace()
            guard index < scalars.count, scalars[index] == c else {
                throw ParseError(message: "expected '\(c)' at character \(index)")
            }
            index += 1
        }

        mutating func peek() -> Unicode.Scalar? {
            skipSpace()
            return index < scalars.count ? scalars[index] : nil
        }

        mutating func dictionary() throws(ParseError) -> [String: PythonLiteral] {
            try expect("{")
            var result: [String: PythonLiteral] = [:]
            while peek() != "}" {
                guard case let .string(key) = try value() else { throw ParseError(message: "dict keys must be strings") }
                try expect(":")
                result[key] = try value()
                if peek() == "," { index += 1 } else { break }
            }
            try expect("}")
            return result
        }

        mutating func value() throws(ParseError) -> PythonLiteral {
            guard let c = peek() else { throw ParseError(message: "unexpected end of header") }
            if c == "'" || c == "\"" {
                index += 1
                var s = String.UnicodeScalarView()
                while index < scalars.count, scalars[index] != c {
                    s.append(scalars[index])
                    index += 1
                }
                guard index < scalars.count else { throw ParseError(message: "unterminated string") }
                index += 1
                return .string(String(s))
            }
            if c == "(" {
                index += 1
                var items: [PythonLiteral] = []
                while peek() != ")" {
                    items.append(try value())
                    if peek() == "," { index += 1 } else { break }
                }
                try expect(")")
                return .tuple(items)
            }
            if c == "-" || ("0"..."9").contains(c) {
                var digits = ""
                if c == "-" { digits.append("-"); index += 1 }
                while index < scalars.count, ("0"..."9").contains(scalars[index]) {
                    digits.unicodeScalars.append(scalars[index])
                    index += 1
                }
                // NumPy before 2.0 wrote shapes such as (3L, 4L) on Python 2.
                if index < scalars.count, scalars[index] == "L" { index += 1 }
                guard let n = Int(digits) else { throw ParseError(message: "bad integer \"\(digits)\"") }
                return .integer(n)
            }
            for (word, literal) in [("True", PythonLiteral.bool(true)), ("False", .bool(false))] {
                let w = Array(word.unicodeScalars)
                if index + w.count <= scalars.count, Array(scalars[index..<(index + w.count)]) == w {
                    index += w.count
                    return literal
                }
            }
            throw ParseError(message: "unexpected character '\(c)' at character \(index)")
        }
    }
}
