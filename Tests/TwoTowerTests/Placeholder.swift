import Testing

@Test func placeholder_TwoTowerTests() { #expect(Bool(true)) }
