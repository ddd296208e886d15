import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The fast CPU path: 8-wide SIMD in fp32, one pass per row while it is in cache
// (sum of squares, then scale), rows split over all cores.

extension RMSNormElement {
    @inline(__always) static func load8(_ p: UnsafePointer<Self>) -> SIMD8<Float> {
        switch dtype {
        case .float32:
            return UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
        case .bfloat16:
            let h = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt16>.self)
            return unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: h) &<< 16, to: SIMD8<Float>.self)
        case .float16:
            // In the integer lanes: the magnitude's bits moved into a float's places and scaled by 2^112 (exact for
            // normal and subnormal halves alike), then Inf/NaN (exponent 31) and the sign set. (A table lookup, 8
            // gathers, or 8 soft-float conversions ran the fp16 CPU path at a third of fp32's speed.)
            let h = SIMD8<UInt32>(truncatingIfNeeded: UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt16>.self))
            let mag = (h & 0x7fff) &<< 13
            let scaled = unsafeBitCast(unsafeBitCast(mag, to: SIMD8<Float>.self) * 0x1p112, to: SIMD8<UInt32>.self)
            let bits = laneSelect(((h & 0x7c00) &+ 0x400) &>> 15, mag | 0x7f80_0000, scaled)  // exponent 31: Inf, NaN
            return unsafeBitCast(bits | ((h & 0x8000) &<< 16), to: SIMD8<Float>.self)
        }
    }

    @inline(__always) static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Self>) {
        switch dtype {
        case .float32:
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
        case .bfloat16:
            // Round to nearest even in the integer lanes; NaN stays NaN (quiet).
            let u = unsafeBitCast(v, to: SIMD8<UInt32>.self)
            let rounded = (u &+ (0x7fff &+ ((u &>> 16) & 1))) &>> 16
            let bits = laneSelect(laneBelow(SIMD8(repeating: 0x7f80_0000), u & 0x7fff_ffff), (u &>> 16) | 0x40, rounded)
            UnsafeMutableRawPointer(p).storeBytes(of: SIMD8<UInt16>(truncatingIfNeeded: bits), as: SIMD8<UInt16>.self)
        case .float16:
            // Round to nearest even in the integer lanes: normal results by adding the rounding bias below bit 13
            // and rebiasing the exponent; subnormal ones by adding 0.5 (the FPU rounds the mantissa into place);
            // at or above 65,520 (after rounding) Inf, NaN a quiet NaN; the sign put back.
            let u = unsafeBitCast(v, to: SIMD8<UInt32>.self)
            let sign = (u & 0x8000_0000) &>> 16
            let a = u & 0x7fff_ffff
            let normal = (a &+ (0xc800_0fff &+ ((a &>> 13) & 1))) &>> 13  // 0xc8000000: (15 − 127) << 23
            let denormal = unsafeBitCast(unsafeBitCast(a, to: SIMD8<Float>.self) + 0.5, to: SIMD8<UInt32>.self) &- 0x3f00_0000
            var bits = laneSelect(laneBelow(a, SIMD8(repeating: 0x3880_0000)), denormal, normal)  // below 2^-14, the smallest normal half
            bits = laneSelect(1 &- laneBelow(a, SIMD8(repeating: 0x4780_0000)), SIMD8(repeating: 0x7c00), bits)  // from 2^16: Inf
            bits = laneSelect(laneBelow(SIMD8(repeating: 0x7f80_0000), a), SIMD8(repeating: 0x7e00), bits)  // NaN
            UnsafeMutableRawPointer(p).storeBytes(of: SIMD8<UInt16>(truncatingIfNeeded: bits | sign), as: SIMD8<UInt16>.self)
        }
    }
}

extension RMSNormElement {
    /// Each lane rounded to this type and widened again (`T(rounding:).floatValue` eight at a time).
    @inline(__always) static func round8(_ v: SIMD8<Float>) -> SIMD8<Float> {
        if dtype == .float32 { return v }
        var tmp = SIMD8<UInt16>()
        return withUnsafeMutableBytes(of: &tmp) { raw in
            let p = raw.baseAddress!.assumingMemoryBound(to: Self.self)
            store8(v, p)
            return load8(p)
        }
    }
}

