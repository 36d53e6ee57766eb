import Testing

@Test func placeholder_TowerDataTests() { #expect(Bool(true)) }
