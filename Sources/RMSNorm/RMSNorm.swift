import Synchronization

/// Default `eps`: 1e-6, the value LLaMA-family models use. It keeps an all-zero row finite
/// (rstd = 1/sqrt(eps) = 1000) while changing rows of unit scale by under one part in 10⁶.
public let defaultEpsilon: Float = 1e-6

/// Where an RMSNorm call runs.
public enum Backend: Sendable, Equatable {
    /// The CPU: SIMD on all cores.
    case cpu
    /// The CUDA GPU with this ordinal; throws if the driver, NVRTC or the GPU is missing.
    case cuda(device: Int = 0)
    /// The first GPU when the driver, a device and NVRTC are all usable, else the CPU.
    case automatic
}

/// Why the GPU backend cannot be used here, or nil when it can.
public func cudaUnavailableReason() -> String? {
    switch cudaProbe {
    case .success: return nil
    case .failure(let e): return e.description
    }
}

private let cudaProbe: Result<CUDADevice, CUDAError> = {
    do throws(CUDAError) {
        let device = try CUDADevice.get(0)
        _ = try NVRTC.version()
        return .success(device)
    } catch {
        return .failure(error)
    }
}()

/// Runs `gpu` on the resolved device, or `cpu` when the backend resolves to the CPU. With
/// `.automatic`, a GPU that runs out of memory (`CUDA_ERROR_OUT_OF_MEMORY`) hands the call to the CPU
/// instead: the host-array forms write their results only after the device work succeeded, so nothing
/// partial gets out. Any other error, and out-of-memory with `.cuda`, is thrown.
func runOnBackend<R>(
    _ backend: Backend, gpu: (CUDADevice) throws(RMSNormError) -> R, cpu: () throws(RMSNormError) -> R
) throws(RMSNormError) -> R {
    guard let device = try resolve(backend) else { return try cpu() }
    return try fallingBackOnOutOfMemory(backend, gpu: { () throws(RMSNormError) -> R in try gpu(device) }, cpu: cpu)
}

/// The fallback rule of ``runOnBackend(_:gpu:cpu:)`` on its own (tested without a GPU).
func fallingBackOnOutOfMemory<R>(
    _ backend: Backend, gpu: () throws(RMSNormError) -> R, cpu: () throws(RMSNormError) -> R
) throws(RMSNormError) -> R {
    do {
        return try gpu()
    } catch {
        if backend == .automatic, isOutOfMemory(error) { return try cpu() }
        throw error
    }
}

func isOutOfMemory(_ error: RMSNormError) -> Bool {
    if case .cuda(.driver(let e)) = error { return e.code == CUDADriverError.outOfMemory }
    return false
}

func resolve(_ backend: Backend) throws(RMSNormError) -> CUDADevice? {
    switch backend {
    case .cpu: return nil
    case .automatic: return try? cudaProbe.get()
    case .cuda(let ordinal):
        do {
            let device = try CUDADevice.get(ordinal)
            _ = try NVRTC.version()
            return device
        } catch { throw .backendUnavailable(error.description) }
    }
}

// MARK: - Host arrays

/// Root-mean-square normalisation over the last axis (Zhang & Sennrich 2019, arXiv:1910.07467).
///
/// ```
/// y[r, c] = x[r, c] / sqrt(mean_c(x[r, c]²) + eps) · weight[c]
/// ```
///
/// - Parameters:
///   - x: `M × N` values, row after row (`x.count` must be a multiple of N).
///   - weight: N scale factors; its length defines N. May be `Float` whatever `x` is.
///   - eps: added to the mean square; finite and ≥ 0. Default ``defaultEpsilon``.
///   - backend: where to run. `.automatic` uses the GPU when one is usable.
/// - Returns: y, with the shape and element type of `x`.
/// - Throws: ``RMSNormError`` for bad shapes or `eps`, or when the chosen backend is unusable.
public func rmsNorm<T: RMSNormElement, W: RMSNormElement>(
    _ x: [T], weight: [W], eps: Float = defaultEpsilon, backend: Backend = .automatic
) throws(RMSNormError) -> [T] {
    var y = x
    try rmsNormInPlace(&y, weight: weight, eps: eps, backend: backend)
    return y
}

/// In-place form of ``rmsNorm(_:weight:eps:backend:)``: `x` is overwritten with y.
public func rmsNormInPlace<T: RMSNormElement, W: RMSNormElement>(
    _ x: inout [T], weight: [W], eps: Float = defaultEpsilon, backend: Backend = .automatic
) throws(RMSNormError) {
    let n = weight.count
    guard n > 0 else { throw .invalidShape("weight is empty: N must be at least 1") }
    guard x.count % n == 0 else {
        throw .invalidShape("x has \(x.count) elements, not a whole number of rows of N = \(n) (the weight's length)")
    }
    let rows = x.count / n
    try validateEpsilon(eps)
    guard rows > 0 else { return }
    let result: [T]? = try runOnBackend(backend, gpu: { (device) throws(RMSNormError) -> [T]? in
        let xd = try DeviceMatrix<T>(DeviceBuffer(device: device, copying: x), rows: rows, columns: n)
        let wd = try DeviceBuffer(device: device, copying: weight)
        try rmsNorm(xd, weight: wd, eps: eps, into: xd)
        do throws(CUDAError) { try device.synchronize() } catch { throw .cuda(error) }
        return try xd.buffer.download()
    }, cpu: { () throws(RMSNormError) -> [T]? in nil })
    if let result {
        x = result
        return
    }
    try x.withUnsafeMutableBufferPointer { (xb) throws(RMSNormError) in
        try weight.withUnsafeBufferPointer { (wb) throws(RMSNormError) in
            try rmsNorm(UnsafeBufferPointer(xb), rows: rows, columns: n, weight: wb, eps: eps, into: xb)
        }
    }
}

