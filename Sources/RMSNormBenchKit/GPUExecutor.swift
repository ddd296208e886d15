import RMSNorm
import RMSNormTestSupport

/// Runs the variants on the GPU through the device-matrix API: every operand uploaded whole (so the
/// poisoned elements around each view are there to be checked), views at the case's offset and stride.
struct GPUExecutor: VariantExecutor {
    let device: CUDADevice

    func matrix<E>(_ b: DeviceBuffer<E>, rows: Int, columns: Int, stride: Int, offset: Int) throws -> DeviceMatrix<E> {
        try DeviceMatrix(b, rows: rows, columns: columns, rowStride: stride, offset: offset)
    }

    func forward<T: RMSNormElement, W: RMSNormElement>(_ i: ForwardInputs<T, W>, _ o: inout ForwardOutputs<T>) throws {
        let m = i.rows, n = i.columns, ld = i.stride, off = i.offset
        let xb = try DeviceBuffer(device: device, copying: i.x)
        let wb = try DeviceBuffer(device: device, copying: i.weight)
        let rb = try i.residual.map { try DeviceBuffer(device: device, copying: $0) }
        let rstd = try DeviceBuffer(device: device, copying: o.rstd)
        let xm = try matrix(xb, rows: m, columns: n, stride: ld, offset: off)
        let rm = try rb.map { try matrix($0, rows: m, columns: n, stride: ld, offset: off) }
        let hb = try i.residual == nil || i.inPlace ? nil : DeviceBuffer(device: device, copying: o.h)
        let hm = try i.inPlace ? rm : hb.map { try matrix($0, rows: m, columns: n, stride: ld, offset: off) }
        if let scale = i.fp8Scale {
            let qb = try DeviceBuffer(device: device, copying: o.q)
            try rmsNormFP8(xm, residual: rm, weight: wb, scale: scale, options: i.options,
                into: matrix(qb, rows: m, columns: n, stride: ld, offset: off), residualOut: hm, rstd: rstd)
            try device.synchronize()
            o.q = try qb.download()
        } else {
            let yb = i.inPlace ? xb : try DeviceBuffer(device: device, copying: o.y)
            let ym = try matrix(yb, rows: m, columns: n, stride: ld, offset: off)
            if let rm, let hm {
                try fusedAddRMSNorm(xm, residual: rm, weight: wb, options: i.options, into: ym, residualOut: hm, rstd: rstd)
            } else {
                try rmsNorm(xm, weight: wb, options: i.options, into: ym, rstd: rstd)
            }
            try device.synchronize()
            o.y = try yb.download()
        }
        if let h = i.inPlace ? rb : hb { o.h = try h.download() }
        o.rstd = try rstd.download()
    }

    func backward<T: RMSNormElement, W: RMSNormElement>(_ i: BackwardInputs<T, W>, dx: inout [T]) throws -> [W] {
        let m = i.rows, n = i.columns, ld = i.stride, off = i.offset
        let xb = try DeviceBuffer(device: device, copying: i.x)
        let wb = try DeviceBuffer(device: device, copying: i.weight)
        let gb = try DeviceBuffer(device: device, copying: i.dy)
        let sb = try i.rstd.map { try DeviceBuffer(device: device, copying: $0) }
        let rgb = try i.residualGradient.map { try DeviceBuffer(device: device, copying: $0) }
        let db = i.inPlace ? gb : try DeviceBuffer(device: device, copying: dx)
        let dwb = try DeviceBuffer(device: device, copying: [W](repeating: W(rounding: Float.nan), count: n))
        try rmsNormBackward(
            matrix(xb, rows: m, columns: n, stride: ld, offset: off), weight: wb, rstd: sb,
            outputGradient: matrix(gb, rows: m, columns: n, stride: ld, offset: off),
            residualGradient: rgb.map { try matrix($0, rows: m, columns: n, stride: ld, offset: off) }, options: i.options,
            into: matrix(db, rows: m, columns: n, stride: ld, offset: off), weightGradient: dwb)
        try device.synchronize()
        dx = try db.download()
        return try dwb.download()
    }
}
