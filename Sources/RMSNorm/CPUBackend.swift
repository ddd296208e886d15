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
            // Table lookup: 8 gathers beat 8 calls to the soft-float conversion.
            let h = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt16>.self)
            return half2float.withUnsafeBufferPointer { t in
                SIMD8<Float>(t[Int(h[0])], t[Int(h[1])], t[Int(h[2])], t[Int(h[3])],
                    t[Int(h[4])], t[Int(h[5])], t[Int(h[6])], t[Int(h[7])])
            }
        }
    }

    @inline(__always) static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Self>) {
        switch dtype {
        case .float32:
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
        case .bfloat16:
            let out = UnsafeMutableRawPointer(p).assumingMemoryBound(to: UInt16.self)
            for i in 0..<8 {
                let u = v[i].bitPattern
                let rounded = UInt16(truncatingIfNeeded: (u &+ (0x7fff &+ ((u >> 16) & 1))) >> 16)
                out[i] = (u & 0x7fff_ffff) > 0x7f80_0000 ? UInt16(truncatingIfNeeded: u >> 16) | 0x40 : rounded
            }
        case .float16:
            for i in 0..<8 { p[i] = Self(rounding: v[i]) }
        }
    }
}

/// Every fp16 bit pattern as a Float (256 KB), for the CPU path's loads.
let half2float: [Float] = (0..<65536).map { Float(Float16(bitPattern: UInt16($0))) }

enum CPUKernel {
    /// Normalises one row; returns its rstd.
    @inline(__always)
    static func row<T: RMSNormElement, W: RMSNormElement>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ w: UnsafePointer<W>, n: Int, eps: Float
    ) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
        var c = 0
        while c + 16 <= n {
            let v0 = T.load8(x + c), v1 = T.load8(x + c + 8)
            a0 += v0 * v0
            a1 += v1 * v1
            c += 16
        }
        if c + 8 <= n { let v = T.load8(x + c); a0 += v * v; c += 8 }
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
            T.store8((T.load8(x + c) * s) * r * W.load8(w + c), y + c)
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
        let xs = UInt(bitPattern: x), ys = UInt(bitPattern: y), ws = UInt(bitPattern: w)
        let rs = rstd.map { UInt(bitPattern: $0) }
        let body: @Sendable (Int) -> Void = { worker in
            let x = UnsafePointer<T>(bitPattern: xs)!, y = UnsafeMutablePointer<T>(bitPattern: ys)!
            let w = UnsafePointer<W>(bitPattern: ws)!
            let rstd = rs.flatMap { UnsafeMutablePointer<Float>(bitPattern: $0) }
            let lo = rows * worker / workers, hi = rows * (worker + 1) / workers
            for r in lo..<hi {
                let s = row(x + r * ldx, y + r * ldy, w, n: columns, eps: eps)
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
