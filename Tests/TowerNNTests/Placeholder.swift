import Testing

@Test func placeholder_TowerNNTests() { #expect(Bool(true)) }
