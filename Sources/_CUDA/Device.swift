import Synchronization

/// One CUDA GPU and its primary context. Instances are shared per ordinal, so two
/// values for the same GPU are the same object (`===`).
public final class CUDADevice: @unchecked Sendable, CustomStringConvertible {
    public let ordinal: Int
    let handle: CUdevice
    let context: Handle?
    let api: DriverAPI

    public let name: String
    public let computeCapability: (major: Int, minor: Int)
    public let multiprocessorCount: Int
    public let l2CacheBytes: Int
    public let totalMemoryBytes: Int
    /// Peak memory clock in kHz (device attribute 36).
    public let memoryClockKHz: Int
    /// Memory bus width in bits (device attribute 37).
    public let memoryBusWidthBits: Int
    public let maxThreadsPerBlock: Int
    public let maxThreadsPerMultiprocessor: Int
    /// Largest dynamic shared memory one block can opt in to (bytes).
    public let maxSharedMemoryPerBlockOptin: Int
    public let sharedMemoryPerMultiprocessor: Int

    /// `sm_XY` as the number XY.
    public var arch: Int { computeCapability.major * 10 + computeCapability.minor }

    /// Whether kernels can be launched here as programmatic dependents: compute capability 9.0 or later and
    /// a driver with `cuLaunchKernelEx` (CUDA 12.0 and later).
    public var supportsProgrammaticLaunch: Bool { arch >= 90 && api.cuLaunchKernelEx != nil }

    /// Theoretical DRAM bandwidth in bytes/s: 2 (double data rate) × memory clock × bus width / 8.
    public var theoreticalBandwidth: Double {
        2.0 * Double(memoryClockKHz) * 1000.0 * Double(memoryBusWidthBits) / 8.0
    }

    public var description: String { "\(name) (sm_\(arch), \(multiprocessorCount) SMs)" }

    private static let cache = Mutex<[Int: CUDADevice]>([:])

    /// Number of CUDA devices; throws when the driver is missing.
    public static func count() throws(CUDAError) -> Int {
        let api = try Driver.api()
        var n: Int32 = 0
        try api.call(api.cuDeviceGetCount(&n), "cuDeviceGetCount")
        return Int(n)
    }

    /// The driver's version as an integer (e.g. 13000 for 13.0).
    public static func driverVersion() throws(CUDAError) -> Int {
        let api = try Driver.api()
        var v: Int32 = 0
        try api.call(api.cuDriverGetVersion(&v), "cuDriverGetVersion")
        return Int(v)
    }

    /// The GPU with this ordinal; its primary context is retained for the life of the process.
    public static func get(_ ordinal: Int = 0) throws(CUDAError) -> CUDADevice {
        let result: Result<CUDADevice, CUDAError> = cache.withLock { devices in
            if let d = devices[ordinal] { return .success(d) }
            do {
                let d = try CUDADevice(ordinal: ordinal)
                devices[ordinal] = d
                return .success(d)
            } catch let e as CUDAError {
                return .failure(e)
            } catch {
                return .failure(.other("\(error)"))
            }
        }
        return try result.get()
    }

