/// Why a report cannot be drawn or written; the message names the directory or file.
public struct ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