// Lane masks in integer arithmetic: the standard library's SIMD comparisons and `replace(with:where:)` run an
// element at a time (6.5 ns an element for the bf16 store, against 0.46 with these; a micro-benchmark, session 14).
/// 1 where a < b, else 0, for a and b below 2^31.
@inline(__always) func laneBelow(_ a: SIMD8<UInt32>, _ b: SIMD8<UInt32>) -> SIMD8<UInt32> { (a &- b) &>> 31 }
/// `a` where `bit` is 1, `b` where it is 0.
@inline(__always) func laneSelect(_ bit: SIMD8<UInt32>, _ a: SIMD8<UInt32>, _ b: SIMD8<UInt32>) -> SIMD8<UInt32> {
    let m = SIMD8<UInt32>(repeating: 0) &- bit
    return (a & m) | (b & ~m)
}

enum CPUKernel {
    /// Normalises one row; returns its rstd.
    /// `buf` (16-bit types): n floats of scratch that keep the row converted between the two passes, so each
    /// element is widened once (fp16's widening in integer lanes is the bound of this path).
    @inline(__always)
    static func row<T: RMSNormElement, W: RMSNormElement>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ w: UnsafePointer<W>, n: Int, eps: Float,
        buf: UnsafeMutablePointer<Float>?
    ) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
        var c = 0
        while c + 16 <= n {
            let v0 = T.load8(x + c), v1 = T.load8(x + c + 8)
            if let buf {
                UnsafeMutableRawPointer(buf + c).storeBytes(of: v0, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(buf + c + 8).storeBytes(of: v1, as: SIMD8<Float>.self)
            }
            a0 += v0 * v0
            a1 += v1 * v1
            c += 16
        }
        if c + 8 <= n {
            let v = T.load8(x + c)
            if let buf { UnsafeMutableRawPointer(buf + c).storeBytes(of: v, as: SIMD8<Float>.self) }
            a0 += v * v
            c += 8
        }
        var ss = (a0 + a1).sum()
        while c < n { let v = x[c].floatValue; ss += v * v; c += 1 }

        var rstd = 1 / (ss / Float(n) + eps).squareRoot()
        var xs: Float = 1, rstdOut = rstd
        // The sum overflowed (|x| near Float's maximum) or underflowed while eps cannot dominate
        // (|x| below ~1e-19, eps ~0): sum again scaled by 2^k, with 2^k · max|x| in [1, 2). The same
        // rule as the GPU kernels (`needs_rescale` in rmsnorm.cu).
        if ss.isInfinite || (ss < 0x1p-100 && eps < 0x1p-80) {
            var m: Float = 0
            for i in 0..<n { m = max(m, abs(x[i].floatValue)) }
            let k = (m > 0 && m.isFinite) ? -Int(m.exponent) : 0
            let k1 = k / 2, k2 = k - k / 2
            var s2 = 0.0  // Double: a plain fp32 running sum loses ~1e-5 over 65,536 terms
            for i in 0..<n {
                let t = Float(sign: .plus, exponent: k2, significand: Float(sign: .plus, exponent: k1, significand: x[i].floatValue))
                s2 += Double(t * t)
            }
            let inv = 1 / (s2 / Double(n) + Double(eps) * Double(sign: .plus, exponent: 2 * k, significand: 1)).squareRoot()
            xs = Float(sign: .plus, exponent: k1, significand: 1)
            rstd = Float(inv * Double(sign: .plus, exponent: k2, significand: 1))
            rstdOut = Float(inv * Double(sign: .plus, exponent: k, significand: 1))
        }

        let r = SIMD8<Float>(repeating: rstd), s = SIMD8<Float>(repeating: xs)
        c = 0
        while c + 8 <= n {
            let v = buf.map { UnsafeRawPointer($0 + c).loadUnaligned(as: SIMD8<Float>.self) } ?? T.load8(x + c)
            T.store8((v * s) * r * W.load8(w + c), y + c)
            c += 8
        }
        while c < n { y[c] = T(rounding: (x[c].floatValue * xs) * rstd * w[c].floatValue); c += 1 }
        return rstdOut
    }

    /// Entry point: rebinds the pointers to the concrete element types so that the row loop is
    /// specialised (a generic call from another module would otherwise run unspecialised code).
    static func forward<T: RMSNormElement, W: RMSNormElement>(
        x: UnsafePointer<T>, ldx: Int, w: UnsafePointer<W>, y: UnsafeMutablePointer<T>, ldy: Int,
        rstd: UnsafeMutablePointer<Float>?, rows: Int, columns: Int, eps: Float, threads: Int
    ) {
        func run<A: RMSNormElement, B: RMSNormElement>(_: A.Type, _: B.Type) {
            forwardSpecialized(
                x: UnsafeRawPointer(x).assumingMemoryBound(to: A.self), ldx: ldx,
                w: UnsafeRawPointer(w).assumingMemoryBound(to: B.self),
                y: UnsafeMutableRawPointer(y).assumingMemoryBound(to: A.self), ldy: ldy,
                rstd: rstd, rows: rows, columns: columns, eps: eps, threads: threads)
        }
        switch (T.dtype, W.dtype) {
        case (.float32, .float32): run(Float.self, Float.self)
        case (.float32, .float16): run(Float.self, Float16.self)
        case (.float32, .bfloat16): run(Float.self, BFloat16.self)
        case (.float16, .float32): run(Float16.self, Float.self)
        case (.float16, .float16): run(Float16.self, Float16.self)
        case (.float16, .bfloat16): run(Float16.self, BFloat16.self)
        case (.bfloat16, .float32): run(BFloat16.self, Float.self)
        case (.bfloat16, .float16): run(BFloat16.self, Float16.self)
        case (.bfloat16, .bfloat16): run(BFloat16.self, BFloat16.self)
        }
    }

    /// All rows, split over `threads` cores (1 for small inputs, where threads cost more than they save).
    @_specialize(where T == Float, W == Float)
    @_specialize(where T == BFloat16, W == BFloat16)
    @_specialize(where T == BFloat16, W == Float)
    @_specialize(where T == Float16, W == Float16)
    @_specialize(where T == Float16, W == Float)
    static func forwardSpecialized<T: RMSNormElement, W: RMSNormElement>(
        x: UnsafePointer<T>, ldx: Int, w: UnsafePointer<W>, y: UnsafeMutablePointer<T>, ldy: Int,
        rstd: UnsafeMutablePointer<Float>?, rows: Int, columns: Int, eps: Float, threads: Int
    ) {
        // Below ~256 K elements one core finishes before others would start.
        let workers = rows * columns < 262_144 ? 1 : max(1, min(threads, rows))
        // A 16-bit weight widened once per call rather than once per row (the same values: widening is exact).
        let wide: UnsafeMutablePointer<Float>? = W.dtype == .float32 || rows < 2 ? nil : .allocate(capacity: columns)
        defer { wide?.deallocate() }
        if let wide { for c in 0..<columns { wide[c] = w[c].floatValue } }
        let xs = UInt(bitPattern: x), ys = UInt(bitPattern: y), ws = UInt(bitPattern: w)
        let wides = wide.map { UInt(bitPattern: $0) }
        let rs = rstd.map { UInt(bitPattern: $0) }
        let body: @Sendable (Int) -> Void = { worker in
            let x = UnsafePointer<T>(bitPattern: xs)!, y = UnsafeMutablePointer<T>(bitPattern: ys)!
            let w = UnsafePointer<W>(bitPattern: ws)!
            let wide = wides.flatMap { UnsafePointer<Float>(bitPattern: $0) }
            let rstd = rs.flatMap { UnsafeMutablePointer<Float>(bitPattern: $0) }
            let lo = rows * worker / workers, hi = rows * (worker + 1) / workers
            let buf = T.dtype == .float32 ? nil : UnsafeMutablePointer<Float>.allocate(capacity: columns)
            defer { buf?.deallocate() }
            for r in lo..<hi {
                let s = wide.map { row(x + r * ldx, y + r * ldy, $0, n: columns, eps: eps, buf: buf) }
                    ?? row(x + r * ldx, y + r * ldy, w, n: columns, eps: eps, buf: buf)
                rstd?[r] = s
            }
        }
        if workers == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: body) }
    }
}

/// Cores used by the CPU backend; `RMSNORM_CPU_THREADS` overrides.
let cpuThreadCount: Int = {
    if let v = environmentVariable("RMSNORM_CPU_THREADS"), let n = Int(v), n > 0 { return n }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
}()
