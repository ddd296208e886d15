/// The bfloat16 format: 1 sign bit, 8 exponent bits, 7 fraction bits — the top half of a `Float`.
///
/// Conversion from `Float` and `Double` rounds to nearest, ties to even; NaN stays NaN (quiet),
/// infinities and signed zeros are kept, and subnormals are rounded like any other value.
public struct BFloat16: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    public var bitPattern: UInt16

    public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// Rounds a `Float` to the nearest bfloat16 (ties to even).
    public init(_ value: Float) {
        let u = value.bitPattern
        if value.isNaN {
            bitPattern = UInt16(truncatingIfNeeded: u >> 16) | 0x40
            return
        }
        let rounding: UInt32 = 0x7fff + ((u >> 16) & 1)
        bitPattern = UInt16(truncatingIfNeeded: (u &+ rounding) >> 16)
    }

    /// Rounds a `Double` straight to the nearest bfloat16 (no double rounding through `Float`).
    public init(_ value: Double) {
        if value.isNaN { self.init(Float.nan); return }
        // Candidate from a truncating Float conversion, then pick the nearer neighbour in Double.
        let f = Float(value)
        if f.isInfinite && !value.isInfinite {
            // |value| rounds past Float's range: it is past bfloat16's too (same exponent range).
            self.init(f)
            return
        }
        let truncated = BFloat16(bitPattern: UInt16(truncatingIfNeeded: f.bitPattern >> 16))
        var best = truncated
        var bestError = abs(Double(truncated.floatValue) - value)
        for candidate in [truncated.nextUpInMagnitude, truncated.nextDownInMagnitude] {
            let c = Double(candidate.floatValue)
            guard c.isFinite || value.isInfinite else {
                // Overflow to infinity happens when value >= the halfway point past the max.
                let maxFinite = Double(BFloat16(bitPattern: (truncated.bitPattern & 0x8000) | 0x7f7f).floatValue)
                let halfUlp = 0x1p119  // half of the ulp at the top binade, 2^(127-7)/2
                if abs(value) >= abs(maxFinite) + halfUlp { best = candidate }
                continue
            }
            let e = abs(c - value)
            if e < bestError || (e == bestError && candidate.bitPattern & 1 == 0) {
                best = candidate
                bestError = e
            }
        }
        self = best
    }

    public var floatValue: Float { Float(bitPattern: UInt32(bitPattern) << 16) }
    public var isNaN: Bool { floatValue.isNaN }
    public var description: String { floatValue.description }

    /// Next value away from zero / toward zero (same sign), without crossing zero.
    var nextUpInMagnitude: BFloat16 { BFloat16(bitPattern: bitPattern &+ 1) }
    var nextDownInMagnitude: BFloat16 {
        bitPattern & 0x7fff == 0 ? self : BFloat16(bitPattern: bitPattern &- 1)
    }
}

extension Float {
    public init(_ value: BFloat16) { self = value.floatValue }
}
