import Dispatch

/// What a forward variant writes for y: the input type, or float8 e4m3 after scaling.
protocol NormOutputElement: BitwiseCopyable, SendableMetatype {
    static func make<T: RMSNormElement>(_ value: Float, casting: CastingMode, input: T.Type, outScale: Float) -> Self
    /// Eight results at once into p[0..<8] (default: `make` lane by lane).
    static func make8<T: RMSNormElement>(_ v: SIMD8<Float>, casting: CastingMode, input: T.Type, outScale: Float,
        to p: UnsafeMutablePointer<Self>)
}

extension NormOutputElement {
    @inline(__always)
    static func make8<T: RMSNormElement>(_ v: SIMD8<Float>, casting: CastingMode, input: T.Type, outScale: Float,
        to p: UnsafeMutablePointer<Self>)
    {
        for i in 0..<8 { p[i] = make(v[i], casting: casting, input: T.self, outScale: outScale) }
    }
}

extension Float8E4M3: NormOutputElement {
    @inline(__always)
    static func make<T: RMSNormElement>(_ value: Float, casting: CastingMode, input: T.Type, outScale: Float) -> Float8E4M3 {
        let v = casting == .gemma ? value : T(rounding: value).floatValue
        return Float8E4M3(rounding: v * outScale)
    }
    @inline(__always)
    static func make8<T: RMSNormElement>(_ v: SIMD8<Float>, casting: CastingMode, input: T.Type, outScale: Float,
        to p: UnsafeMutablePointer<Float8E4M3>)
    {
        let w = casting == .gemma ? v : T.round8(v)
        UnsafeMutableRawPointer(p).storeBytes(of: Float8E4M3.codes8(w * outScale), as: SIMD8<UInt8>.self)
    }
}

/// y in the input type itself.
struct SameAsInput<T: RMSNormElement>: NormOutputElement {
    var value: T
    @inline(__always)
    static func make<U: RMSNormElement>(_ value: Float, casting: CastingMode, input: U.Type, outScale: Float) -> Self {
        SameAsInput(value: T(rounding: value))
    }
    @inline(__always)
    static func make8<U: RMSNormElement>(_ v: SIMD8<Float>, casting: CastingMode, input: U.Type, outScale: Float,
        to p: UnsafeMutablePointer<Self>)
    {
        T.store8(v, UnsafeMutableRawPointer(p).assumingMemoryBound(to: T.self))  // one field: T's layout
    }
}

