#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RMSNorm

/// The one place where the accepted error is stated.
///
/// - fp32: |y − ref| ≤ 1e-5 · max(1, |ref|). The kernels accumulate in fp32 over up to 262,144
///   terms and use `rsqrtf` (≤ 2 ulp); the worst relative error seen is about 1e-6, so 1e-5 holds
///   with margin while still catching any wrong term (one missed element of a row of 262,144
///   moves the result by ≥ 4e-6 relative only in a tiny-norm row; a wrong index moves it by O(1)).
/// - fp16 / bf16: y may differ from the correctly rounded fp64 reference by at most one rounding
///   step (1 ulp of the output type). The fp32 result is within a few fp32 ulps of the exact one,
///   and rounding it once to 16 bits can land on the other side of a rounding boundary only.
/// - NaN must match NaN; infinities must match exactly.
public enum Tolerance {
    public static let float32Relative = 1e-5
    public static let ulps16 = 1

    /// Error of one element in the unit the rule uses: relative error for fp32, ulps for 16-bit types.
    @inlinable
    public static func error<T: RMSNormElement>(_ value: T, reference: Double) -> Double {
        let v = Double(value.floatValue)
        if reference.isNaN { return v.isNaN ? 0 : .infinity }
        if v.isNaN { return .infinity }
        if reference.isInfinite || v.isInfinite {
            // Compare as the output type would hold the reference.
            return Double(T(rounding: reference).floatValue) == v ? 0 : .infinity
        }
        switch T.dtype {
        case .float32:
            return abs(v - reference) / max(1, abs(reference))
        case .float16, .bfloat16:
            let r = T(rounding: reference)
            return Double(abs(orderedBits(value) - orderedBits(r)))
        }
    }

    /// The largest error allowed by ``error(_:reference:)``.
    @inlinable
    public static func limit(for dtype: DType) -> Double {
        dtype == .float32 ? float32Relative : Double(ulps16)
    }

    public static func unit(for dtype: DType) -> String { dtype == .float32 ? "rel" : "ulp" }

    /// Bits as a signed integer that increases with the value (so ulp distance is a subtraction).
    @inlinable
    static func orderedBits<T: RMSNormElement>(_ v: T) -> Int {
        let raw: Int = withUnsafeBytes(of: v) { bytes in
            bytes.count == 2 ? Int(bytes.load(as: UInt16.self)) : Int(bytes.load(as: UInt32.self))
        }
        let signBit = MemoryLayout<T>.size == 2 ? 0x8000 : 0x8000_0000
        return raw & signBit != 0 ? -(raw & (signBit - 1)) : raw
    }
}

/// Result of comparing an output with the reference.
public struct Comparison: Sendable, CustomStringConvertible {
    public var maxError: Double = 0
    public var worstIndex: Int = -1
    public var failures: Int = 0
    public var checked: Int = 0
    public var untouchedViolations: Int = 0
    public var passed: Bool { failures == 0 && untouchedViolations == 0 && checked > 0 }
    public var description: String {
        "max error \(maxError) at \(worstIndex), \(failures)/\(checked) over the limit"
            + (untouchedViolations > 0 ? ", \(untouchedViolations) elements outside the view were written" : "")
    }

    public init() {}

    /// Compares a strided output view (with `rows` × `columns`, stride `stride`, from `offset`)
    /// with a dense reference. Elements of `output` outside the view must still equal `poison`.
    @inlinable
    public static func compare<T: RMSNormElement>(
        output: [T], offset: Int = 0, rows: Int, columns: Int, stride: Int, reference: [Double],
        poisonCheck: ((Int) -> Bool)? = nil
    ) -> Comparison {
        generic(count: output.count, offset: offset, rows: rows, columns: columns, stride: stride,
            limit: Tolerance.limit(for: T.dtype), poisonCheck: poisonCheck) { i, j in
            Tolerance.error(output[i], reference: reference[j])
        }
    }
}