    private init(ordinal: Int) throws(CUDAError) {
        let api = try Driver.api()
        self.api = api
        self.ordinal = ordinal
        var count: Int32 = 0
        try api.call(api.cuDeviceGetCount(&count), "cuDeviceGetCount")
        guard count > 0 else {
            throw .driver(CUDADriverError(
                code: CUDADriverError.noDevice, call: "cuDeviceGetCount", name: "CUDA_ERROR_NO_DEVICE",
                message: "the NVIDIA driver is installed but reports no GPU; check `nvidia-smi` and CUDA_VISIBLE_DEVICES"))
        }
        guard ordinal >= 0, ordinal < Int(count) else {
            throw .driver(CUDADriverError(
                code: CUDADriverError.invalidDevice, call: "cuDeviceGet(\(ordinal))", name: "CUDA_ERROR_INVALID_DEVICE",
                message: "device ordinal \(ordinal) does not exist; this machine has \(count) GPU(s), numbered from 0"))
        }
        var dev: CUdevice = 0
        try api.call(api.cuDeviceGet(&dev, Int32(ordinal)), "cuDeviceGet")
        handle = dev
        var nameBytes = [CChar](repeating: 0, count: 256)
        try api.call(api.cuDeviceGetName(&nameBytes, 256, dev), "cuDeviceGetName")
        name = String(decoding: nameBytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        func attribute(_ id: Int32) throws(CUDAError) -> Int {
            var v: Int32 = 0
            try api.call(api.cuDeviceGetAttribute(&v, id, dev), "cuDeviceGetAttribute(\(id))")
            return Int(v)
        }
        computeCapability = (try attribute(75), try attribute(76))
        multiprocessorCount = try attribute(16)
        l2CacheBytes = try attribute(38)
        memoryClockKHz = try attribute(36)
        memoryBusWidthBits = try attribute(37)
        maxThreadsPerBlock = try attribute(1)
        maxThreadsPerMultiprocessor = try attribute(39)
        maxSharedMemoryPerBlockOptin = try attribute(97)
        sharedMemoryPerMultiprocessor = try attribute(81)
        var total = 0
        try api.call(api.cuDeviceTotalMem(&total, dev), "cuDeviceTotalMem_v2")
        totalMemoryBytes = total
        var ctx: Handle?
        try api.call(api.cuDevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain")
        context = ctx
    }

    /// Bytes the default memory pool keeps across synchronisations (`RMSNORM_POOL_KEEP_MB`, default 256; 0
    /// leaves the driver's setting): with the driver's default of 0, the pool hands its memory back at every
    /// synchronisation, and the next stream-ordered allocation maps it again on the host: a backward call's
    /// partial dw rows (tens of MB at 16,384+ rows) then took up to 0.7 ms of host time after each sync (V50).
    public static let poolKeepBytes: UInt64 = {
        guard let text = environmentVariable("RMSNORM_POOL_KEEP_MB") else { return 256 << 20 }
        return UInt64(text).map { $0 << 20 } ?? (256 << 20)
    }()
    private let poolConfigured = Mutex(false)

    /// Raises the default pool's release threshold to `poolKeepBytes` once (never lowers one set higher).
    func keepPoolMemory() throws(CUDAError) {
        let first = poolConfigured.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        let keep = Self.poolKeepBytes
        guard keep > 0, let getPool = api.cuDeviceGetDefaultMemPool, let get = api.cuMemPoolGetAttribute,
            let set = api.cuMemPoolSetAttribute
        else { return }
        let releaseThreshold: Int32 = 4  // CU_MEMPOOL_ATTR_RELEASE_THRESHOLD
        var pool: Handle?
        try api.call(getPool(&pool, handle), "cuDeviceGetDefaultMemPool")
        var current: UInt64 = 0
        try api.call(get(pool, releaseThreshold, &current), "cuMemPoolGetAttribute(RELEASE_THRESHOLD)")
        guard current < keep else { return }
        var value = keep
        try api.call(set(pool, releaseThreshold, &value), "cuMemPoolSetAttribute(RELEASE_THRESHOLD)")
    }

    /// Makes this device's primary context current on the calling thread.
    public func makeCurrent() throws(CUDAError) {
        try api.call(api.cuCtxSetCurrent(context), "cuCtxSetCurrent")
    }

    /// Waits for all work on this device.
    public func synchronize() throws(CUDAError) {
        try makeCurrent()
        try api.call(api.cuCtxSynchronize(), "cuCtxSynchronize")
    }

    /// (free, total) device memory in bytes.
    public func memoryInfo() throws(CUDAError) -> (free: Int, total: Int) {
        try makeCurrent()
        var free = 0, total = 0
        try api.call(api.cuMemGetInfo(&free, &total), "cuMemGetInfo_v2")
        return (free, total)
    }

    /// Sets `byteCount` bytes at a device address to `value`, in stream order.
    public func fill(address: UInt64, byteCount: Int, value: UInt8, stream: CUDAStream?) throws(CUDAError) {
        guard byteCount > 0 else { return }
        try makeCurrent()
        try api.call(api.cuMemsetD8Async(address, value, byteCount, stream?.handle), "cuMemsetD8Async")
    }

    /// Loads a CUBIN into this device's context.
    public func loadModule(cubin: [UInt8]) throws(CUDAError) -> CUDAModule {
        try makeCurrent()
        var module: Handle?
        let status = cubin.withUnsafeBytes { raw in api.cuModuleLoadData(&module, raw.baseAddress!) }
        try api.call(status, "cuModuleLoadData")
        return CUDAModule(device: self, handle: module)
    }
}

/// Device memory owned by this object and freed when it dies, or a slice of such memory, which keeps it alive.
public final class DeviceMemory: @unchecked Sendable {
    public let device: CUDADevice
    public let address: UInt64
    public let byteCount: Int
    /// The allocation this is a slice of (nil: this object allocated it and frees it).
    private let owner: DeviceMemory?

    public init(device: CUDADevice, byteCount: Int) throws(CUDAError) {
        precondition(byteCount >= 0)
        self.device = device
        self.byteCount = byteCount
        owner = nil
        try device.makeCurrent()
        var p: CUdeviceptr = 0
        if byteCount > 0 {
            try device.api.call(device.api.cuMemAlloc(&p, byteCount), "cuMemAlloc_v2(\(byteCount) bytes)")
        }
        address = p
    }

    /// Bytes [offset, offset + byteCount) of `parent`: no allocation of its own; the allocation stays alive while the
    /// slice does.
    public init(slicing parent: DeviceMemory, offset: Int, byteCount: Int) {
        precondition(offset >= 0 && byteCount >= 0 && offset + byteCount <= parent.byteCount)
        device = parent.device
        address = parent.address + UInt64(offset)
        self.byteCount = byteCount
        owner = parent.owner ?? parent
    }

    deinit {
        if owner == nil && address != 0 {
            _ = device.api.cuCtxSetCurrent(device.context)
            _ = device.api.cuMemFree(address)
        }
    }

    /// Scratch memory in stream order: allocated on `stream` from the device's memory pool, handed
    /// to `body` (which enqueues work using it on the same stream), and freed on `stream` after that
    /// work. No synchronisation on drivers with stream-ordered allocation (CUDA 11.2+); on older
    /// ones the memory is allocated plainly and the stream is synchronised before it is freed.
    public static func withTemporary<R>(
        device: CUDADevice, byteCount: Int, stream: CUDAStream?, _ body: (UInt64) throws(CUDAError) -> R
    ) throws(CUDAError) -> R {
        try device.makeCurrent()
        let api = device.api
        if let alloc = api.cuMemAllocAsync, let free = api.cuMemFreeAsync {
            try device.keepPoolMemory()
            var p: CUdeviceptr = 0
            try api.call(alloc(&p, max(byteCount, 16), stream?.handle), "cuMemAllocAsync(\(byteCount) bytes)")
            let result: Result<R, CUDAError>
            do throws(CUDAError) { result = .success(try body(p)) } catch { result = .failure(error) }
            try api.call(free(p, stream?.handle), "cuMemFreeAsync")
            return try result.get()
        }
        let memory = try DeviceMemory(device: device, byteCount: max(byteCount, 16))
        let result: Result<R, CUDAError>
        do throws(CUDAError) { result = .success(try body(memory.address)) } catch { result = .failure(error) }
        if let stream { try stream.synchronize() } else { try device.synchronize() }
        return try result.get()
    }

    /// Copies `count` bytes from host memory to `offset` bytes into this buffer (synchronous).
    public func upload(from source: UnsafeRawBufferPointer, offset: Int = 0) throws(CUDAError) {
        precondition(offset >= 0 && offset + source.count <= byteCount, "upload out of range")
        guard source.count > 0 else { return }
        try device.makeCurrent()
        try device.api.call(
            device.api.cuMemcpyHtoD(address + UInt64(offset), source.baseAddress!, source.count), "cuMemcpyHtoD_v2")
    }

    /// Copies bytes from `offset` in this buffer to host memory (synchronous).
    public func download(into target: UnsafeMutableRawBufferPointer, offset: Int = 0) throws(CUDAError) {
        precondition(offset >= 0 && offset + target.count <= byteCount, "download out of range")
        guard target.count > 0 else { return }
        try device.makeCurrent()
        try device.api.call(
            device.api.cuMemcpyDtoH(target.baseAddress!, address + UInt64(offset), target.count), "cuMemcpyDtoH_v2")
    }

    /// Sets every byte to `value`, in stream order.
    public func fill(byte value: UInt8, stream: CUDAStream? = nil) throws(CUDAError) {
        guard byteCount > 0 else { return }
        try device.makeCurrent()
        try device.api.call(device.api.cuMemsetD8Async(address, value, byteCount, stream?.handle), "cuMemsetD8Async")
    }

    /// Copies `byteCount` bytes device to device, in stream order.
    public static func copy(
        from source: DeviceMemory, to target: DeviceMemory, byteCount: Int, stream: CUDAStream? = nil
    ) throws(CUDAError) {
        precondition(byteCount <= source.byteCount && byteCount <= target.byteCount)
        try source.device.makeCurrent()
        try source.device.api.call(
            source.device.api.cuMemcpyDtoDAsync(target.address, source.address, byteCount, stream?.handle),
            "cuMemcpyDtoDAsync_v2")
    }
}

/// A CUDA stream. `nil` where a stream is optional means the device's legacy default stream.
public final class CUDAStream: @unchecked Sendable {
    public let device: CUDADevice
    let handle: Handle?
    private let owned: Bool
    /// Whether the library launches its kernels on this stream as programmatic dependents (see
    /// ``init(device:programmaticDependentLaunch:)``).
    public let programmaticDependentLaunch: Bool

    /// A new non-blocking stream.
    ///
    /// - Parameter programmaticDependentLaunch: launch the library's kernels on this stream with
    ///   programmatic dependent launch (compute capability 9.0 and later; ignored before): each kernel
    ///   may start while the kernel before it in the stream finishes, overlapping its launch and
    ///   start-up with that kernel's tail, and waits for it to complete before reading any memory, so
    ///   results are those of ordinary stream order. Each also lets the next kernel start early: a
    ///   kernel of yours that follows on this stream sees the library's results if it is launched the
    ///   ordinary way, or, launched as a programmatic dependent itself, if it executes
    ///   `griddepcontrol.wait` (`cudaGridDependencySynchronize`) before reading them.
    public init(device: CUDADevice, programmaticDependentLaunch: Bool = false) throws(CUDAError) {
        self.device = device
        self.programmaticDependentLaunch = programmaticDependentLaunch
        try device.makeCurrent()
        var s: Handle?
        try device.api.call(device.api.cuStreamCreate(&s, 1 /* CU_STREAM_NON_BLOCKING */), "cuStreamCreate")
        handle = s
        owned = true
    }

    private init(legacyDefaultOf device: CUDADevice) {
        self.device = device
        programmaticDependentLaunch = false
        handle = nil
        owned = false
    }

    /// The device's legacy default stream (the one PyTorch uses unless told otherwise); it cannot
    /// be captured into a graph.
    public static func legacyDefault(device: CUDADevice) -> CUDAStream { CUDAStream(legacyDefaultOf: device) }

    /// Whether ``programmaticDependentLaunch`` takes effect here: asked for, on a device that supports it
    /// (``CUDADevice/supportsProgrammaticLaunch``).
    public var usesProgrammaticLaunch: Bool { programmaticDependentLaunch && device.supportsProgrammaticLaunch }

    /// Whether work enqueued on this stream is being captured into a graph now (false for the legacy
    /// default stream, which cannot be captured, and where the driver cannot say).
    public var isCapturing: Bool {
        guard handle != nil, let query = device.api.cuStreamIsCapturing else { return false }
        var status: Int32 = 0  // CU_STREAM_CAPTURE_STATUS_NONE
        return query(handle, &status) == 0 && status != 0
    }

    deinit {
        if owned {
            _ = device.api.cuCtxSetCurrent(device.context)
            _ = device.api.cuStreamDestroy(handle)
        }
    }

    public func synchronize() throws(CUDAError) {
        try device.api.call(device.api.cuStreamSynchronize(handle), "cuStreamSynchronize")
    }

    /// Captures the work `body` enqueues on this stream into a graph, ready to replay.
    public func capture(_ body: () throws -> Void) throws -> CUDAGraph {
        try device.makeCurrent()
        try device.api.call(device.api.cuStreamBeginCapture(handle, 2 /* relaxed */), "cuStreamBeginCapture_v2")
        var graph: Handle?
        do {
            try body()
        } catch {
            _ = device.api.cuStreamEndCapture(handle, &graph)
            if graph != nil { _ = device.api.cuGraphDestroy(graph) }
            throw error
        }
        try device.api.call(device.api.cuStreamEndCapture(handle, &graph), "cuStreamEndCapture")
        defer { _ = device.api.cuGraphDestroy(graph) }
        var exec: Handle?
        try device.api.call(device.api.cuGraphInstantiate(&exec, graph, 0), "cuGraphInstantiateWithFlags")
        return CUDAGraph(device: device, exec: exec)
    }
}

/// An instantiated CUDA graph.
public final class CUDAGraph: @unchecked Sendable {
    public let device: CUDADevice
    let exec: Handle?
    init(device: CUDADevice, exec: Handle?) { self.device = device; self.exec = exec }
    deinit { _ = device.api.cuGraphExecDestroy(exec) }

    public func launch(on stream: CUDAStream) throws(CUDAError) {
        try device.api.call(device.api.cuGraphLaunch(exec, stream.handle), "cuGraphLaunch")
    }
}

/// A CUDA event for timing.
public final class CUDAEvent: @unchecked Sendable {
    public let device: CUDADevice
    let handle: Handle?

    public init(device: CUDADevice) throws(CUDAError) {
        self.device = device
        try device.makeCurrent()
        var e: Handle?
        try device.api.call(device.api.cuEventCreate(&e, 0), "cuEventCreate")
        handle = e
    }
    deinit { _ = device.api.cuEventDestroy(handle) }

    public func record(on stream: CUDAStream?) throws(CUDAError) {
        try device.api.call(device.api.cuEventRecord(handle, stream?.handle), "cuEventRecord")
    }
    public func synchronize() throws(CUDAError) {
        try device.api.call(device.api.cuEventSynchronize(handle), "cuEventSynchronize")
    }
    /// Milliseconds between `start` and `end` (both recorded and complete).
    public static func elapsedMilliseconds(from start: CUDAEvent, to end: CUDAEvent) throws(CUDAError) -> Double {
        var ms: Float = 0
        try start.device.api.call(start.device.api.cuEventElapsedTime(&ms, start.handle, end.handle), "cuEventElapsedTime")
        return Double(ms)
    }
}

/// A loaded module; unloaded when the last reference (module or one of its functions) dies.
public final class CUDAModule: @unchecked Sendable {
    public let device: CUDADevice
    let handle: Handle?
    init(device: CUDADevice, handle: Handle?) { self.device = device; self.handle = handle }
    deinit {
        _ = device.api.cuCtxSetCurrent(device.context)
        _ = device.api.cuModuleUnload(handle)
    }

    public func function(named name: String) throws(CUDAError) -> CUDAFunction {
        var f: Handle?
        try device.api.call(device.api.cuModuleGetFunction(&f, handle, name), "cuModuleGetFunction(\(name))")
        return CUDAFunction(module: self, handle: f, name: name)
    }
}

/// Grid, block and dynamic shared memory of one launch.
public struct LaunchConfiguration: Sendable, Equatable {
    public var grid: (x: Int, y: Int, z: Int)
    public var block: (x: Int, y: Int, z: Int)
    public var sharedMemoryBytes: Int

    public init(grid: Int, block: Int, sharedMemoryBytes: Int = 0) {
        self.grid = (grid, 1, 1)
        self.block = (block, 1, 1)
        self.sharedMemoryBytes = sharedMemoryBytes
    }

    /// A one-dimensional grid of two-dimensional blocks.
    public init(grid: Int, block: (Int, Int), sharedMemoryBytes: Int = 0) {
        self.grid = (grid, 1, 1)
        self.block = (block.0, block.1, 1)
        self.sharedMemoryBytes = sharedMemoryBytes
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.grid == b.grid && a.block == b.block && a.sharedMemoryBytes == b.sharedMemoryBytes
    }
}

/// Kernel arguments packed by value, in order, as `cuLaunchKernel` wants them.
public struct KernelArguments {
    /// One 8-byte word per argument (the kernels take pointers, 64- and 32-bit integers and floats).
    private var storage: [UInt64]

    public init() {
        storage = []
        storage.reserveCapacity(20)  // one allocation for every kernel of this project
    }

    /// Appends a value of at most 8 bytes (pointers, integers, floats).
    public mutating func append<T: BitwiseCopyable>(_ value: T) {
        precondition(MemoryLayout<T>.size <= 8)
        var word: UInt64 = 0
        withUnsafeMutableBytes(of: &word) { $0.storeBytes(of: value, as: T.self) }
        storage.append(word)
    }

    /// The argument words and the pointer array `cuLaunchKernel` reads, both on the stack.
    func withPointers<R>(_ body: (UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> R) -> R {
        let n = storage.count
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(1, n)) { words in
            for i in 0..<n { words.initializeElement(at: i, to: storage[i]) }
            return withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: max(1, n)) { pointers in
                for i in 0..<n { pointers.initializeElement(at: i, to: UnsafeMutableRawPointer(words.baseAddress! + i)) }
                return body(pointers.baseAddress)
            }
        }
    }
}

/// A kernel entry point in a loaded module.
public final class CUDAFunction: @unchecked Sendable {
    public let module: CUDAModule
    public let name: String
    let handle: Handle?
    init(module: CUDAModule, handle: Handle?, name: String) { self.module = module; self.handle = handle; self.name = name }

