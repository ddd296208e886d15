// Raw CUDA driver symbols, resolved by their exact exported names at first use.
// Internal: everything public goes through the throwing wrappers and owning types.

typealias CUresult = Int32
typealias CUdevice = Int32
typealias CUdeviceptr = UInt64
typealias Handle = OpaquePointer

struct DriverAPI: @unchecked Sendable {
    let library: DynamicLibrary

    let cuInit: @convention(c) (UInt32) -> CUresult
    let cuDriverGetVersion: @convention(c) (UnsafeMutablePointer<Int32>) -> CUresult
    let cuGetErrorName: @convention(c) (CUresult, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> CUresult
    let cuGetErrorString: @convention(c) (CUresult, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> CUresult
    let cuDeviceGetCount: @convention(c) (UnsafeMutablePointer<Int32>) -> CUresult
    let cuDeviceGet: @convention(c) (UnsafeMutablePointer<CUdevice>, Int32) -> CUresult
    let cuDeviceGetName: @convention(c) (UnsafeMutablePointer<CChar>, Int32, CUdevice) -> CUresult
    let cuDeviceGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>, Int32, CUdevice) -> CUresult
    let cuDeviceTotalMem: @convention(c) (UnsafeMutablePointer<Int>, CUdevice) -> CUresult
    let cuDevicePrimaryCtxRetain: @convention(c) (UnsafeMutablePointer<Handle?>, CUdevice) -> CUresult
    let cuDevicePrimaryCtxRelease: @convention(c) (CUdevice) -> CUresult
    let cuCtxSetCurrent: @convention(c) (Handle?) -> CUresult
    let cuCtxSynchronize: @convention(c) () -> CUresult
    let cuMemGetInfo: @convention(c) (UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>) -> CUresult
    let cuMemAlloc: @convention(c) (UnsafeMutablePointer<CUdeviceptr>, Int) -> CUresult
    let cuMemFree: @convention(c) (CUdeviceptr) -> CUresult
    /// Stream-ordered allocation (CUDA 11.2+); nil on older drivers.
    let cuMemAllocAsync: (@convention(c) (UnsafeMutablePointer<CUdeviceptr>, Int, Handle?) -> CUresult)?
    let cuMemFreeAsync: (@convention(c) (CUdeviceptr, Handle?) -> CUresult)?
    /// The device's default memory pool (the one cuMemAllocAsync draws from) and its attributes (CUDA 11.2+).
    let cuDeviceGetDefaultMemPool: (@convention(c) (UnsafeMutablePointer<Handle?>, CUdevice) -> CUresult)?
    let cuMemPoolGetAttribute: (@convention(c) (Handle?, Int32, UnsafeMutableRawPointer) -> CUresult)?
    let cuMemPoolSetAttribute: (@convention(c) (Handle?, Int32, UnsafeMutableRawPointer) -> CUresult)?
    let cuMemcpyHtoD: @convention(c) (CUdeviceptr, UnsafeRawPointer, Int) -> CUresult
    let cuMemcpyDtoH: @convention(c) (UnsafeMutableRawPointer, CUdeviceptr, Int) -> CUresult
    let cuMemcpyDtoDAsync: @convention(c) (CUdeviceptr, CUdeviceptr, Int, Handle?) -> CUresult
    let cuMemsetD8Async: @convention(c) (CUdeviceptr, UInt8, Int, Handle?) -> CUresult
    let cuStreamCreate: @convention(c) (UnsafeMutablePointer<Handle?>, UInt32) -> CUresult
    let cuStreamDestroy: @convention(c) (Handle?) -> CUresult
    let cuStreamSynchronize: @convention(c) (Handle?) -> CUresult
    let cuEventCreate: @convention(c) (UnsafeMutablePointer<Handle?>, UInt32) -> CUresult
    let cuEventDestroy: @convention(c) (Handle?) -> CUresult
    let cuEventRecord: @convention(c) (Handle?, Handle?) -> CUresult
    let cuEventSynchronize: @convention(c) (Handle?) -> CUresult
    let cuEventElapsedTime: @convention(c) (UnsafeMutablePointer<Float>, Handle?, Handle?) -> CUresult
    let cuModuleLoadData: @convention(c) (UnsafeMutablePointer<Handle?>, UnsafeRawPointer) -> CUresult
    let cuModuleUnload: @convention(c) (Handle?) -> CUresult
    let cuModuleGetFunction: @convention(c) (UnsafeMutablePointer<Handle?>, Handle?, UnsafePointer<CChar>) -> CUresult
    let cuFuncSetAttribute: @convention(c) (Handle?, Int32, Int32) -> CUresult
    let cuFuncGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>, Int32, Handle?) -> CUresult
    let cuOccupancyMaxActiveBlocksPerMultiprocessor: @convention(c) (UnsafeMutablePointer<Int32>, Handle?, Int32, Int) -> CUresult
    /// (clusters, function, CUlaunchConfig*): absent before CUDA 11.8.
    let cuOccupancyMaxActiveClusters: (@convention(c) (UnsafeMutablePointer<Int32>, Handle?, UnsafeRawPointer) -> CUresult)?
    let cuLaunchKernel: @convention(c) (
        Handle?, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, Handle?,
        UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> CUresult
    /// (CUlaunchConfig*, function, params, extra): absent before CUDA 12.0.
    let cuLaunchKernelEx: (@convention(c) (
        UnsafeRawPointer, Handle?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> CUresult)?
    let cuStreamBeginCapture: @convention(c) (Handle?, Int32) -> CUresult
    /// (stream, CUstreamCaptureStatus*): absent before CUDA 10.0.
    let cuStreamIsCapturing: (@convention(c) (Handle?, UnsafeMutablePointer<Int32>) -> CUresult)?
    let cuStreamEndCapture: @convention(c) (Handle?, UnsafeMutablePointer<Handle?>) -> CUresult
    let cuGraphInstantiate: @convention(c) (UnsafeMutablePointer<Handle?>, Handle?, UInt64) -> CUresult
    let cuGraphLaunch: @convention(c) (Handle?, Handle?) -> CUresult
    let cuGraphDestroy: @convention(c) (Handle?) -> CUresult
    let cuGraphExecDestroy: @convention(c) (Handle?) -> CUresult

    init(_ lib: DynamicLibrary) throws(CUDALoaderError) {
        library = lib
        cuInit = try lib.symbol("cuInit", as: type(of: cuInit))
        cuDriverGetVersion = try lib.symbol("cuDriverGetVersion", as: type(of: cuDriverGetVersion))
        cuGetErrorName = try lib.symbol("cuGetErrorName", as: type(of: cuGetErrorName))
        cuGetErrorString = try lib.symbol("cuGetErrorString", as: type(of: cuGetErrorString))
        cuDeviceGetCount = try lib.symbol("cuDeviceGetCount", as: type(of: cuDeviceGetCount))
        cuDeviceGet = try lib.symbol("cuDeviceGet", as: type(of: cuDeviceGet))
        cuDeviceGetName = try lib.symbol("cuDeviceGetName", as: type(of: cuDeviceGetName))
        cuDeviceGetAttribute = try lib.symbol("cuDeviceGetAttribute", as: type(of: cuDeviceGetAttribute))
        cuDeviceTotalMem = try lib.symbol("cuDeviceTotalMem_v2", as: type(of: cuDeviceTotalMem))
        cuDevicePrimaryCtxRetain = try lib.symbol("cuDevicePrimaryCtxRetain", as: type(of: cuDevicePrimaryCtxRetain))
        cuDevicePrimaryCtxRelease = try lib.symbol("cuDevicePrimaryCtxRelease_v2", as: type(of: cuDevicePrimaryCtxRelease))
        cuCtxSetCurrent = try lib.symbol("cuCtxSetCurrent", as: type(of: cuCtxSetCurrent))
        cuCtxSynchronize = try lib.symbol("cuCtxSynchronize", as: type(of: cuCtxSynchronize))
        cuMemGetInfo = try lib.symbol("cuMemGetInfo_v2", as: type(of: cuMemGetInfo))
        cuMemAlloc = try lib.symbol("cuMemAlloc_v2", as: type(of: cuMemAlloc))
        cuMemFree = try lib.symbol("cuMemFree_v2", as: type(of: cuMemFree))
        cuMemAllocAsync = lib.optionalSymbol(
            "cuMemAllocAsync", as: (@convention(c) (UnsafeMutablePointer<CUdeviceptr>, Int, Handle?) -> CUresult).self)
        cuMemFreeAsync = lib.optionalSymbol("cuMemFreeAsync", as: (@convention(c) (CUdeviceptr, Handle?) -> CUresult).self)
        cuDeviceGetDefaultMemPool = lib.optionalSymbol(
            "cuDeviceGetDefaultMemPool", as: (@convention(c) (UnsafeMutablePointer<Handle?>, CUdevice) -> CUresult).self)
        cuMemPoolGetAttribute = lib.optionalSymbol(
            "cuMemPoolGetAttribute", as: (@convention(c) (Handle?, Int32, UnsafeMutableRawPointer) -> CUresult).self)
        cuMemPoolSetAttribute = lib.optionalSymbol(
            "cuMemPoolSetAttribute", as: (@convention(c) (Handle?, Int32, UnsafeMutableRawPointer) -> CUresult).self)
        cuMemcpyHtoD = try lib.symbol("cuMemcpyHtoD_v2", as: type(of: cuMemcpyHtoD))
        cuMemcpyDtoH = try lib.symbol("cuMemcpyDtoH_v2", as: type(of: cuMemcpyDtoH))
        cuMemcpyDtoDAsync = try lib.symbol("cuMemcpyDtoDAsync_v2", as: type(of: cuMemcpyDtoDAsync))
        cuMemsetD8Async = try lib.symbol("cuMemsetD8Async", as: type(of: cuMemsetD8Async))
        cuStreamCreate = try lib.symbol("cuStreamCreate", as: type(of: cuStreamCreate))
        cuStreamDestroy = try lib.symbol("cuStreamDestroy_v2", as: type(of: cuStreamDestroy))
        cuStreamSynchronize = try lib.symbol("cuStreamSynchronize", as: type(of: cuStreamSynchronize))
        cuEventCreate = try lib.symbol("cuEventCreate", as: type(of: cuEventCreate))
        cuEventDestroy = try lib.symbol("cuEventDestroy_v2", as: type(of: cuEventDestroy))
        cuEventRecord = try lib.symbol("cuEventRecord", as: type(of: cuEventRecord))
        cuEventSynchronize = try lib.symbol("cuEventSynchronize", as: type(of: cuEventSynchronize))
        cuEventElapsedTime = try lib.symbol("cuEventElapsedTime", as: type(of: cuEventElapsedTime))
        cuModuleLoadData = try lib.symbol("cuModuleLoadData", as: type(of: cuModuleLoadData))
        cuModuleUnload = try lib.symbol("cuModuleUnload", as: type(of: cuModuleUnload))
        cuModuleGetFunction = try lib.symbol("cuModuleGetFunction", as: type(of: cuModuleGetFunction))
        cuFuncSetAttribute = try lib.symbol("cuFuncSetAttribute", as: type(of: cuFuncSetAttribute))
        cuFuncGetAttribute = try lib.symbol("cuFuncGetAttribute", as: type(of: cuFuncGetAttribute))
        cuOccupancyMaxActiveBlocksPerMultiprocessor = try lib.symbol(
            "cuOccupancyMaxActiveBlocksPerMultiprocessor", as: type(of: cuOccupancyMaxActiveBlocksPerMultiprocessor))
        cuOccupancyMaxActiveClusters = lib.optionalSymbol("cuOccupancyMaxActiveClusters",
            as: (@convention(c) (UnsafeMutablePointer<Int32>, Handle?, UnsafeRawPointer) -> CUresult).self)
        cuLaunchKernel = try lib.symbol("cuLaunchKernel", as: type(of: cuLaunchKernel))
        cuLaunchKernelEx = lib.optionalSymbol("cuLaunchKernelEx", as: (@convention(c) (
            UnsafeRawPointer, Handle?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        ) -> CUresult).self)
        cuStreamIsCapturing = lib.optionalSymbol(
            "cuStreamIsCapturing", as: (@convention(c) (Handle?, UnsafeMutablePointer<Int32>) -> CUresult).self)
        cuStreamBeginCapture = try lib.symbol("cuStreamBeginCapture_v2", as: type(of: cuStreamBeginCapture))
        cuStreamEndCapture = try lib.symbol("cuStreamEndCapture", as: type(of: cuStreamEndCapture))
        cuGraphInstantiate = try lib.symbol("cuGraphInstantiateWithFlags", as: type(of: cuGraphInstantiate))
        cuGraphLaunch = try lib.symbol("cuGraphLaunch", as: type(of: cuGraphLaunch))
        cuGraphDestroy = try lib.symbol("cuGraphDestroy", as: type(of: cuGraphDestroy))
        cuGraphExecDestroy = try lib.symbol("cuGraphExecDestroy", as: type(of: cuGraphExecDestroy))
    }

    /// Turns a status into a thrown error with the driver's own name and text for it.
    func check(_ status: CUresult, _ call: @autoclosure () -> String) throws(CUDADriverError) {
        guard status != 0 else { return }
        var namePtr: UnsafePointer<CChar>?
        var textPtr: UnsafePointer<CChar>?
        _ = cuGetErrorName(status, &namePtr)
        _ = cuGetErrorString(status, &textPtr)
        throw CUDADriverError(
            code: status, call: call(),
            name: namePtr.map { String(cString: $0) } ?? "CUDA_ERROR_UNKNOWN_CODE",
            message: textPtr.map { String(cString: $0) } ?? "unrecognised CUDA status \(status)")
    }
}

/// Where the driver library is looked for, in order.
public enum DriverLocator {
    /// Environment variable naming the exact file of `libcuda` to load.
    public static let overrideVariable = "RMSNORM_LIBCUDA"

    public static func candidates() -> [String] {
        if let path = environmentVariable(overrideVariable) { return [path] }
        return ["libcuda.so.1", "libcuda.so"]
    }

    static let hint = """
        The NVIDIA GPU driver is not installed or not on the loader path. Install the NVIDIA driver \
        (it provides libcuda.so.1), or set \(overrideVariable) to the full path of libcuda.so.1.
        """
}

/// Process-wide, lazily loaded driver. The first failure is remembered and rethrown.
enum Driver {
    private static let loaded: Result<DriverAPI, CUDAError> = {
        do {
            let lib = try DynamicLibrary.open(
                library: "CUDA driver (libcuda)", candidates: DriverLocator.candidates(), hint: DriverLocator.hint)
            let api = try DriverAPI(lib)
            try api.check(api.cuInit(0), "cuInit")
            return .success(api)
        } catch let error as CUDALoaderError {
            return .failure(.loader(error))
        } catch let error as CUDADriverError {
            return .failure(.driver(error))
        } catch {
            return .failure(.other(String(describing: error)))
        }
    }()

    static func api() throws(CUDAError) -> DriverAPI {
        try loaded.get()
    }
}

/// Any failure of the CUDA layer.
public enum CUDAError: Error, CustomStringConvertible, Sendable, Equatable {
    case loader(CUDALoaderError)
    case driver(CUDADriverError)
    case nvrtc(NVRTCError)
    case other(String)

    public var description: String {
        switch self {
        case .loader(let e): return e.description
        case .driver(let e): return e.description
        case .nvrtc(let e): return e.description
        case .other(let s): return s
        }
    }
}

extension DriverAPI {
    func call(_ status: CUresult, _ name: @autoclosure () -> String) throws(CUDAError) {
        do { try check(status, name()) } catch { throw .driver(error) }
    }
}
