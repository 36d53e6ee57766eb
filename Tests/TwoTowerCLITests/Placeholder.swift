import Testing

@Test func placeholder_TwoTowerCLITests() { #expect(Bool(true)) }
