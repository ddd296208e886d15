import Testing
@testable import RMSNorm

@Suite struct BFloat16Tests {
    @Test func exactValuesRoundTrip() {
        for bits in stride(from: 0, through: 0xffff, by: 1) {
            let b = BFloat16(bitPattern: UInt16(bits))
            let f = b.floatValue
            if f.isNaN { #expect(BFloat16(f).isNaN); continue }
            #expect(BFloat16(f).bitPattern == b.bitPattern, "bits \(bits)")
            #expect(BFloat16(Double(f)).bitPattern == b.bitPattern, "bits \(bits) via Double")
        }
    }

    @Test func roundingTable() {
        // (float bits, expected bf16 bits)
        let table: [(UInt32, UInt16, String)] = [
            (0x3f80_0000, 0x3f80, "1.0 exact"),
            (0x3f80_8000, 0x3f80, "tie, even stays (1.0)"),
            (0x3f81_8000, 0x3f82, "tie, odd rounds up"),
            (0x3f80_8001, 0x3f81, "just above tie rounds up"),
            (0x3f80_7fff, 0x3f80, "just below tie rounds down"),
            (0x7f7f_ffff, 0x7f80, "Float max rounds to +Inf"),
            (0x7f7f_7fff, 0x7f7f, "below overflow tie stays finite"),
            (0x7f80_0000, 0x7f80, "+Inf"),
            (0xff80_0000, 0xff80, "-Inf"),
            (0x8000_0000, 0x8000, "-0"),
            (0x0000_0001, 0x0000, "smallest subnormal rounds to 0"),
            (0x0000_8000, 0x0000, "subnormal tie to even (0)"),
            (0x0001_8000, 0x0002, "subnormal tie to even (2)"),
            (0x0040_0000, 0x0040, "subnormal exact"),
            (0x807f_ffff, 0x8080, "negative subnormal rounds up to min normal"),
        ]
        for (f, b, what) in table {
            #expect(BFloat16(Float(bitPattern: f)).bitPattern == b, "\(what)")
        }
    }

    @Test func nanStaysNaN() {
        for bits: UInt32 in [0x7fc0_0000, 0x7f80_0001, 0xffff_ffff, 0x7fff_0000, 0x7f80_ffff] {
            #expect(BFloat16(Float(bitPattern: bits)).isNaN, "\(bits)")
        }
        #expect(BFloat16(Double.nan).isNaN)
    }

    @Test func doubleRoundsOnceNotTwice() {
        // 1 + 2^-8 + 2^-30: a Double just above the bf16 tie between 1 and 1+2^-7.
        // Through Float it becomes the exact tie and rounds to even (1.0); directly it must round up.
        let d = 1.0 + 0x1p-8 + 0x1p-30
        #expect(Float(d) == 1.0 + 0x1p-8)
        #expect(BFloat16(d).bitPattern == 0x3f81)
        #expect(BFloat16(-d).bitPattern == 0xbf81)
        #expect(BFloat16(1.0 + 0x1p-8).bitPattern == 0x3f80)
        #expect(BFloat16(1e300).bitPattern == 0x7f80)
        #expect(BFloat16(-1e300).bitPattern == 0xff80)
        #expect(BFloat16(Double.infinity).bitPattern == 0x7f80)
    }

    @Test func doubleNearOverflow() {
        let maxB = Double(BFloat16(bitPattern: 0x7f7f).floatValue)
        let halfUlp = 0x1p119  // half of bf16's ulp at the top binade (2^120)
        #expect(BFloat16(maxB + halfUlp * 0.99).bitPattern == 0x7f7f)
        #expect(BFloat16(maxB + halfUlp).bitPattern == 0x7f80, "tie at overflow rounds to even: Inf")
    }
}

@Suite struct Float16Tests {
    @Test func roundingTable() {
        let table: [(Float, UInt16)] = [
            (1.0, 0x3c00), (65504, 0x7bff), (65520, 0x7c00), (-0.0, 0x8000),
            (Float(0x1p-24), 0x0001), (Float(0x1p-25), 0x0000), (Float(0x1.8p-24), 0x0002),
            (1 + Float(0x1p-11), 0x3c00), (1 + Float(0x3p-11), 0x3c02),
        ]
        for (f, bits) in table {
            #expect(Float16(rounding: f).bitPattern == bits, "\(f)")
        }
        #expect(Float16(rounding: Float.nan).isNaN)
        #expect(Float16(rounding: Float.infinity) == .infinity)
    }
}

@Suite struct SIMDConversionTests {
    @Test func bf16SIMDStoreMatchesScalar() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var v = SIMD8<Float>()
            for i in 0..<8 { v[i] = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng)) }
            var out = [BFloat16](repeating: BFloat16(bitPattern: 0), count: 8)
            out.withUnsafeMutableBufferPointer { BFloat16.store8(v, $0.baseAddress!) }
            for i in 0..<8 {
                let scalar = BFloat16(v[i])
                if v[i].isNaN { #expect(out[i].isNaN) } else { #expect(out[i].bitPattern == scalar.bitPattern) }
            }
        }
    }

    /// Every fp16 and bf16 bit pattern widened by the SIMD loads: the scalar conversion's value, bit for bit
    /// (NaN stays NaN with its sign).
    @Test func simdLoadsMatchScalar() {
        for base in stride(from: 0, to: 65536, by: 8) {
            let h = (0..<8).map { Float16(bitPattern: UInt16(base + $0)) }
            let b = (0..<8).map { BFloat16(bitPattern: UInt16(base + $0)) }
            let fh = h.withUnsafeBufferPointer { Float16.load8($0.baseAddress!) }
            let fb = b.withUnsafeBufferPointer { BFloat16.load8($0.baseAddress!) }
            for i in 0..<8 {
                let sh = Float(h[i]), sb = b[i].floatValue
                if sh.isNaN { #expect(fh[i].isNaN && fh[i].sign == sh.sign, "\(base + i)") }
                else { #expect(fh[i].bitPattern == sh.bitPattern, "fp16 \(base + i): \(fh[i]) against \(sh)") }
                if sb.isNaN { #expect(fb[i].isNaN) } else { #expect(fb[i].bitPattern == sb.bitPattern, "bf16 \(base + i)") }
            }
        }
    }

    /// The SIMD fp16 store rounds as the scalar conversion (nearest even, subnormals, overflow to Inf at 65,520):
    /// random bit patterns, and every float within a few ulps of each half and of each rounding midpoint.
    @Test func fp16SIMDStoreMatchesScalar() {
        var values: [Float] = [0, -0, .infinity, -.infinity, .nan, 65504, 65519.996, 65520, 65536, 1e-8, 0x1p-25, 0x1p-24, 0x1.8p-24,
                               0x1p-14, 0x1.ffcp-15, Float.leastNonzeroMagnitude, Float.greatestFiniteMagnitude]
        for bits in stride(from: UInt32(0), to: 0x4780_0000, by: 0x1000) {  // below 2^16, every 2^12th pattern: each
            for d: UInt32 in [0, 1, 0xfff, 0x1000 - 1] {               // half's neighbours and midpoints
                values.append(Float(bitPattern: bits &+ d))
                values.append(-Float(bitPattern: bits &+ d))
            }
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 { values.append(Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng))) }
        while values.count % 8 != 0 { values.append(1) }
        var mismatches: [String] = []
        for base in stride(from: 0, to: values.count, by: 8) {
            var v = SIMD8<Float>()
            for i in 0..<8 { v[i] = values[base + i] }
            var out = [Float16](repeating: 0, count: 8)
            out.withUnsafeMutableBufferPointer { Float16.store8(v, $0.baseAddress!) }
            for i in 0..<8 {
                let scalar = Float16(v[i])
                let ok = v[i].isNaN ? out[i].isNaN : out[i].bitPattern == scalar.bitPattern
                if !ok && mismatches.count < 10 { mismatches.append("\(v[i]) (\(v[i].bitPattern)): \(out[i].bitPattern) against \(scalar.bitPattern)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    /// The SIMD fp8 rounding gives the scalar conversion's codes (nearest even, subnormal steps of 2^-9, ±448
    /// saturation, NaN 0x7F): every float within a few ulps of each e4m3 value and of each rounding midpoint,
    /// specials, and random bit patterns.
    @Test func fp8SIMDRoundingMatchesScalar() {
        var values: [Float] = [0, -0, .infinity, -.infinity, .nan, -.nan, 448, 464, 463.99997, 480, 1e30, -1e30, 0x1p-6, 0x1p-9,
                               0x1p-10, 0x1.8p-10, 0x1.0000002p-10, Float.leastNonzeroMagnitude, Float.greatestFiniteMagnitude]
        for code in 0..<128 {  // each value and the midpoint above it, with their neighbours, both signs
            let lo = Float8E4M3(bitPattern: UInt8(code)).floatValue, hi = Float8E4M3(bitPattern: UInt8(min(code + 1, 0x7e))).floatValue
            guard lo.isFinite, hi.isFinite else { continue }
            for x in [lo, (lo + hi) / 2] {
                for d: Int32 in [-2, -1, 0, 1, 2] where x != 0 || d >= 0 {
                    let f = Float(bitPattern: UInt32(bitPattern: Int32(bitPattern: x.bitPattern) &+ d))
                    values.append(f)
                    values.append(-f)
                }
            }
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 { values.append(Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng))) }
        for _ in 0..<20_000 { values.append(Float.random(in: -600...600, using: &rng)) }
        while values.count % 8 != 0 { values.append(1) }
        var mismatches: [String] = []
        for base in stride(from: 0, to: values.count, by: 8) {
            var v = SIMD8<Float>()
            for i in 0..<8 { v[i] = values[base + i] }
            let codes = Float8E4M3.codes8(v)
            for i in 0..<8 where codes[i] != Float8E4M3(rounding: v[i]).bitPattern && mismatches.count < 10 {
                mismatches.append("\(v[i]) (\(v[i].bitPattern)): \(codes[i]) against \(Float8E4M3(rounding: v[i]).bitPattern)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }
}
