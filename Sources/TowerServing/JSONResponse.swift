import Foundation
import TowerFormats
import Hummingbird

/// JSON encoding and decoding of request and response bodies, the same way on every route.
enum JSONResponse {
    /// Non-finite floats are never written: scores are kept finite at load (``ServingModel``'s
    /// norm check) and per search request, and should one slip through, encoding fails and the
    /// response is a 500 `encoding_failed` rather than a body with `"Infinity"` or `NaN`.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .throw
        return encoder
    }

    /// A JSON response with `status` and `value` as the body.
    static func make(status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        var status = status
        let data: Data
        if let encoded = try? encoder().encode(value) { data = encoded } else {
            data = Data(#"{"error":{"code":"encoding_failed","message":"response could not be encoded (a non-finite number)"}}"#.utf8)
            status = .internalServerError
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Decodes the body `bytes` as `T`, turning every decoding failure into a 400 that names the
    /// field; a key repeated within one object is a 400 naming it too (`JSONDuplicateKeys`).
    /// The strings `"NaN"`, `"Infinity"`, `"-Infinity"` decode as floats so that validation can
    /// reject them by field, as it rejects numbers that are out of range.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: Data) throws(ServingError) -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            let value = try decoder.decode(T.self, from: bytes)
            if let repeated = JSONDuplicateKeys.firstDuplicate(in: bytes) {
                throw ServingError.malformed("the field appears more than once in one object; send it once", field: repeated)
            }
            return value
        } catch let error as ServingError {
            throw error
        } catch let error as DecodingError {
            throw describe(error)
        } catch {
            throw .malformed("the body is not valid JSON: \(error)")
        }
    }

    /// `a.b[2]` from a coding path.
    static func fieldName(_ path: [any CodingKey]) -> String? {
        var name = ""
        for key in path {
            if let index = key.intValue { name += "[\(index)]" } else { name += name.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return name.isEmpty ? nil : name
    }

    static func describe(_ error: DecodingError) -> ServingError {
        switch error {
        case let .typeMismatch(type, context):
            return .malformed("expected \(jsonType(type)): \(context.debugDescription)", field: fieldName(context.codingPath))
        case let .valueNotFound(type, context):
            return .malformed("expected \(jsonType(type)), found null", field: fieldName(context.codingPath))
        case let .keyNotFound(key, context):
            return .malformed("the field is required", field: fieldName(context.codingPath + [key]))
        case let .dataCorrupted(context):
            let field = fieldName(context.codingPath)
            // A number too large for its type lands here too, with an empty path: say why.
            return .malformed(field == nil ? "the body is not valid JSON (\(context.debugDescription))" : "invalid value: \(context.debugDescription)", field: field)
        @unknown default:
            return .malformed("the body could not be decoded: \(error)")
        }
    }

    static func jsonType(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is Bool.Type: return "a boolean"
        case is Float.Type, is Double.Type: return "a number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a \(name)"
        }
    }
}
