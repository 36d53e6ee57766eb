/// A bad option value or combination given by the user (command line, config file).
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong and what is accepted.
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
