// The variants real models use, in the three forms of the plain forward: host arrays (either
// backend), host matrices (CPU, allocation-free) and device matrices (GPU, asynchronous).
//
//   fused residual add   h = round(x + residual) is written back as the new residual, y = RMSNorm(h)
//   weight offset        y = x̂ · (offset + w), Gemma: offset 1 (RMSNormOptions.weightOffset)
//   casting modes        gemma (default), llama, none (RMSNormOptions.casting, see CastingMode)
//   fp8 output           y / scale as float8 e4m3, round to nearest even, saturating at ±448
//   backward             dx = rstd · (w'·dy − x̂ · mean(x̂·w'·dy)) (+ residual gradient), dw = Σ dy · x̂

// MARK: - Host arrays

/// RMSNorm with options (weight offset, casting mode); see ``RMSNormOptions``.
///
/// - Parameters:
///   - x: `M × N` values, row after row; N is `weight.count`.
///   - options: eps, weight offset (Gemma: 1), casting mode.
/// - Returns: y, with the shape and type of x.
public func rmsNorm<T: RMSNormElement, W: RMSNormElement>(
    _ x: [T], weight: [W], options: RMSNormOptions, backend: Backend = .automatic
) throws(RMSNormError) -> [T] {
    try HostArrays.forward(x, residual: nil, weight: weight, options: options, fp8Scale: nil, backend: backend).y
}

/// Fused residual add and RMSNorm, as inference engines run it between layers:
///
/// ```
/// h = x + residual          (fp32 sum, rounded once to T; written back to `residual`)
/// y = RMSNorm(h) · weight
/// ```
///
/// - Parameters:
///   - x: `M × N` values (the layer's output).
///   - residual: `M × N` values; replaced by h.
/// - Returns: y.
public func fusedAddRMSNorm<T: RMSNormElement, W: RMSNormElement>(
    _ x: [T], residual: inout [T], weight: [W], options: RMSNormOptions = .init(), backend: Backend = .automatic
) throws(RMSNormError) -> [T] {
    let r = try HostArrays.forward(x, residual: residual, weight: weight, options: options, fp8Scale: nil, backend: backend)
    residual = r.h
    return r.y
}

/// RMSNorm with y quantised to float8 e4m3 with a static per-tensor scale: `q = e4m3(y / scale)`
/// (round to nearest even, saturating at ±448), so that `y ≈ q · scale` feeds an fp8 matmul.
///
/// In casting modes llama and none, y is rounded to x's type before it is scaled.
/// - Parameter scale: the dequantisation scale; finite and > 0.
public func rmsNormFP8<T: RMSNormElement, W: RMSNormElement>(
    _ x: [T], weight: [W], scale: Float, options: RMSNormOptions = .init(), backend: Backend = .automatic
) throws(RMSNormError) -> [Float8E4M3] {
    try HostArrays.forward(x, residual: nil, weight: weight, options: options, fp8Scale: scale, backend: backend).q
}

/// Fused residual add with fp8 output: `residual ← round(x + residual)`, returns `e4m3(RMSNorm(h) / scale)`.
public func fusedAddRMSNormFP8<T: RMSNormElement, W: RMSNormElement>(
    _ x: [T], residual: inout [T], weight: [W], scale: Float, options: RMSNormOptions = .init(),
    backend: Backend = .automatic
) throws(RMSNormError) -> [Float8E4M3] {
    let r = try HostArrays.forward(x, residual: residual, weight: weight, options: options, fp8Scale: scale, backend: backend)
    residual = r.h
    return r.q
}

/// The backward pass of RMSNorm (and of the fused add: pass the gradient arriving at the new
/// residual as `residualGradient`; dx is then the gradient of both x and the old residual).
///
/// ```
/// x̂ = x · rstd,  w' = weightOffset + w
/// dx = rstd · (w'·dy − x̂ · mean(x̂·w'·dy)) + residualGradient
/// dw = Σ_rows dy · x̂
/// ```
///
/// fp32 arithmetic; dw is summed in a fixed order, so the same inputs give the same bits on every run.
/// - Parameters:
///   - x: the forward's input (for the fused add: h, the residual it wrote).
///   - rstd: the forward's rstd (M floats); nil recomputes it from x in the same pass.
///   - outputGradient: dy, `M × N`.
/// - Returns: dx (x's type) and dw (the weight's type).
public func rmsNormBackward<T: RMSNormElement, W: RMSNormElement>(
    _ x: [T], weight: [W], rstd: [Float]? = nil, outputGradient dy: [T], residualGradient: [T]? = nil,
    options: RMSNormOptions = .init(), backend: Backend = .automatic
) throws(RMSNormError) -> (dx: [T], dw: [W]) {
    try HostArrays.backward(x, weight: weight, rstd: rstd, dy: dy, residualGradient: residualGradient, options: options,
        backend: backend)
}