    /// Registers per thread (from the loaded binary).
    public var registersPerThread: Int { attribute(4) }
    /// Local memory (spill / stack) bytes per thread.
    public var localBytesPerThread: Int { attribute(3) }
    /// Static shared memory of one block (`__shared__` arrays), which counts with the dynamic shared memory against
    /// the default 48 KB a block may have without ``setMaxDynamicSharedMemory(_:)``.
    public var staticSharedMemoryBytes: Int { attribute(1) }
    private func attribute(_ id: Int32) -> Int {
        var v: Int32 = 0
        _ = module.device.api.cuFuncGetAttribute(&v, id, handle)
        return Int(v)
    }

    /// Raises the dynamic shared-memory limit for this function.
    public func setMaxDynamicSharedMemory(_ bytes: Int) throws(CUDAError) {
        try module.device.api.call(
            module.device.api.cuFuncSetAttribute(handle, 8 /* MAX_DYNAMIC_SHARED_SIZE_BYTES */, Int32(bytes)),
            "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES, \(bytes))")
    }

    /// The share of the unified L1 / shared-memory store this function prefers as shared memory (0–100; a hint the
    /// driver rounds to a supported configuration).
    public func setPreferredSharedMemoryCarveout(percent: Int) throws(CUDAError) {
        try module.device.api.call(
            module.device.api.cuFuncSetAttribute(handle, 9 /* PREFERRED_SHARED_MEMORY_CARVEOUT */, Int32(percent)),
            "cuFuncSetAttribute(PREFERRED_SHARED_MEMORY_CARVEOUT, \(percent))")
    }

