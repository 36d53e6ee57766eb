import Testing
import TowerCore

@Suite struct MatrixTests {
    @Test func shapeAndSubscript() {
        var m = Matrix(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6])
        #expect(m[1, 2] == 6)
        m[0, 1] = 9
        #expect(m.storage == [1, 9, 3, 4, 5, 6])
        #expect(m.rows(1..<2).copy() == Matrix(rows: 1, columns: 3, values: [4, 5, 6]))
        #expect(Matrix(rows: 3, columns: 4).storage.allSatisfy { $0 == 0 })
    }

    @Test func reshapeKeepsCapacity() {
        var m = Matrix(rows: 4, columns: 4)
        m.reshape(rows: 2, columns: 3)
        #expect(m.rows == 2 && m.columns == 3 && m.count == 6)
    }
}
