extension RMSNormReference {
    /// fp64 reference of every forward variant, row-major dense outputs.
    ///
    /// `h = round(x + residual)` when a residual is given (the value that is normalised and written
    /// back), `rstd = 1 / sqrt(Σ h² / N + eps)` exactly, times `rstdScale` (1, or a neighbour used by
    /// the tolerance rule of the casting modes), and y before its final rounding:
    /// - gemma: `h · rstd · w'`
    /// - llama: `round(h · rstd) · w'`
    /// - none:  `round(h · round(rstd)) · round(w')`
    /// with `w' = weightOffset + w` and `round` to x's type. The product of two 16-bit values is exact
    /// in `Double`, so rounding the returned y once gives the correctly rounded result of the mode.
    public static func forward<T: RMSNormElement, W: RMSNormElement>(
        _ x: UnsafeBufferPointer<T>, residual: UnsafeBufferPointer<T>?, rows: Int, columns: Int, rowStride: Int,
        residualRowStride: Int, weight: UnsafeBufferPointer<W>, options: RMSNormOptions, rstdScale: Double = 1
    ) -> (y: [Double], h: [T], rstd: [Double]) {
        let casting = T.dtype == .float32 ? CastingMode.gemma : options.casting
        func round(_ v: Double) -> Double { Double(T(rounding: v).floatValue) }
        var y = [Double](repeating: 0, count: rows * columns)
        var h = [T]()
        h.reserveCapacity(residual == nil ? 0 : rows * columns)
        var rstd = [Double](repeating: 0, count: rows)
        var row = [Double](repeating: 0, count: columns)
        for r in 0..<rows {
            var sum = 0.0
            for c in 0..<columns {
                var v = Double(x[r * rowStride + c].floatValue)
                if let residual {
                    let hv = T(rounding: v + Double(residual[r * residualRowStride + c].floatValue))
                    h.append(hv)
                    v = Double(hv.floatValue)
                }
                row[c] = v
                sum += v * v
            }
            let s = 1.0 / (sum / Double(columns) + Double(options.eps)).squareRoot()
            rstd[r] = s
            let sr = s * rstdScale
            for c in 0..<columns {
                let w = Double(options.weightOffset) + Double(weight[c].floatValue)
                let v: Double
                switch casting {
                case .gemma: v = row[c] * sr * w
                case .llama: v = round(row[c] * sr) * w
                case .none: v = round(row[c] * round(sr)) * round(w)
                }
                y[r * columns + c] = v
            }
        }
        return (y, h, rstd)
    }

    /// The fp8 value the reference gives for a y of `forward(...)`: in modes llama and none y is in
    /// the input type first; then y / scale, rounded to nearest even and saturated at ±448.
    public static func float8<T: RMSNormElement>(_ y: Double, scale: Float, casting: CastingMode, input: T.Type) -> Float8E4M3 {
        let v = (casting == .gemma || T.dtype == .float32) ? y : Double(T(rounding: y).floatValue)
        return Float8E4M3(rounding: v / Double(scale))
    }

    /// fp64 reference of the backward pass, with the scales its tolerance rule needs.
    ///
    /// rstd is recomputed exactly from x. `dx = rstd · (w'·dy − x̂ · mean(x̂·w'·dy)) + dres`,
    /// `dw = Σ_rows dy · x̂`. `dxScale[i] = rstd · (|w'·dy| + |x̂| · mean(|x̂·w'·dy|)) + |dres|` bounds
    /// the terms that cancel in dx (the mean of magnitudes, since the row sum itself may cancel);
    /// `dwScale[c] = Σ_rows |dy · x̂|` does the same for dw.
    public static func backward<T: RMSNormElement, W: RMSNormElement>(
        _ x: UnsafeBufferPointer<T>, rows: Int, columns: Int, rowStride: Int, weight: UnsafeBufferPointer<W>,
        dy: UnsafeBufferPointer<T>, dyRowStride: Int, residualGradient: UnsafeBufferPointer<T>?, residualRowStride: Int,
        options: RMSNormOptions
    ) -> (dx: [Double], dxScale: [Double], dw: [Double], dwScale: [Double], rstd: [Double]) {
        var dx = [Double](repeating: 0, count: rows * columns), dxScale = dx
        var dw = [Double](repeating: 0, count: columns), dwScale = dw
        var rstd = [Double](repeating: 0, count: rows)
        let w = (0..<columns).map { Double(options.weightOffset) + Double(weight[$0].floatValue) }
        for r in 0..<rows {
            var sum = 0.0
            for c in 0..<columns { let v = Double(x[r * rowStride + c].floatValue); sum += v * v }
            let s = 1.0 / (sum / Double(columns) + Double(options.eps)).squareRoot()
            rstd[r] = s
            var dot = 0.0, magnitude = 0.0
            for c in 0..<columns {
                let t = Double(x[r * rowStride + c].floatValue) * s * w[c] * Double(dy[r * dyRowStride + c].floatValue)
                dot += t
                magnitude += abs(t)
            }
            let mean = dot / Double(columns), meanMagnitude = magnitude / Double(columns)
            for c in 0..<columns {
                let xhat = Double(x[r * rowStride + c].floatValue) * s
                let g = Double(dy[r * dyRowStride + c].floatValue)
                var v = s * (w[c] * g - xhat * mean)
                var scale = s * (abs(w[c] * g) + abs(xhat) * meanMagnitude)
                if let residualGradient {
                    let d = Double(residualGradient[r * residualRowStride + c].floatValue)
                    v += d
                    scale += abs(d)
                }
                dx[r * columns + c] = v
                dxScale[r * columns + c] = scale
                dw[c] += g * xhat
                dwScale[c] += abs(g * xhat)
            }
        }
        return (dx, dxScale, dw, dwScale, rstd)
    }
}