    /// Allows cluster sizes beyond the portable 8 (16 on sm_90) for this function.
    public func allowNonPortableClusterSize() throws(CUDAError) {
        try module.device.api.call(
            module.device.api.cuFuncSetAttribute(handle, 14 /* NON_PORTABLE_CLUSTER_SIZE_ALLOWED */, 1),
            "cuFuncSetAttribute(NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 1)")
    }

    /// Resident blocks per multiprocessor for this block size and shared memory.
    public func maxActiveBlocksPerMultiprocessor(blockSize: Int, sharedMemoryBytes: Int) throws(CUDAError) -> Int {
        var n: Int32 = 0
        try module.device.api.call(
            module.device.api.cuOccupancyMaxActiveBlocksPerMultiprocessor(&n, handle, Int32(blockSize), sharedMemoryBytes),
            "cuOccupancyMaxActiveBlocksPerMultiprocessor")
        return Int(n)
    }

    /// Clusters of this kernel (its compile-time cluster size) that can be resident on the GPU at once
    /// for this grid, block and dynamic shared memory; 0 when one cannot be scheduled at all.
    public func maxActiveClusters(_ config: LaunchConfiguration) throws(CUDAError) -> Int {
        let api = module.device.api
        guard let query = api.cuOccupancyMaxActiveClusters else {
            throw .other("cuOccupancyMaxActiveClusters is missing from this driver; thread-block clusters need CUDA 11.8 or later")
        }
        // CUlaunchConfig: grid x, y, z, block x, y, z, shared bytes (7 × u32), then at offset 32 the
        // stream, the attribute pointer and the attribute count (none: the kernel declares its cluster).
        var words = [UInt64](repeating: 0, count: 7)
        words[0] = UInt64(config.grid.x) | UInt64(config.grid.y) << 32
        words[1] = UInt64(config.grid.z) | UInt64(config.block.x) << 32
        words[2] = UInt64(config.block.y) | UInt64(config.block.z) << 32
        words[3] = UInt64(config.sharedMemoryBytes)
        var n: Int32 = 0
        let status = words.withUnsafeBytes { query(&n, handle, $0.baseAddress!) }
        try api.call(status, "cuOccupancyMaxActiveClusters(\(name))")
        return Int(n)
    }

