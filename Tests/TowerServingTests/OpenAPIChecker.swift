import Foundation

/// A small checker for the subset of OpenAPI 3 / JSON Schema that docs/openapi.json uses:
/// `$ref`, `allOf`, `type` (object, array, string, integer, number, boolean), `required`,
/// `properties`, `items`. Reports each mismatch with its JSON path.
struct OpenAPIChecker: @unchecked Sendable {
    let document: [String: Any]

    init(path: String) throws {
        document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
    }

    /// docs/openapi.json of this package.
    static func project() throws -> OpenAPIChecker {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try OpenAPIChecker(path: root.appendingPathComponent("docs/openapi.json").path)
    }

    /// Problems of `body` as the `status` response of `method path`; empty when it conforms.
    func check(path: String, method: String, status: Int, body: Any) -> [String] {
        guard let operation = ((document["paths"] as? [String: Any])?[path] as? [String: Any])?[method.lowercased()] as? [String: Any] else {
            return ["\(method) \(path) is not documented"]
        }
        guard var response = (operation["responses"] as? [String: Any])?[String(status)] as? [String: Any] else {
            return ["\(method) \(path) does not document status \(status)"]
        }
        if let ref = response["$ref"] as? String { response = resolve(ref) }
        guard let schema = ((response["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] as? [String: Any] else {
            return ["\(method) \(path) \(status) has no JSON schema"]
        }
        return validate(body, schema, at: "$")
    }

    func resolve(_ ref: String) -> [String: Any] {
        var node: Any = document
        for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] ?? [:] }
        return node as? [String: Any] ?? [:]
    }

    func validate(_ value: Any, _ schema: [String: Any], at path: String) -> [String] {
        if let ref = schema["$ref"] as? String { return validate(value, resolve(ref), at: path) }
        var problems: [String] = []
        for part in schema["allOf"] as? [[String: Any]] ?? [] { problems += validate(value, part, at: path) }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return problems + ["\(path): expected an object"] }
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { problems.append("\(path).\(key): required") }
            for (key, sub) in schema["properties"] as? [String: [String: Any]] ?? [:] {
                if let v = object[key] { problems += validate(v, sub, at: "\(path).\(key)") }
            }
        case "array":
            guard let array = value as? [Any] else { return problems + ["\(path): expected an array"] }
            if let items = schema["items"] as? [String: Any] {
                for (i, v) in array.enumerated() { problems += validate(v, items, at: "\(path)[\(i)]") }
            }
        case "string":
            if !(value is String) { problems.append("\(path): expected a string") }
        case "boolean":
            if !Self.isBool(value) { problems.append("\(path): expected a boolean") }
        case "integer":
            if Self.isBool(value) || (value as? NSNumber).map({ $0.doubleValue != $0.doubleValue.rounded() }) ?? true {
                problems.append("\(path): expected an integer")
            }
        case "number":
            if Self.isBool(value) || !(value is NSNumber) { problems.append("\(path): expected a number") }
        default:
            break
        }
        return problems
    }

    static func isBool(_ value: Any) -> Bool {
        // Darwin's JSONSerialization gives __NSCFBoolean, Linux's gives Bool.
        String(describing: type(of: value)).contains("Bool")
    }
}
