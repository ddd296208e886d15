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
}