// MARK: - Host matrices (CPU)

/// CPU form of every forward variant over host matrices (allocation-free apart from one row of
/// fp32 scratch per core). `residual` and `residualOut` come together (fused add); `residualOut`
/// may be exactly `residual` or `x`, and y may be exactly `x` (in place). rstd receives M floats.
public func fusedAddRMSNorm<T: RMSNormElement, W: RMSNormElement>(
    _ x: HostMatrix<T>, residual: HostMatrix<T>?, weight: UnsafeBufferPointer<W>, options: RMSNormOptions = .init(),
    into y: HostMatrix<T>, residualOut: HostMatrix<T>?, rstd: UnsafeMutableBufferPointer<Float>? = nil
) throws(RMSNormError) {
    try CPUEntry.forward(x, residual: residual, residualOut: residualOut, weight: weight, y: y, fp8Scale: nil, rstd: rstd,
        options: options)
}

/// CPU form with options (weight offset, casting mode) over host matrices; y may be exactly x.
public func rmsNorm<T: RMSNormElement, W: RMSNormElement>(
    _ x: HostMatrix<T>, weight: UnsafeBufferPointer<W>, options: RMSNormOptions, into y: HostMatrix<T>,
    rstd: UnsafeMutableBufferPointer<Float>? = nil
) throws(RMSNormError) {
    try CPUEntry.forward(x, residual: nil, residualOut: nil, weight: weight, y: y, fp8Scale: nil, rstd: rstd, options: options)
}

/// CPU form of the fp8 forward (with or without the fused add).
public func rmsNormFP8<T: RMSNormElement, W: RMSNormElement>(
    _ x: HostMatrix<T>, residual: HostMatrix<T>? = nil, weight: UnsafeBufferPointer<W>, scale: Float,
    options: RMSNormOptions = .init(), into y: HostMatrix<Float8E4M3>, residualOut: HostMatrix<T>? = nil,
    rstd: UnsafeMutableBufferPointer<Float>? = nil
) throws(RMSNormError) {
    try CPUEntry.forward(x, residual: residual, residualOut: residualOut, weight: weight, y: y, fp8Scale: scale, rstd: rstd,
        options: options)
}

/// CPU form of the backward pass. dx may be exactly x, dy or the residual gradient (in place).
public func rmsNormBackward<T: RMSNormElement, W: RMSNormElement>(
    _ x: HostMatrix<T>, weight: UnsafeBufferPointer<W>, rstd: UnsafeBufferPointer<Float>? = nil,
    outputGradient dy: HostMatrix<T>, residualGradient: HostMatrix<T>? = nil, options: RMSNormOptions = .init(),
    into dx: HostMatrix<T>, weightGradient dw: UnsafeMutableBufferPointer<W>
) throws(RMSNormError) {
    try validateBackward(
        x: x.view, weight: .vector(address: address(weight), count: weight.count, elementSize: MemoryLayout<W>.stride),
        rstd: rstd.map { .vector(address: address($0), count: $0.count, elementSize: 4) }, dy: dy.view,
        residualGradient: residualGradient?.view, dx: dx.view,
        dw: .vector(address: address(dw), count: dw.count, elementSize: MemoryLayout<W>.stride), options: options)
    CPUVariantKernel.backward(
        x: x, weight: weight.baseAddress!, rstd: rstd?.baseAddress, dy: dy, residualGradient: residualGradient, dx: dx,
        dw: dw.baseAddress!, options: options)
}

// MARK: - Device matrices (GPU)

/// GPU form with options (weight offset, casting mode). y may be exactly x (in place).
public func rmsNorm<T: RMSNormElement, W: RMSNormElement>(
    _ x: DeviceMatrix<T>, weight: DeviceBuffer<W>, options: RMSNormOptions, into y: DeviceMatrix<T>,
    rstd: DeviceBuffer<Float>? = nil, stream: CUDAStream? = nil
) throws(RMSNormError) {
    try CUDABackend.forwardVariant(x: x, residual: nil, residualOut: nil, weight: weight, y: y, fp8Scale: nil, rstd: rstd,
        options: options, stream: stream)
}

