/// Request bodies of the retrieval endpoints (JSON, snake_case field names as documented in
/// `docs/SERVING.md` and `docs/openapi.json`). Unknown fields are ignored.

/// The filters every retrieval endpoint takes. They apply **before** selection: a request gets
/// `k` results whenever `k` eligible items exist.
public struct ItemFilterFields: Sendable, Equatable {
    /// Item ids never returned.
    public var excludeItems: [String]?
    /// When present, only these item ids may be returned (an allow-list).
    public var includeItems: [String]?
}

/// `POST /v1/recommend`: `{"user_id": "42", "k": 10}` or `{"user_ids": ["42", "7"], ...}`.
public struct RecommendRequest: Decodable, Sendable, Equatable {
    public var userID: String?
    public var userIDs: [String]?
    /// Not supported by the saved models (their query tower embeds a user id); rejected with 422.
    public var history: [String]?
    public var k: Int?
    /// Leave out the user's training items (default true).
    public var excludeSeen: Bool?
    public var filter: ItemFilterFields

    enum CodingKeys: String, CodingKey, CaseIterable {
        case userID = "user_id", userIDs = "user_ids", history, k, excludeSeen = "exclude_seen"
        case excludeItems = "exclude_items", includeItems = "include_items"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        userID = try c.decodeIfPresent(String.self, forKey: .userID)
        userIDs = try c.decodeIfPresent([String].self, forKey: .userIDs)
        history = try c.decodeIfPresent([String].self, forKey: .history)
        k = try c.decodeIfPresent(Int.self, forKey: .k)
        excludeSeen = try c.decodeIfPresent(Bool.self, forKey: .excludeSeen)
        filter = ItemFilterFields(excludeItems: try c.decodeIfPresent([String].self, forKey: .excludeItems),
                                  includeItems: try c.decodeIfPresent([String].self, forKey: .includeItems))
    }
}

/// `POST /v1/similar-items`: `{"item_id": "12", "k": 10}` or `{"item_ids": [...]}`; the query
/// item itself is never returned.
public struct SimilarItemsRequest: Decodable, Sendable, Equatable {
    public var itemID: String?
    public var itemIDs: [String]?
    public var k: Int?
    public var filter: ItemFilterFields

    enum CodingKeys: String, CodingKey, CaseIterable {
        case itemID = "item_id", itemIDs = "item_ids", k
        case excludeItems = "exclude_items", includeItems = "include_items"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        itemID = try c.decodeIfPresent(String.self, forKey: .itemID)
        itemIDs = try c.decodeIfPresent([String].self, forKey: .itemIDs)
        k = try c.decodeIfPresent(Int.self, forKey: .k)
        filter = ItemFilterFields(excludeItems: try c.decodeIfPresent([String].self, forKey: .excludeItems),
                                  includeItems: try c.decodeIfPresent([String].self, forKey: .includeItems))
    }
}

/// `POST /v1/search`: `{"embedding": [d floats], "k": 10}` — a query embedding computed elsewhere.
public struct SearchRequest: Decodable, Sendable, Equatable {
    public var embedding: [Float]
    public var k: Int?
    public var filter: ItemFilterFields

    enum CodingKeys: String, CodingKey, CaseIterable {
        case embedding, k, excludeItems = "exclude_items", includeItems = "include_items"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        embedding = try c.decode([Float].self, forKey: .embedding)
        k = try c.decodeIfPresent(Int.self, forKey: .k)
        filter = ItemFilterFields(excludeItems: try c.decodeIfPresent([String].self, forKey: .excludeItems),
                                  includeItems: try c.decodeIfPresent([String].self, forKey: .includeItems))
    }
}

/// Any key of a JSON object, to find those a request type does not know.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// A misspelt field (`"kk": 3`, `"exclude_seen"` on similar-items) would otherwise be ignored
    /// silently and the request answered as if it were absent.
    /// - Throws: ``ServingError`` 400 naming the first unknown field (in key order) and the known ones.
    func rejectUnknownFields<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        guard let object = try? container(keyedBy: AnyCodingKey.self) else { return }  // not an object: the typed decode says so
        let known = Keys.allCases.map(\.stringValue)
        if let unknown = object.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw ServingError.malformed("unknown field; the fields of this request are \(known.joined(separator: ", "))", field: unknown)
        }
    }
}
