/// The element types collectives move: the wire type of each is fixed, so every rank agrees on
/// the byte layout without negotiation.
public enum CommunicatorElementKind: Sendable, Equatable {
    case float32, float64, int32, int64, uint8
}

/// A plain numeric type a ``Communicator`` can gather, scatter and sum.
///
/// `Float` (embeddings, gradients, logQ terms), `Double` (losses and metrics), `Int32`/`Int64`
/// (item ids, row indices, counts) and `UInt8` (raw bytes) conform.
public protocol CommunicatorElement: Sendable, Numeric, BitwiseCopyable {
    static var communicatorKind: CommunicatorElementKind { get }
}

extension Float: CommunicatorElement { public static var communicatorKind: CommunicatorElementKind { .float32 } }
extension Double: CommunicatorElement { public static var communicatorKind: CommunicatorElementKind { .float64 } }
extension Int32: CommunicatorElement { public static var communicatorKind: CommunicatorElementKind { .int32 } }
extension Int64: CommunicatorElement { public static var communicatorKind: CommunicatorElementKind { .int64 } }
extension UInt8: CommunicatorElement { public static var communicatorKind: CommunicatorElementKind { .uint8 } }
