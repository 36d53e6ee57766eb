import Testing
@testable import TowerDistributed

@Suite struct CommunicatorTests {
    @Test(arguments: [(10, 1), (10, 2), (10, 3), (10, 4), (3, 4), (0, 2), (1024, 4), (7, 7)])
    func slicesCoverTheBatchContiguouslyAndDifferByAtMostOne(count: Int, size: Int) {
        let slices = (0..<size).map { SingleProcessCommunicator.slice(of: count, rank: $0, size: size) }
        #expect(slices.first?.lowerBound == 0)
        #expect(slices.last?.upperBound == count)
        for (a, b) in zip(slices, slices.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        let lengths = slices.map(\.count)
        #expect(lengths.max()! - lengths.min()! <= 1)
        #expect(lengths == lengths.sorted(by: >), "longer slices come first")
    }

    @Test func sumBlocksAddsInRankOrder() {
        // Rank order matters for floats: (1e8 + 1) - 1e8 = 0 in Float, 1e8 - 1e8 + 1 = 1.
        let buffer: [Float] = [1e8, 2, 1, 3, -1e8, 4]
        let sum = RankOrder.sumBlocks(buffer, blockLength: 2, blocks: 3)
        let big: Float = 1e8
        let expected: [Float] = [(big + 1) - big, 9]
        #expect(sum == expected)
        #expect(sum[0] == 0)
        let ints: [Int64] = [1, 2, 3, 4, 5, 6, 7, 8]
        #expect(RankOrder.sumBlocks(ints, blockLength: 4, blocks: 2) == [6, 8, 10, 12])
        #expect(RankOrder.sumBlocks([Double](), blockLength: 0, blocks: 3) == [])
    }

    @Test func singleProcessCollectivesReturnTheirInput() throws {
        let c = SingleProcessCommunicator()
        #expect(c.rank == 0 && c.size == 1)
        let x: [Float] = [1, 2, 3]
        #expect(try c.allGather(x) == x)
        let v = try c.allGatherV([Int32(4), 5])
        #expect(v.values == [4, 5] && v.counts == [2])
        #expect(try c.reduceScatterSum(x, counts: [3]) == x)
        #expect(try c.broadcast(x, root: 0) == x)
        #expect(try c.allReduceSum(x) == x)
        #expect(c.slice(of: 9) == 0..<9)
        #expect(c.sliceCounts(of: 9) == [9])
        try c.barrier()
    }

    @Test func badArgumentsAreErrorsThatSayWhatWasExpected() {
        let c = SingleProcessCommunicator()
        #expect(throws: CommunicatorError.invalidArguments(operation: "reduce-scatter", detail: "counts add up to 2 but the buffer holds 3 elements")) {
            try c.reduceScatterSum([Float](repeating: 1, count: 3), counts: [2])
        }
        #expect(throws: CommunicatorError.invalidArguments(operation: "reduce-scatter", detail: "expected one count per rank (1), got 2")) {
            try c.reduceScatterSum([Float](repeating: 1, count: 3), counts: [1, 2])
        }
        #expect(throws: CommunicatorError.invalidArguments(operation: "broadcast", detail: "root 1 is not a rank of a group of 1")) {
            try c.broadcast([Float(1)], root: 1)
        }
    }

    @Test func theWorldIsOneProcessUnlessALauncherStartedSeveral() throws {
        #expect(WorldCommunicator.launchedRanks(environment: [:]) == nil)
        #expect(WorldCommunicator.launchedRanks(environment: ["OMPI_COMM_WORLD_SIZE": "4"]) == 4)
        #expect(WorldCommunicator.launchedRanks(environment: ["PMI_SIZE": "2"]) == 2)
        #expect(WorldCommunicator.launchedRanks(environment: ["OMPI_COMM_WORLD_SIZE": "x"]) == nil)
        let alone = try WorldCommunicator.current(environment: [:])
        #expect(alone.size == 1 && alone.rank == 0)
        if !WorldCommunicator.isMPIAvailable {
            #expect(throws: CommunicatorError.launchedWithoutMPI(ranks: 2)) {
                try WorldCommunicator.current(environment: ["OMPI_COMM_WORLD_SIZE": "2"])
            }
            let one = try WorldCommunicator.current(environment: ["OMPI_COMM_WORLD_SIZE": "1"])
            #expect(one.size == 1)
        }
    }
}
