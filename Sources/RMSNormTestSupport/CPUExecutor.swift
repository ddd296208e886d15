import RMSNorm

/// Runs the variants on the CPU through the host-matrix API (the views the case describes).
public struct CPUExecutor: VariantExecutor {
    public init() {}

    public func forward<T: RMSNormElement, W: RMSNormElement>(_ i: ForwardInputs<T, W>, _ o: inout ForwardOutputs<T>) throws {
        var x = i.x
        var residual = i.residual ?? []
        let m = i.rows, n = i.columns, ld = i.stride, off = i.offset
        try i.weight.withUnsafeBufferPointer { wb in
            try o.rstd.withUnsafeMutableBufferPointer { rb in
                try x.withUnsafeMutableBufferPointer { xb in
                    try residual.withUnsafeMutableBufferPointer { resb in
                        let xm = try HostMatrix(UnsafeMutableBufferPointer(rebasing: xb[off...]), rows: m, columns: n, rowStride: ld)
                        // In place: the outputs are the input buffers themselves.
                        let rm = i.residual == nil ? nil
                            : try HostMatrix(UnsafeMutableBufferPointer(rebasing: resb[off...]), rows: m, columns: n, rowStride: ld)
                        try o.h.withUnsafeMutableBufferPointer { hb in
                            let hm = i.residual == nil ? nil
                                : i.inPlace ? rm : try HostMatrix(UnsafeMutableBufferPointer(rebasing: hb[off...]), rows: m, columns: n, rowStride: ld)
                            if let scale = i.fp8Scale {
                                try o.q.withUnsafeMutableBufferPointer { qb in
                                    let qm = try HostMatrix(UnsafeMutableBufferPointer(rebasing: qb[off...]), rows: m, columns: n, rowStride: ld)
                                    try rmsNormFP8(xm, residual: rm, weight: wb, scale: scale, options: i.options, into: qm,
                                        residualOut: hm, rstd: rb)
                                }
                            } else {
                                try o.y.withUnsafeMutableBufferPointer { yb in
                                    let ym = i.inPlace ? xm : try HostMatrix(UnsafeMutableBufferPointer(rebasing: yb[off...]), rows: m, columns: n, rowStride: ld)
                                    if let rm, let hm {
                                        try fusedAddRMSNorm(xm, residual: rm, weight: wb, options: i.options, into: ym,
                                            residualOut: hm, rstd: rb)
                                    } else {
                                        try rmsNorm(xm, weight: wb, options: i.options, into: ym, rstd: rb)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if i.inPlace {
            if i.fp8Scale == nil { o.y = x }
            if i.residual != nil { o.h = residual }
        }
    }

    public func backward<T: RMSNormElement, W: RMSNormElement>(_ i: BackwardInputs<T, W>, dx: inout [T]) throws -> [W] {
        var dy = i.dy
        var dw = [W](repeating: W(rounding: Float.nan), count: i.columns)
        let m = i.rows, n = i.columns, ld = i.stride, off = i.offset
        try i.x.withUnsafeBufferPointer { xb in
            try i.weight.withUnsafeBufferPointer { wb in
                try dy.withUnsafeMutableBufferPointer { gb in
                    try dx.withUnsafeMutableBufferPointer { db in
                        try dw.withUnsafeMutableBufferPointer { dwb in
                            let xm = try HostMatrix(UnsafeBufferPointer(rebasing: xb[off...]), rows: m, columns: n, rowStride: ld)
                            let gm = try HostMatrix(UnsafeMutableBufferPointer(rebasing: gb[off...]), rows: m, columns: n, rowStride: ld)
                            let dm = i.inPlace ? gm : try HostMatrix(UnsafeMutableBufferPointer(rebasing: db[off...]), rows: m, columns: n, rowStride: ld)
                            try (i.residualGradient ?? []).withUnsafeBufferPointer { rb in
                                let rgm = i.residualGradient == nil ? nil
                                    : try HostMatrix(UnsafeBufferPointer(rebasing: rb[off...]), rows: m, columns: n, rowStride: ld)
                                if let rstd = i.rstd {
                                    try rstd.withUnsafeBufferPointer { sb in
                                        try rmsNormBackward(xm, weight: wb, rstd: sb, outputGradient: gm, residualGradient: rgm,
                                            options: i.options, into: dm, weightGradient: dwb)
                                    }
                                } else {
                                    try rmsNormBackward(xm, weight: wb, rstd: nil, outputGradient: gm, residualGradient: rgm,
                                        options: i.options, into: dm, weightGradient: dwb)
                                }
                            }
                        }
                    }
                }
            }
        }
        if i.inPlace { dx = dy }
        return dw
    }
}
