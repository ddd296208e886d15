/// The fp64 reference: plain, obviously right, and the oracle for every test.
///
/// For each row r: `rstd[r] = 1 / sqrt(Σ_c x[r,c]² / N + eps)` and
/// `y[r,c] = x[r,c] · rstd[r] · w[c]`, all in `Double`, rounded once to the output type.
public enum RMSNormReference {
    /// Normalises `rows` rows of `columns` elements; returns y (densely packed, `Double`) and rstd.
    @inlinable
    public static func forward<T: RMSNormElement, W: RMSNormElement>(
        _ x: UnsafeBufferPointer<T>, rows: Int, columns: Int, rowStride: Int,
        weight: UnsafeBufferPointer<W>, eps: Float
    ) -> (y: [Double], rstd: [Double]) {
        var y = [Double](repeating: 0, count: rows * columns)
        var rstd = [Double](repeating: 0, count: rows)
        for r in 0..<rows {
            var sum = 0.0
            for c in 0..<columns {
                let v = Double(x[r * rowStride + c].floatValue)
                sum += v * v
            }
            let s = 1.0 / (sum / Double(columns) + Double(eps)).squareRoot()
            rstd[r] = s
            for c in 0..<columns {
                y[r * columns + c] = Double(x[r * rowStride + c].floatValue) * s * Double(weight[c].floatValue)
            }
        }
        return (y, rstd)
    }

    /// Convenience over arrays: x holds rows of `weight.count` elements, densely packed.
    @inlinable
    public static func forward<T: RMSNormElement, W: RMSNormElement>(
        _ x: [T], weight: [W], eps: Float = defaultEpsilon
    ) -> (y: [Double], rstd: [Double]) {
        let n = weight.count
        return x.withUnsafeBufferPointer { xb in
            weight.withUnsafeBufferPointer { wb in
                forward(xb, rows: n == 0 ? 0 : x.count / n, columns: n, rowStride: n, weight: wb, eps: eps)
            }
        }
    }
}
