import TowerKernels

/// Which implementation runs ``vectorExp(_:into:kernel:)`` and the softmax kernels. All use the
/// same reduction and polynomial; results agree to the last bit or two.
public enum ExpKernel: Sendable, Equatable {
    /// The widest kernel the CPU runs: AVX-512, else AVX2/FMA, else portable.
    case automatic
    /// The portable C kernel, on any CPU (same polynomial, no FMA).
    case portable
    /// The AVX2/FMA kernel (portable when the CPU lacks AVX2/FMA).
    case avx2
    /// The AVX-512 kernel (AVX2, then portable, when the CPU lacks it).
    case avx512
}

/// The kernels this CPU runs (checked once).
let vectorExpHasAVX2: Bool = tower_cpu_has_avx2_fma() != 0
let vectorExpHasAVX512: Bool = tower_cpu_has_avx512f() != 0

/// The implementation `kernel` selects on this CPU.
enum ResolvedExpKernel { case portable, avx2, avx512 }

extension ExpKernel {
    var resolved: ResolvedExpKernel {
        switch self {
        case .portable: return .portable
        case .avx2: return vectorExpHasAVX2 ? .avx2 : .portable
        case .automatic, .avx512:
            return vectorExpHasAVX512 ? .avx512 : (vectorExpHasAVX2 ? .avx2 : .portable)
        }
    }
}

/// `output[i] = exp(input[i])` for every element, with a vectorized polynomial.
///
/// Accuracy: relative error below 2e-7 wherever the result is a normal `Float`
/// (inputs in about `[-87.33, 88.72]`). Edge values:
/// - inputs below `-87.3365` (results under `Float.leastNormalMagnitude`) give `+0` (flushed);
/// - inputs above `88.7228` (results over `Float.greatestFiniteMagnitude`) give `+infinity`;
/// - `-infinity` gives `0`, `+infinity` gives `+infinity`, NaN gives NaN.
///
/// - Parameters:
///   - input: `n` values.
///   - output: `n` results; it may be the same memory as `input` (in place), but must not
///     otherwise overlap it.
///   - kernel: `.automatic` (AVX2/FMA when available) or `.portable`.
/// - Precondition: `input.count == output.count`.
/// - Complexity: O(n); about 1 ns per element on one AVX2 core.
public func vectorExp(
    _ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>,
    kernel: ExpKernel = .automatic
) {
    precondition(input.count == output.count,
                 "vectorExp: input has \(input.count) elements, output has \(output.count)")
    guard let x = input.baseAddress, let y = output.baseAddress, input.count > 0 else { return }
    switch kernel.resolved {
    case .avx512: tower_vexp_avx512(x, y, input.count)
    case .avx2: tower_vexp_avx2(x, y, input.count)
    case .portable: tower_vexp_portable(x, y, input.count)
    }
}

/// `values[i] = exp(values[i])` in place; see ``vectorExp(_:into:kernel:)`` for accuracy and edge values.
public func vectorExp(inPlace values: UnsafeMutableBufferPointer<Float>, kernel: ExpKernel = .automatic) {
    vectorExp(UnsafeBufferPointer(values), into: values, kernel: kernel)
}

/// `output[i] = exp(input[i] - shift)` and returns `Σ output[i]` (Float accumulation in 8–16 lanes).
///
/// The building block of softmax and log-sum-exp: with `shift = max(input)` every term is in
/// `[0, 1]` and the sum is in `[1, n]`. Accuracy and edge values as ``vectorExp(_:into:kernel:)``,
/// applied to `input[i] - shift` (computed in `Float`).
/// - Parameters:
///   - input: `n` values.
///   - shift: subtracted from every input before `exp`.
///   - output: `n` results, or `nil` to only return the sum. May be the same memory as `input`.
/// - Precondition: `output == nil || output!.count == input.count`.
/// - Complexity: O(n).
@discardableResult
public func vectorExp(
    _ input: UnsafeBufferPointer<Float>, subtracting shift: Float,
    into output: UnsafeMutableBufferPointer<Float>?, kernel: ExpKernel = .automatic
) -> Float {
    if let output {
        precondition(input.count == output.count,
                     "vectorExp: input has \(input.count) elements, output has \(output.count)")
    }
    guard let x = input.baseAddress, input.count > 0 else { return 0 }
    let y = output?.baseAddress
    switch kernel.resolved {
    case .avx512: return tower_vexp_shift_sum_avx512(x, shift, y, input.count)
    case .avx2: return tower_vexp_shift_sum_avx2(x, shift, y, input.count)
    case .portable: return tower_vexp_shift_sum_portable(x, shift, y, input.count)
    }
}

/// `exp` of every element of an array, as a new array (convenience; allocates).
public func vectorExp(_ values: [Float], kernel: ExpKernel = .automatic) -> [Float] {
    var result = values
    result.withUnsafeMutableBufferPointer { vectorExp(inPlace: $0, kernel: kernel) }
    return result
}