    public func launch(_ config: LaunchConfiguration, stream: CUDAStream?, arguments: KernelArguments) throws(CUDAError) {
        let api = module.device.api
        let status = arguments.withPointers { params in
            api.cuLaunchKernel(
                handle, UInt32(config.grid.x), UInt32(config.grid.y), UInt32(config.grid.z),
                UInt32(config.block.x), UInt32(config.block.y), UInt32(config.block.z),
                UInt32(config.sharedMemoryBytes), stream?.handle, params, nil)
        }
        try api.call(status, "cuLaunchKernel(\(name))")
    }

    /// ``launchDependent(_:stream:arguments:)`` where `dependent` is true, else ``launch(_:stream:arguments:)``.
    public func launch(_ config: LaunchConfiguration, stream: CUDAStream?, arguments: KernelArguments, dependent: Bool) throws(CUDAError) {
        if dependent {
            try launchDependent(config, stream: stream, arguments: arguments)
        } else {
            try launch(config, stream: stream, arguments: arguments)
        }
    }

    /// Whether ``launchDependent(_:stream:arguments:)`` can overlap a launch with the previous kernel here
    /// (``CUDADevice/supportsProgrammaticLaunch``).
    public var supportsProgrammaticLaunch: Bool { module.device.supportsProgrammaticLaunch }

