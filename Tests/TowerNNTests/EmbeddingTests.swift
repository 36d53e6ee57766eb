import Testing
import TowerCore
import TowerNN
import TowerTestSupport

/// Checks a sparse table's gradient (as a dense matrix) against central differences of
/// `L = Σ w ⊙ forward()`.
func checkTableGradient(_ table: Parameter, w: Matrix, forward: () -> Matrix,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    let analytic = table.sparseGradient!.denseValues().storage
    let numeric = numericGradient(
        count: table.value.count, step: 2e-3,
        get: { table.value.storage[$0] }, set: { table.value.storage[$0] = $1 },
        loss: { projectionLoss(forward(), w) })
    expectGradientsClose(analytic, numeric, table.name, sourceLocation: sourceLocation)
}

@Suite struct EmbeddingTests {
    @Test func gatherAndRepeatedIDGradient() {
        let embedding = Embedding(vocabularySize: 6, dimensions: 3, seed: 1)
        let ids: [Int32] = [2, 0, 2, 5, 2]
        let y = embedding.forward(ids: ids)
        for (i, id) in ids.enumerated() { #expect(y.row(i) == embedding.table.value.row(Int(id))) }
        let w = randomMatrix(rows: 5, columns: 3, seed: 2)
        embedding.backward(w)
        let sparse = embedding.table.sparseGradient!
        #expect(sparse.count == 3)
        #expect(sparse.rowIndices == [2, 0, 5])
        let row2 = (0..<3).map { j in w[0, j] + w[2, j] + w[4, j] }
        #expect(maxScaledDifference(sparse.values.row(0), row2) < 1e-6)
        checkTableGradient(embedding.table, w: w) { embedding.forward(ids: ids) }
    }

    @Test func backwardOverwritesUnlessAccumulating() {
        let embedding = Embedding(vocabularySize: 4, dimensions: 2, seed: 3)
        _ = embedding.forward(ids: [1, 3])
        embedding.backward(Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4]))
        _ = embedding.forward(ids: [3, 0])
        embedding.backward(Matrix(rows: 2, columns: 2, values: [10, 20, 30, 40]))
        #expect(embedding.table.sparseGradient!.rowIndices == [3, 0])
        _ = embedding.forward(ids: [1])
        embedding.backward(Matrix(rows: 1, columns: 2, values: [5, 6]), accumulate: true)
        #expect(embedding.table.sparseGradient!.denseValues().storage == [30, 40, 5, 6, 0, 0, 10, 20])
        embedding.zeroGradients()
        #expect(embedding.table.sparseGradient!.count == 0)
        #expect(embedding.table.sparseGradient!.denseValues().storage.allSatisfy { $0 == 0 })
    }

    @Test func sharedTableAccumulatesBothLayers() {
        let embedding = Embedding(vocabularySize: 5, dimensions: 2, seed: 4)
        let bag = EmbeddingBag(table: embedding.table, combiner: .sum)
        _ = embedding.forward(ids: [4, 1])
        _ = bag.forward(offsets: [0, 2], ids: [1, 2])
        embedding.backward(Matrix(rows: 2, columns: 2, values: [1, 1, 2, 2]))
        bag.backward(Matrix(rows: 1, columns: 2, values: [10, 20]), accumulate: true)
        #expect(embedding.table.sparseGradient!.denseValues().storage == [0, 0, 12, 22, 10, 20, 0, 0, 1, 1])
    }

    @Test(arguments: [EmbeddingCombiner.sum, .mean])
    func bagGradientWithUnevenAndEmptyBags(combiner: EmbeddingCombiner) {
        let bag = EmbeddingBag(vocabularySize: 7, dimensions: 3, combiner: combiner, seed: 5)
        // Bags: {1, 4, 1}, {}, {6}, {0, 4, 4, 2}.
        let offsets: [Int32] = [0, 3, 3, 4, 8]
        let ids: [Int32] = [1, 4, 1, 6, 0, 4, 4, 2]
        let y = bag.forward(offsets: offsets, ids: ids)
        #expect(y.rows == 4)
        #expect(y.row(1) == [0, 0, 0])
        let t = bag.table.value
        let expected0 = (0..<3).map { j in (2 * t[1, j] + t[4, j]) / (combiner == .mean ? 3 : 1) }
        #expect(maxScaledDifference(y.row(0), expected0) < 1e-6)
        let w = randomMatrix(rows: 4, columns: 3, seed: 6)
        bag.backward(w)
        #expect(Set(bag.table.sparseGradient!.rowIndices) == [0, 1, 2, 4, 6])
        checkTableGradient(bag.table, w: w) { bag.forward(offsets: offsets, ids: ids) }
    }

    @Test func sparseGradientStorageIsReused() {
        let embedding = Embedding(vocabularySize: 50, dimensions: 4, seed: 7)
        let big: [Int32] = Array(0..<32), small: [Int32] = [3, 3, 9]
        let a = storageAddress(embedding.forward(ids: big))
        embedding.backward(Matrix(rows: 32, columns: 4, repeating: 1))
        #expect(storageAddress(embedding.forward(ids: small)) == a)
        embedding.backward(Matrix(rows: 3, columns: 4, repeating: 1))
        #expect(embedding.table.sparseGradient!.count == 2)
        #expect(embedding.table.sparseGradient!.values.row(0) == [2, 2, 2, 2])
        #expect(storageAddress(embedding.forward(ids: big)) == a)
    }

    @Test func outOfRangeIDIsAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) {
            let embedding = Embedding(vocabularySize: 3, dimensions: 2, seed: 1)
            _ = embedding.forward(ids: [0, 3])
        }
        await #expect(processExitsWith: .failure) {
            let bag = EmbeddingBag(vocabularySize: 3, dimensions: 2, combiner: .mean, seed: 1)
            _ = bag.forward(offsets: [0, 2, 1], ids: [0, 1])
        }
    }
}
