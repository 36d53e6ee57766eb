import TowerKernels

// The portable kernel: same blocking and packing as the AVX2 C kernel (BLIS loop order, packed
// panels from tower_gemm_pack_a/b), with a 6×16 register tile of SIMD8<Float> in Swift. It runs
// on CPUs without AVX2/FMA and on arm64.

private let mr = Int(TOWER_GEMM_MR)
private let nr = Int(TOWER_GEMM_NR)
private let mcBlock = Int(TOWER_GEMM_MC)
private let kcBlock = Int(TOWER_GEMM_KC)
private let ncBlock = Int(TOWER_GEMM_NC)

/// `acc + a·b`: a fused multiply-add on arm64 (baseline there); a separate multiply and add on
/// other targets, where `addingProduct` would become a libm call per lane without +fma.
@inline(__always)
private func multiplyAdd(_ acc: SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    #if arch(arm64)
    return acc.addingProduct(a, b)
    #else
    return acc + a * b
    #endif
}

/// Single-threaded packed gemm with the Swift micro-kernel (m, n, k > 0). `packA`/`packB`
/// hold at least `tower_gemm_pack_a_floats(m, k)` / `tower_gemm_pack_b_floats(n, k)` floats.
/// With `packedB` (op(B) pre-packed in full-depth panels of 16 columns, `tower_gemm_pack_b_panels`,
/// pointing at the first panel to use), `b` and `packB` are not read.
func portableGemm(
    transA: Int32, transB: Int32, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>?, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
    packA: UnsafeMutablePointer<Float>, packB: UnsafeMutablePointer<Float>?,
    packedB: UnsafePointer<Float>? = nil
) {
    var jc = 0
    while jc < n {
        let nc = min(ncBlock, n - jc)
        var pc = 0
        while pc < k {
            let kc = min(kcBlock, k - pc)
            let betaBlock: Float = pc == 0 ? beta : 1
            let panels: UnsafePointer<Float>, panelStride: Int
            if let packedB {
                panels = packedB + (jc / nr) * k * nr + pc * nr
                panelStride = k * nr
            } else {
                tower_gemm_pack_b(transB, kc, nc, b, ldb, pc, jc, packB)
                panels = UnsafePointer(packB!)
                panelStride = kc * nr
            }
            var ic = 0
            while ic < m {
                let mc = min(mcBlock, m - ic)
                tower_gemm_pack_a(transA, mc, kc, a, lda, ic, pc, packA)
                var jr = 0
                while jr < nc {
                    let nrValid = min(nr, nc - jr)
                    var ir = 0
                    while ir < mc {
                        let mrValid = min(mr, mc - ir)
                        let tileC = c + (ic + ir) * ldc + jc + jr
                        portableTile(kc: kc, a: packA + ir * kc, b: panels + (jr / nr) * panelStride, c: tileC, ldc: ldc,
                                     alpha: alpha, beta: betaBlock, rows: mrValid, columns: nrValid)
                        ir += mr
                    }
                    jr += nr
                }
                ic += mcBlock
            }
            pc += kcBlock
        }
        jc += ncBlock
    }
}