    /// Launches with programmatic stream serialisation (programmatic dependent launch, sm_90+): this
    /// kernel's blocks may start once every block of the previous kernel in the stream has executed
    /// `griddepcontrol.launch_dependents` (or exited), before that kernel completes. The kernel must
    /// execute `griddepcontrol.wait` before it reads anything the previous kernel writes, and on every
    /// path (the wait also orders this kernel's completion after the previous one's). Falls back to
    /// ``launch(_:stream:arguments:)`` where ``supportsProgrammaticLaunch`` is false.
    public func launchDependent(_ config: LaunchConfiguration, stream: CUDAStream?, arguments: KernelArguments) throws(CUDAError) {
        let api = module.device.api
        guard supportsProgrammaticLaunch, let launchEx = api.cuLaunchKernelEx else {
            return try launch(config, stream: stream, arguments: arguments)
        }
        // CUlaunchAttribute (72 bytes): id (u32) at 0, its value (a 64-byte union) at 8;
        // CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION = 6, value: int 1.
        var attribute = [UInt64](repeating: 0, count: 9)
        attribute[0] = 6
        attribute[1] = 1
        // CUlaunchConfig (56 bytes): grid x, y, z, block x, y, z, shared bytes (7 × u32), the stream at
        // offset 32, the attribute pointer at 40, the attribute count (u32) at 48.
        let status = attribute.withUnsafeBytes { attr in
            var words = [UInt64](repeating: 0, count: 7)
            words[0] = UInt64(config.grid.x) | UInt64(config.grid.y) << 32
            words[1] = UInt64(config.grid.z) | UInt64(config.block.x) << 32
            words[2] = UInt64(config.block.y) | UInt64(config.block.z) << 32
            words[3] = UInt64(config.sharedMemoryBytes)
            words[4] = UInt64(UInt(bitPattern: stream?.handle))
            words[5] = UInt64(UInt(bitPattern: attr.baseAddress))
            words[6] = 1
            return words.withUnsafeBytes { cfg in
                arguments.withPointers { params in launchEx(cfg.baseAddress!, handle, params, nil) }
            }
        }
        try api.call(status, "cuLaunchKernelEx(\(name), programmatic stream serialization)")
    }
}
