import Synchronization

/// Packing buffers for one gemm thread: 64-byte aligned float storage for packed A and B panels.
struct GemmWorkspace: @unchecked Sendable {
    private(set) var packA: UnsafeMutablePointer<Float>?
    private(set) var capacityA = 0
    private(set) var packB: UnsafeMutablePointer<Float>?
    private(set) var capacityB = 0

    /// Grows the buffers to at least the given sizes (in floats); never shrinks them.
    mutating func reserve(aFloats: Int, bFloats: Int) {
        if capacityA < aFloats {
            packA?.deallocate()
            packA = GemmWorkspace.allocate(aFloats)
            capacityA = aFloats
        }
        if capacityB < bFloats {
            packB?.deallocate()
            packB = GemmWorkspace.allocate(bFloats)
            capacityB = bFloats
        }
    }

    func free() {
        packA?.deallocate()
        packB?.deallocate()
    }

    private static func allocate(_ floats: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(floats, 16) * MemoryLayout<Float>.stride,
                                         alignment: 64).bindMemory(to: Float.self, capacity: floats)
    }
}

/// A lock-protected pool of workspaces so that steady-state gemm calls allocate nothing:
/// each thread of a call takes one workspace and gives it back when done.
final class GemmWorkspacePool: Sendable {
    private static let maximumKept = 4
    private let free = Mutex<[GemmWorkspace]>({
        var list: [GemmWorkspace] = []
        list.reserveCapacity(GemmWorkspacePool.maximumKept)
        return list
    }())

    /// Runs `body` with a workspace holding at least `aFloats` and `bFloats` floats.
    func withWorkspace<R>(aFloats: Int, bFloats: Int, _ body: (GemmWorkspace) -> R) -> R {
        var workspace = free.withLock { $0.popLast() } ?? GemmWorkspace()
        workspace.reserve(aFloats: aFloats, bFloats: bFloats)
        let result = body(workspace)
        let kept = workspace
        let stored = free.withLock { list -> Bool in
            guard list.count < GemmWorkspacePool.maximumKept else { return false }
            list.append(kept)
            return true
        }
        if !stored { workspace.free() }
        return result
    }
}

/// The process-wide pool used by ``gemm``.
let gemmWorkspacePool = GemmWorkspacePool()