@inline(__always) func load8f(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
@inline(__always) func load8f(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { load8f(UnsafePointer(p)) }
@inline(__always) func store8f(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// The CPU path of the variants (fused add, weight offset, casting modes, fp8 output, backward):
/// fp32 arithmetic, rows split over all cores. Same rules as the GPU kernels.
enum CPUVariantKernel {
    @inline(__always) static func roundIn<T: RMSNormElement>(_ v: Float, _: T.Type) -> Float { T(rounding: v).floatValue }

    /// Σ p[i]·q[i] (Σ p[i]² when q is nil): 8-lane fp32 sums over blocks of 512 elements, blocks
    /// added in Double. The error stays near that of the GPU's tree reductions for rows of any length.
    @inline(__always)
    static func blockedDot(_ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>?, n: Int) -> Float {
        var total = 0.0
        var c = 0
        while c < n {
            let end = min(n, c + 512)
            var acc = SIMD8<Float>()
            while c + 8 <= end {
                let a = UnsafeRawPointer(p + c).loadUnaligned(as: SIMD8<Float>.self)
                let b = q.map { UnsafeRawPointer($0 + c).loadUnaligned(as: SIMD8<Float>.self) } ?? a
                acc += a * b
                c += 8
            }
            var t = acc.sum()
            while c < end { t += p[c] * (q?[c] ?? p[c]); c += 1 }
            total += Double(t)
        }
        return Float(total)
    }

    /// rstd of one row of fp32 values, with the overflow / underflow rescaling of the plain path:
    /// returns (xs, rs, rstdOut) such that x̂ = (x · xs) · rs.
    @inline(__always)
    static func rowScale(_ buf: UnsafePointer<Float>, n: Int, eps: Float) -> (xs: Float, rs: Float, rstd: Float) {
        let ss = blockedDot(buf, nil, n: n)
        let rstd = 1 / (ss / Float(n) + eps).squareRoot()
        if !(ss.isInfinite || (ss < 0x1p-100 && eps < 0x1p-80)) { return (1, rstd, rstd) }
        var m: Float = 0
        for c in 0..<n { m = max(m, abs(buf[c])) }
        let k = (m > 0 && m.isFinite) ? -Int(m.exponent) : 0
        let k1 = k / 2, k2 = k - k / 2
        var s2 = 0.0  // Double: a plain fp32 running sum loses ~1e-5 over 65,536 terms
        for c in 0..<n {
            let t = Float(sign: .plus, exponent: k2, significand: Float(sign: .plus, exponent: k1, significand: buf[c]))
            s2 += Double(t * t)
        }
        let inv = 1 / (s2 / Double(n) + Double(eps) * Double(sign: .plus, exponent: 2 * k, significand: 1)).squareRoot()
        return (Float(sign: .plus, exponent: k1, significand: 1), Float(inv * Double(sign: .plus, exponent: k2, significand: 1)),
            Float(inv * Double(sign: .plus, exponent: k, significand: 1)))
    }

    /// Prespecialised for the usual type pairs and both outputs (see ``backward``).
    @_specialize(where T == Float, W == Float, Y == SameAsInput<Float>)
    @_specialize(where T == BFloat16, W == BFloat16, Y == SameAsInput<BFloat16>)
    @_specialize(where T == BFloat16, W == Float, Y == SameAsInput<BFloat16>)
    @_specialize(where T == Float16, W == Float16, Y == SameAsInput<Float16>)
    @_specialize(where T == Float16, W == Float, Y == SameAsInput<Float16>)
    @_specialize(where T == Float, W == Float, Y == Float8E4M3)
    @_specialize(where T == BFloat16, W == BFloat16, Y == Float8E4M3)
    @_specialize(where T == BFloat16, W == Float, Y == Float8E4M3)
    @_specialize(where T == Float16, W == Float16, Y == Float8E4M3)
    @_specialize(where T == Float16, W == Float, Y == Float8E4M3)
    static func forward<T: RMSNormElement, W: RMSNormElement, Y: NormOutputElement>(
        x: HostMatrix<T>, residual: HostMatrix<T>?, residualOut: HostMatrix<T>?, weight: UnsafePointer<W>,
        y: HostMatrix<Y>, rstd: UnsafeMutablePointer<Float>?, options: RMSNormOptions, outScale: Float
    ) {
        let rows = x.rows, n = x.columns
        let casting = T.dtype == .float32 ? CastingMode.gemma : options.casting
        let offset = options.weightOffset, eps = options.eps
        // The weight once, in fp32 (offset added; rounded to T in mode none).
        var wf = [Float](repeating: 0, count: n)
        for c in 0..<n {
            let v = offset + weight[c].floatValue
            wf[c] = casting == .none ? roundIn(v, T.self) : v
        }
        let workers = rows * n < 262_144 ? 1 : max(1, min(cpuThreadCount, rows))
        wf.withUnsafeBufferPointer { wb in
            let wAddr = UInt(bitPattern: wb.baseAddress!)
            let rAddr = rstd.map { UInt(bitPattern: $0) }
            let body: @Sendable (Int) -> Void = { worker in
                let w = UnsafePointer<Float>(bitPattern: wAddr)!
                let rstd = rAddr.flatMap { UnsafeMutablePointer<Float>(bitPattern: $0) }
                let buf = UnsafeMutablePointer<Float>.allocate(capacity: n)
                defer { buf.deallocate() }
                let lo = rows * worker / workers, hi = rows * (worker + 1) / workers
                for r in lo..<hi {
                    let xr = x.base + r * x.rowStride
                    // 8 lanes at a time, then the tail one by one: the same fp32 operations and roundings per element.
                    var c = 0
                    if let residual, let residualOut {
                        let rr = residual.base + r * residual.rowStride, hr = residualOut.base + r * residualOut.rowStride
                        while c + 8 <= n {
                            T.store8(T.load8(xr + c) + T.load8(rr + c), hr + c)  // both read before h is written
                            store8f(T.load8(hr + c), buf + c)
                            c += 8
                        }
                        while c < n {
                            let h = T(rounding: xr[c].floatValue + rr[c].floatValue)
                            hr[c] = h
                            buf[c] = h.floatValue
                            c += 1
                        }
                    } else {
                        while c + 8 <= n { store8f(T.load8(xr + c), buf + c); c += 8 }
                        while c < n { buf[c] = xr[c].floatValue; c += 1 }
                    }
                    var (xs, rs, rOut) = rowScale(buf, n: n, eps: eps)
                    rstd?[r] = rOut
                    if casting == .none { xs = 1; rs = roundIn(rOut, T.self) }
                    let yr = y.base + r * y.rowStride
                    c = 0
                    while c + 8 <= n {
                        let xhat = (load8f(buf + c) * xs) * rs
                        let v = casting == .gemma ? xhat * load8f(w + c) : T.round8(xhat) * load8f(w + c)
                        Y.make8(v, casting: casting, input: T.self, outScale: outScale, to: yr + c)
                        c += 8
                    }
                    while c < n {
                        let xhat = (buf[c] * xs) * rs
                        let v = casting == .gemma ? xhat * w[c] : roundIn(xhat, T.self) * w[c]
                        yr[c] = Y.make(v, casting: casting, input: T.self, outScale: outScale)
                        c += 1
                    }
                }
            }
            if workers == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: body) }
        }
    }

    /// Rows per dw partial sum: fixed by M alone (never by the core count), so dw has the same bits
    /// on every machine and run.
    static func backwardChunk(rows: Int) -> Int { max(32, (rows + 255) / 256) }

    /// Prespecialised for the usual type pairs: the public entry is generic, and a call from another module
    /// would otherwise run unspecialised code (each element's conversion a witness-table call: 1024 × 4096
    /// bf16 took 58 ms, against 4.4 ms specialised and in SIMD lanes).
    @_specialize(where T == Float, W == Float)
    @_specialize(where T == BFloat16, W == BFloat16)
    @_specialize(where T == BFloat16, W == Float)
    @_specialize(where T == Float16, W == Float16)
    @_specialize(where T == Float16, W == Float)
    static func backward<T: RMSNormElement, W: RMSNormElement>(
        x: HostMatrix<T>, weight: UnsafePointer<W>, rstd: UnsafePointer<Float>?, dy: HostMatrix<T>,
        residualGradient: HostMatrix<T>?, dx: HostMatrix<T>, dw: UnsafeMutablePointer<W>, options: RMSNormOptions
    ) {
        let rows = x.rows, n = x.columns, eps = options.eps
        var wf = [Float](repeating: 0, count: n)
        for c in 0..<n { wf[c] = options.weightOffset + weight[c].floatValue }
        let chunk = backwardChunk(rows: rows)
        let chunks = (rows + chunk - 1) / chunk
        var partial = [Float](repeating: 0, count: chunks * n)
        let workers = rows * n < 262_144 ? 1 : max(1, min(cpuThreadCount, chunks))
        partial.withUnsafeMutableBufferPointer { pb in
            wf.withUnsafeBufferPointer { wb in
                let pAddr = UInt(bitPattern: pb.baseAddress!), wAddr = UInt(bitPattern: wb.baseAddress!)
                let rAddr = rstd.map { UInt(bitPattern: $0) }
                let body: @Sendable (Int) -> Void = { worker in
                    let w = UnsafePointer<Float>(bitPattern: wAddr)!
                    let part = UnsafeMutablePointer<Float>(bitPattern: pAddr)!
                    let rstd = rAddr.flatMap { UnsafePointer<Float>(bitPattern: $0) }
                    let xb = UnsafeMutablePointer<Float>.allocate(capacity: n), gb = UnsafeMutablePointer<Float>.allocate(capacity: n)
                    defer { xb.deallocate(); gb.deallocate() }
                    let clo = chunks * worker / workers, chi = chunks * (worker + 1) / workers
                    for k in clo..<chi {
                        let acc = part + k * n
                        for r in (k * chunk)..<min(rows, (k + 1) * chunk) {
                            let xr = x.base + r * x.rowStride, gr = dy.base + r * dy.rowStride
                            // 8 lanes at a time, then the tail one by one: the same fp32 operations per element.
                            var c = 0
                            while c + 8 <= n {
                                store8f(T.load8(xr + c), xb + c)
                                store8f(load8f(w + c) * T.load8(gr + c), gb + c)
                                c += 8
                            }
                            while c < n { xb[c] = xr[c].floatValue; gb[c] = w[c] * gr[c].floatValue; c += 1 }
                            // rstd (the forward's, or recomputed with its rescaling), then the dot
                            // product over x̂ = x · rstd, as the GPU kernels take it: |x̂| ≤ √N keeps it
                            // in range whenever dx is.
                            let s = rstd?[r] ?? rowScale(xb, n: n, eps: eps).rstd
                            c = 0
                            while c + 8 <= n { store8f(load8f(xb + c) * s, xb + c); c += 8 }
                            while c < n { xb[c] *= s; c += 1 }
                            let kk = blockedDot(xb, gb, n: n) / Float(n)
                            let dr = residualGradient.map { $0.base + r * $0.rowStride }
                            let out = dx.base + r * dx.rowStride
                            c = 0
                            while c + 8 <= n {
                                let xh = load8f(xb + c), g = T.load8(gr + c)
                                var v = s * (load8f(gb + c) - xh * kk)
                                if let dr { v += T.load8(dr + c) }
                                store8f(load8f(acc + c) + g * xh, acc + c)
                                T.store8(v, out + c)
                                c += 8
                            }
                            while c < n {
                                let xh = xb[c], g = gr[c].floatValue
                                var v = s * (gb[c] - xh * kk)
                                if let dr { v += dr[c].floatValue }
                                acc[c] += g * xh
                                out[c] = T(rounding: v)
                                c += 1
                            }
                        }
                    }
                }
                if workers == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: body) }
            }
        }
        for c in 0..<n {
            var s: Float = 0
            for k in 0..<chunks { s += partial[k * n + c] }
            dw[c] = W(rounding: s)
        }
    }
}