/// GPU fused residual add: `residualOut ← round(x + residual)`, `y ← RMSNorm(h)`, one pass (h is
/// never read back from DRAM). In place as inference engines run it: `residualOut` = `residual`
/// and `y` = `x`; `residualOut` may also be `x`.
public func fusedAddRMSNorm<T: RMSNormElement, W: RMSNormElement>(
    _ x: DeviceMatrix<T>, residual: DeviceMatrix<T>, weight: DeviceBuffer<W>, options: RMSNormOptions = .init(),
    into y: DeviceMatrix<T>, residualOut: DeviceMatrix<T>, rstd: DeviceBuffer<Float>? = nil, stream: CUDAStream? = nil
) throws(RMSNormError) {
    try CUDABackend.forwardVariant(x: x, residual: residual, residualOut: residualOut, weight: weight, y: y, fp8Scale: nil,
        rstd: rstd, options: options, stream: stream)
}

/// GPU forward with y as float8 e4m3 (`y / scale`, nearest even, saturating), with or without the fused add.
public func rmsNormFP8<T: RMSNormElement, W: RMSNormElement>(
    _ x: DeviceMatrix<T>, residual: DeviceMatrix<T>? = nil, weight: DeviceBuffer<W>, scale: Float,
    options: RMSNormOptions = .init(), into y: DeviceMatrix<Float8E4M3>, residualOut: DeviceMatrix<T>? = nil,
    rstd: DeviceBuffer<Float>? = nil, stream: CUDAStream? = nil
) throws(RMSNormError) {
    try CUDABackend.forwardVariant(x: x, residual: residual, residualOut: residualOut, weight: weight, y: y,
        fp8Scale: scale, rstd: rstd, options: options, stream: stream)
}

/// GPU backward pass (asynchronous). dw is reduced without atomics (per-block partial rows, then a
/// fixed-order sum), so it is bit-identical from run to run. dx may be exactly x, dy or the residual
/// gradient. Scratch of (blocks × N) floats is taken in stream order from the device's memory pool.
public func rmsNormBackward<T: RMSNormElement, W: RMSNormElement>(
    _ x: DeviceMatrix<T>, weight: DeviceBuffer<W>, rstd: DeviceBuffer<Float>? = nil, outputGradient dy: DeviceMatrix<T>,
    residualGradient: DeviceMatrix<T>? = nil, options: RMSNormOptions = .init(), into dx: DeviceMatrix<T>,
    weightGradient dw: DeviceBuffer<W>, stream: CUDAStream? = nil
) throws(RMSNormError) {
    try CUDABackend.backward(x: x, weight: weight, rstd: rstd, dy: dy, residualGradient: residualGradient, dx: dx, dw: dw,
        options: options, stream: stream)
}

// MARK: - Implementation

func address<E>(_ p: UnsafeBufferPointer<E>) -> UInt64 { UInt64(UInt(bitPattern: p.baseAddress)) }
func address<E>(_ p: UnsafeMutableBufferPointer<E>) -> UInt64 { UInt64(UInt(bitPattern: p.baseAddress)) }

enum CPUEntry {
    static func forward<T: RMSNormElement, W: RMSNormElement, Y>(
        _ x: HostMatrix<T>, residual: HostMatrix<T>?, residualOut: HostMatrix<T>?, weight: UnsafeBufferPointer<W>,
        y: HostMatrix<Y>, fp8Scale: Float?, rstd: UnsafeMutableBufferPointer<Float>?, options: RMSNormOptions
    ) throws(RMSNormError) {
        try validateForward(
            x: x.view, residual: residual?.view, residualOut: residualOut?.view, y: y.view,
            weight: .vector(address: address(weight), count: weight.count, elementSize: MemoryLayout<W>.stride),
            rstd: rstd.map { .vector(address: address($0), count: $0.count, elementSize: 4) }, options: options,
            fp8Scale: fp8Scale)
        guard x.rows > 0 else { return }
        if let fp8Scale {
            let q = HostMatrix<Float8E4M3>(unchecked: UnsafeMutableRawPointer(y.base), rows: y.rows, columns: y.columns,
                rowStride: y.rowStride)
            CPUVariantKernel.forward(x: x, residual: residual, residualOut: residualOut, weight: weight.baseAddress!, y: q,
                rstd: rstd?.baseAddress, options: options, outScale: 1 / fp8Scale)
        } else {
            let out = HostMatrix<SameAsInput<T>>(unchecked: UnsafeMutableRawPointer(y.base), rows: y.rows,
                columns: y.columns, rowStride: y.rowStride)
            CPUVariantKernel.forward(x: x, residual: residual, residualOut: residualOut, weight: weight.baseAddress!, y: out,
                rstd: rstd?.baseAddress, options: options, outScale: 1)
        }
    }
}

