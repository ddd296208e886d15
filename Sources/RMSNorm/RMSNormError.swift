@_exported import _CUDA

/// Why an RMSNorm call was refused or failed. Nothing is written when one is thrown
/// for bad input.
public enum RMSNormError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The shape, strides or buffer sizes do not fit together.
    case invalidShape(String)
    /// `eps` (or another scalar) is negative, NaN or infinite.
    case invalidArgument(String)
    /// Output overlaps input other than exactly in place.
    case overlappingBuffers(String)
    /// Buffers live on different GPUs.
    case deviceMismatch(String)
    /// The requested backend cannot run here; the text says what to install.
    case backendUnavailable(String)
    /// A CUDA driver or NVRTC failure.
    case cuda(CUDAError)

    public var description: String {
        switch self {
        case .invalidShape(let s): return "invalid shape: \(s)"
        case .invalidArgument(let s): return "invalid argument: \(s)"
        case .overlappingBuffers(let s): return "overlapping buffers: \(s)"
        case .deviceMismatch(let s): return "device mismatch: \(s)"
        case .backendUnavailable(let s): return "backend unavailable: \(s)"
        case .cuda(let e): return "CUDA error: \(e)"
        }
    }
}

/// The shape of one RMSNorm call: `rows` × `columns`, each operand with its own row stride.
struct ProblemShape: Equatable, Sendable {
    var rows: Int
    var columns: Int
    var inputRowStride: Int
    var outputRowStride: Int

    /// Elements an operand with this row stride must hold: (rows − 1) · stride + columns.
    static func span(rows: Int, columns: Int, stride: Int) throws(RMSNormError) -> Int {
        guard rows > 0 else { return 0 }
        let (a, o1) = (rows - 1).multipliedReportingOverflow(by: stride)
        let (b, o2) = a.addingReportingOverflow(columns)
        guard !o1, !o2 else {
            throw .invalidShape("\(rows) rows with row stride \(stride) overflow Int; split the matrix into smaller calls")
        }
        return b
    }

    /// Checks everything that does not depend on where the data lives.
    func validate(weightCount: Int, eps: Float) throws(RMSNormError) {
        guard rows >= 0 else { throw .invalidShape("rows is \(rows); it must be ≥ 0") }
        guard columns > 0 else {
            throw .invalidShape("N (columns) is \(columns); RMSNorm needs at least one column to normalise over")
        }
        guard weightCount == columns else {
            throw .invalidShape("weight has \(weightCount) elements but rows have \(columns) columns; pass a weight of length N = \(columns)")
        }
        guard inputRowStride >= columns else {
            throw .invalidShape("input row stride \(inputRowStride) is smaller than N = \(columns); rows would overlap. Use a stride ≥ N")
        }
        guard outputRowStride >= columns else {
            throw .invalidShape("output row stride \(outputRowStride) is smaller than N = \(columns); rows would overlap. Use a stride ≥ N")
        }
        try validateEpsilon(eps)
        _ = try Self.span(rows: rows, columns: columns, stride: inputRowStride)
        _ = try Self.span(rows: rows, columns: columns, stride: outputRowStride)
        let (_, overflow) = rows.multipliedReportingOverflow(by: columns)
        if overflow { throw .invalidShape("M·N = \(rows)·\(columns) overflows Int; split the matrix into smaller calls") }
    }

    /// Checks that output and input are either disjoint or exactly the same view (in place).
    /// Addresses are in bytes; strides in elements of `elementSize` bytes.
    func checkOverlap(inputStart: UInt64, outputStart: UInt64, elementSize: Int) throws(RMSNormError) {
        guard rows > 0 else { return }
        let inBytes = UInt64((rows - 1) * inputRowStride + columns) * UInt64(elementSize)
        let outBytes = UInt64((rows - 1) * outputRowStride + columns) * UInt64(elementSize)
        let disjoint = inputStart + inBytes <= outputStart || outputStart + outBytes <= inputStart
        if disjoint { return }
        if inputStart == outputStart && inputRowStride == outputRowStride { return }
        throw .overlappingBuffers(
            "the output view overlaps the input without being the same view; "
                + "pass the same buffer, offset and row stride for an in-place call, or a separate output")
    }
}

func validateEpsilon(_ eps: Float) throws(RMSNormError) {
    guard eps.isFinite, eps >= 0 else {
        throw .invalidArgument("eps is \(eps); it must be finite and ≥ 0 (the usual value is 1e-6 or 1e-5)")
    }
}
