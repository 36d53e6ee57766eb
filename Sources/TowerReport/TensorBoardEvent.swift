/// One record of a TensorBoard event file: TensorFlow's `Event` message
/// (`tensorflow/core/util/event.proto`) holding either the file version or a `Summary` of scalars
/// (`tensorflow/core/framework/summary.proto`).
///
/// Only the fields TwoTower writes are modelled:
/// ```
/// message Event   { double wall_time = 1; int64 step = 2;
///                   oneof what { string file_version = 3; Summary summary = 5; } }
/// message Summary { repeated Value value = 1; }
/// message Value   { string tag = 1; oneof value { float simple_value = 2; } }
/// ```
/// ``encoded()`` follows proto3: `wall_time` and `step` are left out when zero and `tag` when empty;
/// `file_version`, `summary` and `simple_value` are `oneof` members, so they are always written.
public struct TensorBoardEvent: Sendable, Equatable {
    /// A named scalar: one `Summary.Value` with `simple_value` set.
    public struct Scalar: Sendable, Equatable {
        /// The series name, e.g. `train/loss`; TensorBoard groups charts by the part before the first `/`.
        public var tag: String
        /// The value (stored as a 32-bit float).
        public var value: Float

        /// A scalar `value` named `tag`.
        public init(tag: String, value: Float) {
            self.tag = tag
            self.value = value
        }
    }

    /// What the event carries (`Event.what`).
    public enum Content: Sendable, Equatable {
        /// The first record of a file: the format version, `brain.Event:2` for current files.
        case fileVersion(String)
        /// A summary of scalars at ``TensorBoardEvent/step``.
        case summary([Scalar])
    }

    /// The file version TensorFlow 1.x and 2.x write and TensorBoard expects.
    public static let currentFileVersion = "brain.Event:2"

    /// Seconds since the Unix epoch (UTC) when the event happened.
    public var wallTime: Double
    /// The global step the event belongs to (TensorBoard's x axis).
    public var step: Int64
    /// The payload.
    public var content: Content

    /// An event at `wallTime` (Unix seconds) and `step`.
    public init(wallTime: Double, step: Int64, content: Content) {
        self.wallTime = wallTime
        self.step = step
        self.content = content
    }

    /// The protobuf encoding of the `Event` message.
    public func encoded() -> [UInt8] {
        var event = ProtobufWriter()
        if wallTime != 0 { event.writeDouble(field: 1, wallTime) }
        if step != 0 { event.writeInt64(field: 2, step) }
        switch content {
        case .fileVersion(let version):
            event.writeString(field: 3, version)
        case .summary(let scalars):
            var summary = ProtobufWriter()
            for scalar in scalars {
                var value = ProtobufWriter()
                if !scalar.tag.isEmpty { value.writeString(field: 1, scalar.tag) }
                value.writeFloat(field: 2, scalar.value)
                summary.writeMessage(field: 1, value)
            }
            event.writeMessage(field: 5, summary)
        }
        return event.bytes
    }
}