// MARK: - Host memory, allocation-free (CPU)

/// Allocation-free CPU form over raw buffers, with optional row strides and rstd output.
///
/// - Parameters:
///   - x: at least `(rows − 1) · rowStride + columns` elements.
///   - rowStride: elements between row starts of x (≥ columns; default `columns`).
///   - y: the output, same rules with `outputRowStride`. May be exactly `x` (same base and
///     stride) for an in-place call; any other overlap is refused.
///   - rstd: if given, receives `1 / sqrt(mean(x²) + eps)` per row (fp32), for a backward pass.
public func rmsNorm<T: RMSNormElement, W: RMSNormElement>(
    _ x: UnsafeBufferPointer<T>, rows: Int, columns: Int, rowStride: Int? = nil,
    weight: UnsafeBufferPointer<W>, eps: Float = defaultEpsilon,
    into y: UnsafeMutableBufferPointer<T>, outputRowStride: Int? = nil,
    rstd: UnsafeMutableBufferPointer<Float>? = nil
) throws(RMSNormError) {
    let shape = ProblemShape(
        rows: rows, columns: columns, inputRowStride: rowStride ?? columns, outputRowStride: outputRowStride ?? columns)
    try shape.validate(weightCount: weight.count, eps: eps)
    let xSpan = try ProblemShape.span(rows: rows, columns: columns, stride: shape.inputRowStride)
    let ySpan = try ProblemShape.span(rows: rows, columns: columns, stride: shape.outputRowStride)
    guard x.count >= xSpan else {
        throw .invalidShape("x holds \(x.count) elements but \(rows)×\(columns) with row stride \(shape.inputRowStride) needs \(xSpan)")
    }
    guard y.count >= ySpan else {
        throw .invalidShape("y holds \(y.count) elements but \(rows)×\(columns) with row stride \(shape.outputRowStride) needs \(ySpan)")
    }
    if let rstd, rstd.count < rows {
        throw .invalidShape("rstd holds \(rstd.count) values but there are \(rows) rows")
    }
    guard rows > 0 else { return }
    let size = UInt64(MemoryLayout<T>.stride)
    let xa = UInt64(UInt(bitPattern: x.baseAddress)), ya = UInt64(UInt(bitPattern: y.baseAddress))
    try shape.checkOverlap(inputStart: xa, outputStart: ya, elementSize: Int(size))
    let wa = UInt64(UInt(bitPattern: weight.baseAddress))
    if rangesOverlap(ya, UInt64(ySpan) * size, wa, UInt64(weight.count * MemoryLayout<W>.stride)) {
        throw .overlappingBuffers("the output overlaps the weight; use a separate weight buffer")
    }
    if let rstd {
        let ra = UInt64(UInt(bitPattern: rstd.baseAddress))
        if rangesOverlap(ra, UInt64(rows * 4), ya, UInt64(ySpan) * size)
            || rangesOverlap(ra, UInt64(rows * 4), xa, UInt64(xSpan) * size)
        {
            throw .overlappingBuffers("rstd overlaps x or y; give it its own buffer")
        }
    }
    CPUKernel.forward(
        x: x.baseAddress!, ldx: shape.inputRowStride, w: weight.baseAddress!, y: y.baseAddress!,
        ldy: shape.outputRowStride, rstd: rstd?.baseAddress, rows: rows, columns: columns, eps: eps,
        threads: cpuThreadCount)
}

// MARK: - Device matrices (GPU)

/// GPU form: normalises the rows of `x` into `y`, enqueued on `stream` (asynchronous).
///
/// - Parameters:
///   - x: an `M × N` view; rows may be strided (padded) and start at any element.
///   - weight: exactly N elements, on the same GPU.
///   - y: an `M × N` view on the same GPU; may be `x` itself (in place), else must not overlap it.
///   - rstd: if given, at least M floats; receives `1 / sqrt(mean(x²) + eps)` per row.
///   - stream: where to enqueue; nil for the legacy default stream. On a stream created with
///     `programmaticDependentLaunch: true` (sm_90+) the kernel is launched as a programmatic dependent of
///     the previous kernel (see ``CUDAStream/init(device:programmaticDependentLaunch:)``); so are the
///     variants' and the backward's.
public func rmsNorm<T: RMSNormElement, W: RMSNormElement>(
    _ x: DeviceMatrix<T>, weight: DeviceBuffer<W>, eps: Float = defaultEpsilon,
    into y: DeviceMatrix<T>, rstd: DeviceBuffer<Float>? = nil, stream: CUDAStream? = nil
) throws(RMSNormError) {
    try CUDABackend.forward(x: x, weight: weight, y: y, rstd: rstd, eps: eps, stream: stream)
}

/// GPU form that allocates and returns a dense y.
public func rmsNorm<T: RMSNormElement, W: RMSNormElement>(
    _ x: DeviceMatrix<T>, weight: DeviceBuffer<W>, eps: Float = defaultEpsilon, stream: CUDAStream? = nil
) throws(RMSNormError) -> DeviceMatrix<T> {
    let y = try DeviceMatrix<T>(device: x.device, rows: x.rows, columns: x.columns)
    try rmsNorm(x, weight: weight, eps: eps, into: y, stream: stream)
    return y
}
