/// An 8-bit float in the e4m3 format of fp8 matmuls ("E4M3FN"): 1 sign bit, 4 exponent bits
/// (bias 7), 3 mantissa bits; no infinities, 0x7F / 0xFF are NaN, the largest finite value is 448.
///
/// Conversion from `Float` or `Double` rounds to nearest, ties to even, and saturates: anything of
/// magnitude above 448 (infinities included) becomes ±448; NaN stays NaN (0x7F). This is the rule
/// of the GPU's `cvt.rn.satfinite.e4m3x2.f32` and of the kernels' software path.
@frozen
public struct Float8E4M3: BitwiseCopyable, Sendable, Hashable, CustomStringConvertible {
    public var bitPattern: UInt8

    @inlinable public init(bitPattern: UInt8) { self.bitPattern = bitPattern }

    /// The largest finite magnitude, 448.
    public static let greatestFiniteMagnitude: Float = 448

    /// Rounds to nearest even, saturating at ±448.
    public init(rounding value: Double) {
        if value.isNaN { bitPattern = 0x7f; return }
        let sign: UInt8 = value.sign == .minus ? 0x80 : 0
        let a = abs(value)
        var code: UInt8
        if a >= 448 {
            code = 0x7e
        } else if a < 0x1p-6 {
            code = UInt8((a * 512).rounded(.toNearestOrEven))  // subnormal steps of 2^-9; 8 is 2^-6
        } else {
            var e = Int(a.exponent)                                     // -6 … 8
            var m = (a / Double(sign: .plus, exponent: e, significand: 1) * 8).rounded(.toNearestOrEven)  // 8 … 16
            if m == 16 { m = 8; e += 1 }
            code = UInt8((e + 7) << 3) | UInt8(Int(m) - 8)
            if code > 0x7e { code = 0x7e }
        }
        bitPattern = sign | code
    }

    /// Rounds to nearest even, saturating at ±448 (exactly as from the same value as `Double`).
    @inlinable public init(rounding value: Float) { self.init(rounding: Double(value)) }

    public var isNaN: Bool { bitPattern & 0x7f == 0x7f }

    /// The exact value as a `Float`.
    public var floatValue: Float { Float8E4M3.table[Int(bitPattern)] }

    static let table: [Float] = (0..<256).map { code -> Float in
        let sign: Float = code & 0x80 != 0 ? -1 : 1
        let e = (code >> 3) & 0xf, m = code & 7
        if e == 0xf && m == 7 { return .nan }
        if e == 0 { return sign * Float(m) * 0x1p-9 }
        return sign * (1 + Float(m) / 8) * Float(sign: .plus, exponent: e - 7, significand: 1)
    }

    public var description: String { "\(floatValue)" }
}

extension Float8E4M3 {
    /// Eight values rounded as `init(rounding:)` (nearest even, ±448 saturation, NaN 0x7F), in integer lanes:
    /// normal results by adding the rounding bias below bit 20 and rebiasing the exponent (127 − 7), subnormal
    /// ones (below 2^-6) by scaling to steps of 2^-9 and rounding through 2^23, then the saturation, NaN and sign.
    @inline(__always) static func codes8(_ v: SIMD8<Float>) -> SIMD8<UInt8> {
        let u = unsafeBitCast(v, to: SIMD8<UInt32>.self)
        let a = u & 0x7fff_ffff
        let normal = ((a &+ (0x7_ffff &+ ((a &>> 20) & 1))) &>> 20) &- 0x3c0
        let subnormal = unsafeBitCast(unsafeBitCast(a, to: SIMD8<Float>.self) * 512 + 0x1p23, to: SIMD8<UInt32>.self) &- 0x4b00_0000
        var code = laneSelect(laneBelow(a, SIMD8(repeating: 0x3c80_0000)), subnormal, normal)
        code = laneSelect(laneBelow(SIMD8(repeating: 0x7e), code), SIMD8(repeating: 0x7e), code)  // saturate at 448
        code = laneSelect(laneBelow(SIMD8(repeating: 0x7f80_0000), a), SIMD8(repeating: 0x7f), code | ((u &>> 24) & 0x80))
        return SIMD8<UInt8>(truncatingIfNeeded: code)
    }
}