/// One 6×16 tile: `C[0..<rows, 0..<columns] = alpha·A·B + beta·C` from packed micro-panels.
@inline(__always)
private func portableTile(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
    ldc: Int, alpha: Float, beta: Float, rows: Int, columns: Int
) {
    for i in 0..<rows {
        tower_prefetch_write(c + i * ldc)
        tower_prefetch_write(c + i * ldc + columns - 1)
    }
    #if arch(x86_64) || arch(i386)
    // 16 xmm registers: two passes of a 6×8 tile (12 xmm accumulators) avoid spills.
    let left = halfTile(kc: kc, a: a, b: b)
    let right = halfTile(kc: kc, a: a, b: b + 8)
    let (c00, c10, c20, c30, c40, c50) = left
    let (c01, c11, c21, c31, c41, c51) = right
    #else
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>(), c41 = SIMD8<Float>(), c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.load(as: SIMD8<Float>.self)
        let b1 = pb.load(fromByteOffset: 32, as: SIMD8<Float>.self)
        var s = SIMD8<Float>(repeating: pa[0])
        c00 = multiplyAdd(c00, s, b0); c01 = multiplyAdd(c01, s, b1)
        s = SIMD8<Float>(repeating: pa[1])
        c10 = multiplyAdd(c10, s, b0); c11 = multiplyAdd(c11, s, b1)
        s = SIMD8<Float>(repeating: pa[2])
        c20 = multiplyAdd(c20, s, b0); c21 = multiplyAdd(c21, s, b1)
        s = SIMD8<Float>(repeating: pa[3])
        c30 = multiplyAdd(c30, s, b0); c31 = multiplyAdd(c31, s, b1)
        s = SIMD8<Float>(repeating: pa[4])
        c40 = multiplyAdd(c40, s, b0); c41 = multiplyAdd(c41, s, b1)
        s = SIMD8<Float>(repeating: pa[5])
        c50 = multiplyAdd(c50, s, b0); c51 = multiplyAdd(c51, s, b1)
        pa += 6
        pb += 64
    }
    #endif
    let va = SIMD8<Float>(repeating: alpha)
    if rows == 6 && columns == 16 {
        storeRow(c, c00, c01, va, beta)
        storeRow(c + ldc, c10, c11, va, beta)
        storeRow(c + 2 * ldc, c20, c21, va, beta)
        storeRow(c + 3 * ldc, c30, c31, va, beta)
        storeRow(c + 4 * ldc, c40, c41, va, beta)
        storeRow(c + 5 * ldc, c50, c51, va, beta)
        return
    }
    withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 12) { tile in
        tile[0] = va * c00; tile[1] = va * c01; tile[2] = va * c10; tile[3] = va * c11
        tile[4] = va * c20; tile[5] = va * c21; tile[6] = va * c30; tile[7] = va * c31
        tile[8] = va * c40; tile[9] = va * c41; tile[10] = va * c50; tile[11] = va * c51
        let values = UnsafeRawPointer(tile.baseAddress!).assumingMemoryBound(to: Float.self)
        for i in 0..<rows {
            let row = c + i * ldc
            let t = values + i * 16
            if beta == 0 {
                for j in 0..<columns { row[j] = t[j] }
            } else {
                for j in 0..<columns { row[j] = t[j] + beta * row[j] }
            }
        }
    }
}

/// A 6×8 product of a packed A micro-panel and 8 columns of a packed B micro-panel (row stride
/// 16 floats): one accumulator per row.
@inline(__always)
private func halfTile(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>)
    -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
    var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>()
    var c3 = SIMD8<Float>(), c4 = SIMD8<Float>(), c5 = SIMD8<Float>()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let bv = pb.loadUnaligned(as: SIMD8<Float>.self)
        c0 = multiplyAdd(c0, SIMD8(repeating: pa[0]), bv)
        c1 = multiplyAdd(c1, SIMD8(repeating: pa[1]), bv)
        c2 = multiplyAdd(c2, SIMD8(repeating: pa[2]), bv)
        c3 = multiplyAdd(c3, SIMD8(repeating: pa[3]), bv)
        c4 = multiplyAdd(c4, SIMD8(repeating: pa[4]), bv)
        c5 = multiplyAdd(c5, SIMD8(repeating: pa[5]), bv)
        pa += 6
        pb += 64
    }
    return (c0, c1, c2, c3, c4, c5)
}

@inline(__always)
private func storeRow(_ row: UnsafeMutablePointer<Float>, _ x0: SIMD8<Float>, _ x1: SIMD8<Float>,
                      _ alpha: SIMD8<Float>, _ beta: Float) {
    let raw = UnsafeMutableRawPointer(row)
    if beta == 0 {
        raw.storeBytes(of: alpha * x0, as: SIMD8<Float>.self)
        raw.storeBytes(of: alpha * x1, toByteOffset: 32, as: SIMD8<Float>.self)
    } else {
        let vb = SIMD8<Float>(repeating: beta)
        let old0 = UnsafeRawPointer(raw).loadUnaligned(as: SIMD8<Float>.self)
        let old1 = UnsafeRawPointer(raw).loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
        raw.storeBytes(of: alpha * x0 + vb * old0, as: SIMD8<Float>.self)
        raw.storeBytes(of: alpha * x1 + vb * old1, toByteOffset: 32, as: SIMD8<Float>.self)
    }
}