extension HostMatrix {
    init(unchecked base: UnsafeMutableRawPointer, rows: Int, columns: Int, rowStride: Int) {
        self.base = base.assumingMemoryBound(to: Element.self)
        self.rows = rows
        self.columns = columns
        self.rowStride = rowStride
    }
}

enum HostArrays {
    struct ForwardResult<T> { var y: [T] = []; var q: [Float8E4M3] = []; var h: [T] = [] }

    static func rowCount(_ count: Int, _ n: Int, _ name: String) throws(RMSNormError) -> Int {
        guard n > 0 else { throw .invalidShape("weight is empty: N must be at least 1") }
        guard count % n == 0 else {
            throw .invalidShape("\(name) has \(count) elements, not a whole number of rows of N = \(n) (the weight's length)")
        }
        return count / n
    }

    static func forward<T: RMSNormElement, W: RMSNormElement>(
        _ x: [T], residual: [T]?, weight: [W], options: RMSNormOptions, fp8Scale: Float?, backend: Backend
    ) throws(RMSNormError) -> ForwardResult<T> {
        let n = weight.count
        let rows = try rowCount(x.count, n, "x")
        if let residual, residual.count != x.count {
            throw .invalidShape("residual has \(residual.count) elements but x has \(x.count); they must match")
        }
        try options.validate()
        if let fp8Scale { try validateScale(fp8Scale) }
        let onGPU: ForwardResult<T>? = try runOnBackend(backend, gpu: { (device) throws(RMSNormError) -> ForwardResult<T>? in
            var result = ForwardResult<T>()
            let xd = try DeviceMatrix<T>(DeviceBuffer(device: device, copying: x), rows: rows, columns: n)
            let wd = try DeviceBuffer(device: device, copying: weight)
            let rd = try residual.map { (r) throws(RMSNormError) in
                try DeviceMatrix<T>(DeviceBuffer(device: device, copying: r), rows: rows, columns: n)
            }
            if let fp8Scale {
                let q = try DeviceMatrix<Float8E4M3>(device: device, rows: rows, columns: n)
                try CUDABackend.forwardVariant(x: xd, residual: rd, residualOut: rd, weight: wd, y: q, fp8Scale: fp8Scale,
                    rstd: nil, options: options, stream: nil)
                do throws(CUDAError) { try device.synchronize() } catch { throw .cuda(error) }
                result.q = try q.buffer.download()
            } else {
                try CUDABackend.forwardVariant(x: xd, residual: rd, residualOut: rd, weight: wd, y: xd, fp8Scale: nil,
                    rstd: nil, options: options, stream: nil)
                do throws(CUDAError) { try device.synchronize() } catch { throw .cuda(error) }
                result.y = try xd.buffer.download()
            }
            if let rd { result.h = try rd.buffer.download() }
            return result
        }, cpu: { () throws(RMSNormError) -> ForwardResult<T>? in nil })
        if let onGPU { return onGPU }
        var result = ForwardResult<T>()
        var y = fp8Scale == nil ? x : []
        var q = [Float8E4M3](repeating: Float8E4M3(bitPattern: 0), count: fp8Scale == nil ? 0 : x.count)
        var h = residual ?? []
        try x.withUnsafeBufferPointer { (xb) throws(RMSNormError) in
            try weight.withUnsafeBufferPointer { (wb) throws(RMSNormError) in
                try h.withUnsafeMutableBufferPointer { (hb) throws(RMSNormError) in
                    let xm = try HostMatrix(xb, rows: rows, columns: n)
                    let hm = residual == nil ? nil : try HostMatrix(hb, rows: rows, columns: n)
                    if let fp8Scale {
                        try q.withUnsafeMutableBufferPointer { (qb) throws(RMSNormError) in
                            try CPUEntry.forward(xm, residual: hm, residualOut: hm, weight: wb, y: HostMatrix(qb, rows: rows, columns: n),
                                fp8Scale: fp8Scale, rstd: nil, options: options)
                        }
                    } else {
                        try y.withUnsafeMutableBufferPointer { (yb) throws(RMSNormError) in
                            try CPUEntry.forward(xm, residual: hm, residualOut: hm, weight: wb, y: HostMatrix(yb, rows: rows, columns: n),
                                fp8Scale: nil, rstd: nil, options: options)
                        }
                    }
                }
            }
        }
        result.y = y
        result.q = q
        result.h = h
        return result
    }

