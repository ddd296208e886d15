import RMSNorm

extension Tolerance {
    /// The relative slack of the casting modes llama and none: rstd is checked to 1e-5 (fp32 sums
    /// over long rows), and where `round(x · rstd)` or `round(rstd)` sits on a rounding boundary that
    /// is enough to land on the other side. An element passes when it is within one rounding step of
    /// the mode evaluated with rstd · (1 − δ), rstd or rstd · (1 + δ). Every step of a mode is
    /// monotonic in rstd, so these three cover every rstd in between.
    public static let castingRstdSlack = 1e-5

    /// Gradient error: |v − ref| / (1e-5 · (|ref| + scale) + one rounding step of T at ref), where
    /// `scale` bounds the terms that cancel in the reference (see `RMSNormReference.backward`).
    /// ≤ 1 passes: the fp32 arithmetic is far more precise than 1e-5 of the largest term, and the
    /// output is rounded once.
    public static func gradientError<T: RMSNormElement>(_ value: T, reference: Double, scale: Double) -> Double {
        let v = Double(value.floatValue)
        if reference.isNaN || v.isNaN { return reference.isNaN && v.isNaN ? 0 : .infinity }
        let step: Double
        switch T.dtype {
        case .float32: step = 0x1p-149  // matters for subnormal results only (dx of rows near the fp32 maximum)
        case .float16: step = max(abs(reference), 0x1p-14) * 0x1p-10
        case .bfloat16: step = max(abs(reference), 0x1p-126) * 0x1p-7
        }
        let allowed = 1e-5 * (abs(reference) + scale) + step
        return abs(v - reference) / max(allowed, .leastNormalMagnitude)
    }

    /// Distance in e4m3 codes (ulps of the fp8 grid); NaN matches NaN only.
    public static func fp8Error(_ value: Float8E4M3, reference: Float8E4M3) -> Double {
        if value.isNaN || reference.isNaN { return value.isNaN && reference.isNaN ? 0 : .infinity }
        func ordered(_ b: UInt8) -> Int { b & 0x80 != 0 ? -Int(b & 0x7f) : Int(b) }
        return Double(abs(ordered(value.bitPattern) - ordered(reference.bitPattern)))
    }
}

extension Comparison {
    /// Like ``compare(output:offset:rows:columns:stride:reference:poisonCheck:)`` with several
    /// admissible references: each element's error is its smallest over them.
    public static func compare<T: RMSNormElement>(
        output: [T], offset: Int = 0, rows: Int, columns: Int, stride: Int, references: [[Double]],
        poisonCheck: ((Int) -> Bool)? = nil
    ) -> Comparison {
        generic(count: output.count, offset: offset, rows: rows, columns: columns, stride: stride,
            limit: Tolerance.limit(for: T.dtype), poisonCheck: poisonCheck) { i, j in
            references.map { Tolerance.error(output[i], reference: $0[j]) }.min() ?? .infinity
        }
    }

    /// fp8 output against the reference codes: at most one step of the e4m3 grid.
    public static func compareFP8(
        output: [Float8E4M3], offset: Int = 0, rows: Int, columns: Int, stride: Int, references: [[Float8E4M3]],
        poisonCheck: ((Int) -> Bool)? = nil
    ) -> Comparison {
        generic(count: output.count, offset: offset, rows: rows, columns: columns, stride: stride, limit: 1,
            poisonCheck: poisonCheck) { i, j in
            references.map { Tolerance.fp8Error(output[i], reference: $0[j]) }.min() ?? .infinity
        }
    }

    /// Gradients (dx, dw) with ``Tolerance/gradientError(_:reference:scale:)``.
    public static func compareGradient<T: RMSNormElement>(
        output: [T], offset: Int = 0, rows: Int, columns: Int, stride: Int, reference: [Double], scale: [Double],
        poisonCheck: ((Int) -> Bool)? = nil
    ) -> Comparison {
        generic(count: output.count, offset: offset, rows: rows, columns: columns, stride: stride, limit: 1,
            poisonCheck: poisonCheck) { i, j in
            Tolerance.gradientError(output[i], reference: reference[j], scale: scale[j])
        }
    }

    /// Bit-exact comparison (the fused add's h, which is one correctly rounded sum).
    public static func compareExact<T: RMSNormElement>(
        output: [T], offset: Int = 0, rows: Int, columns: Int, stride: Int, reference: [T],
        poisonCheck: ((Int) -> Bool)? = nil
    ) -> Comparison {
        generic(count: output.count, offset: offset, rows: rows, columns: columns, stride: stride, limit: 0,
            poisonCheck: poisonCheck) { i, j in
            let a = output[i].floatValue, b = reference[j].floatValue
            return a == b || (a.isNaN && b.isNaN) ? 0 : .infinity
        }
    }

    /// The comparison loop every rule shares: `error(i, j)` is the error of output element i against
    /// reference element j (dense); elements of the output outside the view must pass `poisonCheck`.
    @inlinable
    static func generic(
        count: Int, offset: Int, rows: Int, columns: Int, stride: Int, limit: Double, poisonCheck: ((Int) -> Bool)?,
        error: (Int, Int) -> Double
    ) -> Comparison {
        var c = Comparison()
        for r in 0..<rows {
            for col in 0..<columns {
                let e = error(offset + r * stride + col, r * columns + col)
                c.checked += 1
                if !(e <= limit) { c.failures += 1 }
                if e > c.maxError || (e.isNaN && !c.maxError.isNaN) {
                    c.maxError = e
                    c.worstIndex = r * columns + col
                }
            }
        }
        if let poisonCheck {
            for i in 0..<count {
                let rel = i - offset
                let inView = rel >= 0 && rel / stride < rows && rel % stride < columns
                if !inView && !poisonCheck(i) { c.untouchedViolations += 1 }
            }
        }
        return c
    }
}
