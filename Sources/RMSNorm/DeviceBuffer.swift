/// A typed array in GPU memory, freed when the last reference goes away.
public final class DeviceBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    public let memory: DeviceMemory
    public let count: Int
    public var device: CUDADevice { memory.device }

    /// Allocates `count` elements (uninitialised).
    public init(device: CUDADevice, count: Int) throws(RMSNormError) {
        guard count >= 0 else { throw .invalidShape("buffer count \(count) is negative") }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
        guard !overflow else { throw .invalidShape("\(count) elements overflow the byte count") }
        do { memory = try DeviceMemory(device: device, byteCount: bytes) } catch { throw .cuda(error) }
        self.count = count
    }

    /// Allocates and copies `array` to the GPU.
    public convenience init(device: CUDADevice, copying array: [Element]) throws(RMSNormError) {
        try self.init(device: device, count: array.count)
        try upload(array)
    }

    /// Elements [offset, offset + count) of `parent` as a buffer of their own, sharing its memory (which stays allocated
    /// while the slice lives): several operands carved from one allocation, as an arena or a caching allocator does.
    public init(slicing parent: DeviceBuffer<Element>, offset: Int, count: Int) throws(RMSNormError) {
        guard offset >= 0, count >= 0, offset <= parent.count, count <= parent.count - offset else {
            throw .invalidShape("a slice of \(count) elements at \(offset) does not fit a buffer of \(parent.count); keep offset + count ≤ \(parent.count)")
        }
        let stride = MemoryLayout<Element>.stride
        memory = DeviceMemory(slicing: parent.memory, offset: offset * stride, byteCount: count * stride)
        self.count = count
    }

    /// The same device memory seen as elements of another type (byte buffers reused as typed
    /// outputs); the count is the number of whole `Element`s that fit.
    public init<Other>(aliasing other: DeviceBuffer<Other>) {
        memory = other.memory
        count = other.memory.byteCount / MemoryLayout<Element>.stride
    }

    /// Copies `array` into the buffer starting at element `offset`.
    public func upload(_ array: [Element], at offset: Int = 0) throws(RMSNormError) {
        guard offset >= 0, offset + array.count <= count else {
            throw .invalidShape("upload of \(array.count) elements at \(offset) does not fit a buffer of \(count)")
        }
        let result: Result<Void, CUDAError> = array.withUnsafeBytes { raw in
            Result { () throws(CUDAError) in try memory.upload(from: raw, offset: offset * MemoryLayout<Element>.stride) }
        }
        do { try result.get() } catch { throw .cuda(error) }
    }

    /// Copies the whole buffer back to the host.
    public func download() throws(RMSNormError) -> [Element] {
        guard count > 0 else { return [] }
        do {
            return try [Element](unsafeUninitializedCapacity: count) { buffer, initialised in
                try memory.download(into: UnsafeMutableRawBufferPointer(buffer))
                initialised = count
            }
        } catch let error as CUDAError {
            throw .cuda(error)
        } catch {
            throw .cuda(.other("\(error)"))
        }
    }

    /// Sets every byte (e.g. 0xFF to poison an output before a check).
    public func fill(byte: UInt8) throws(RMSNormError) {
        do { try memory.fill(byte: byte); try device.synchronize() } catch { throw .cuda(error) }
    }

    /// Device address of element `index`.
    public func address(of index: Int) -> UInt64 { memory.address + UInt64(index * MemoryLayout<Element>.stride) }
}

/// A view of `rows` × `columns` elements of a ``DeviceBuffer``, starting at `offset`, with
/// `rowStride` elements between row starts (≥ `columns`; larger for padded rows).
public struct DeviceMatrix<Element: BitwiseCopyable>: @unchecked Sendable {
    public let buffer: DeviceBuffer<Element>
    public let offset: Int
    public let rows: Int
    public let columns: Int
    public let rowStride: Int

    /// Checks that the view lies inside the buffer.
    public init(
        _ buffer: DeviceBuffer<Element>, rows: Int, columns: Int, rowStride: Int? = nil, offset: Int = 0
    ) throws(RMSNormError) {
        let stride = rowStride ?? columns
        guard rows >= 0, columns >= 0 else { throw .invalidShape("rows \(rows) and columns \(columns) must be ≥ 0") }
        guard offset >= 0 else { throw .invalidShape("offset \(offset) is negative") }
        guard stride >= columns else {
            throw .invalidShape("row stride \(stride) is smaller than N = \(columns); use a stride ≥ N")
        }
        let span = try ProblemShape.span(rows: rows, columns: columns, stride: stride)
        guard offset + span <= buffer.count else {
            throw .invalidShape(
                "a \(rows)×\(columns) view with row stride \(stride) at offset \(offset) needs \(offset + span) elements; the buffer has \(buffer.count)")
        }
        self.buffer = buffer
        self.offset = offset
        self.rows = rows
        self.columns = columns
        self.rowStride = stride
    }

    /// Allocates a dense matrix on `device`.
    public init(device: CUDADevice, rows: Int, columns: Int) throws(RMSNormError) {
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, rows >= 0, columns >= 0 else { throw .invalidShape("\(rows)×\(columns) is not a valid size") }
        try self.init(DeviceBuffer(device: device, count: count), rows: rows, columns: columns)
    }

    public var device: CUDADevice { buffer.device }
    var baseAddress: UInt64 { buffer.address(of: offset) }
}