    static func backward<T: RMSNormElement, W: RMSNormElement>(
        _ x: [T], weight: [W], rstd: [Float]?, dy: [T], residualGradient: [T]?, options: RMSNormOptions, backend: Backend
    ) throws(RMSNormError) -> (dx: [T], dw: [W]) {
        let n = weight.count
        let rows = try rowCount(x.count, n, "x")
        guard dy.count == x.count else { throw .invalidShape("dy has \(dy.count) elements but x has \(x.count); they must match") }
        if let r = residualGradient, r.count != x.count {
            throw .invalidShape("residualGradient has \(r.count) elements but x has \(x.count); they must match")
        }
        if let rstd, rstd.count != rows {
            throw .invalidShape("rstd has \(rstd.count) values but x has \(rows) rows; pass the rstd the forward wrote")
        }
        let onGPU: (dx: [T], dw: [W])? = try runOnBackend(backend, gpu: { (device) throws(RMSNormError) -> (dx: [T], dw: [W])? in
            let xd = try DeviceMatrix<T>(DeviceBuffer(device: device, copying: x), rows: rows, columns: n)
            let gd = try DeviceMatrix<T>(DeviceBuffer(device: device, copying: dy), rows: rows, columns: n)
            let wd = try DeviceBuffer(device: device, copying: weight)
            let sd = try rstd.map { (r) throws(RMSNormError) in try DeviceBuffer(device: device, copying: r) }
            let rd = try residualGradient.map { (r) throws(RMSNormError) in
                try DeviceMatrix<T>(DeviceBuffer(device: device, copying: r), rows: rows, columns: n)
            }
            let dwd = try DeviceBuffer<W>(device: device, count: n)
            try CUDABackend.backward(x: xd, weight: wd, rstd: sd, dy: gd, residualGradient: rd, dx: gd, dw: dwd,
                options: options, stream: nil)
            do throws(CUDAError) { try device.synchronize() } catch { throw .cuda(error) }
            return (try gd.buffer.download(), try dwd.download())
        }, cpu: { () throws(RMSNormError) -> (dx: [T], dw: [W])? in nil })
        if let onGPU { return onGPU }
        var dx = dy
        var dw = weight
        try x.withUnsafeBufferPointer { (xb) throws(RMSNormError) in
            try weight.withUnsafeBufferPointer { (wb) throws(RMSNormError) in
                try dx.withUnsafeMutableBufferPointer { (db) throws(RMSNormError) in
                    try dw.withUnsafeMutableBufferPointer { (dwb) throws(RMSNormError) in
                        let dm = try HostMatrix(db, rows: rows, columns: n)
                        let xm = try HostMatrix(xb, rows: rows, columns: n)
                        func run(_ rs: UnsafeBufferPointer<Float>?, _ rg: HostMatrix<T>?) throws(RMSNormError) {
                            try rmsNormBackward(xm, weight: wb, rstd: rs, outputGradient: dm, residualGradient: rg,
                                options: options, into: dm, weightGradient: dwb)
                        }
                        if let residualGradient {
                            try residualGradient.withUnsafeBufferPointer { (rgb) throws(RMSNormError) in
                                let rg = try HostMatrix(rgb, rows: rows, columns: n)
                                if let rstd {
                                    try rstd.withUnsafeBufferPointer { (rsb) throws(RMSNormError) in try run(rsb, rg) }
                                } else { try run(nil, rg) }
                            }
                        } else if let rstd {
                            try rstd.withUnsafeBufferPointer { (rsb) throws(RMSNormError) in try run(rsb, nil) }
                        } else {
                            try run(nil, nil)
                        }
                    }
                }
            }
        }
        return (dx, dw)
    }
}
