/// A bad option value or combination (configuration structs, command line, config file).
///
/// Library errors name configuration fields, not command-line flags: the message is a template in
/// which `{field}` marks a field (`"{dimensions} must be positive, found 0"`); ``message`` spells the
/// fields as they are (`dimensions must be positive, found 0`), ``message(naming:)`` lets a front
/// end substitute its own names (the CLI's `--dim`).
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text with `{field}` placeholders.
    public let template: String
    /// The first field the message names (`nil` when it names none).
    public let field: String?

    /// - Parameter template: what was wrong and what is accepted, fields written `{field}`.
    public init(_ template: String) {
        self.template = template
        if let open = template.firstIndex(of: "{"), let close = template[open...].firstIndex(of: "}") {
            field = String(template[template.index(after: open) ..< close])
        } else {
            field = nil
        }
    }

    /// The message with every `{field}` replaced by `name(field)`.
    public func message(naming name: (String) -> String) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            out += name(String(rest[rest.index(after: open) ..< close]))
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The message with the fields' own names.
    public var message: String { message { $0 } }

    public var description: String { message }
}
