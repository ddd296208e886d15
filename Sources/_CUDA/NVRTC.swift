import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Raw NVRTC symbols (internal) and the compiler built on them (public).

struct NVRTCAPI: @unchecked Sendable {
    let library: DynamicLibrary
    let nvrtcVersion: @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32
    let nvrtcGetErrorString: @convention(c) (Int32) -> UnsafePointer<CChar>?
    let nvrtcCreateProgram: @convention(c) (
        UnsafeMutablePointer<Handle?>, UnsafePointer<CChar>, UnsafePointer<CChar>?, Int32,
        UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?
    ) -> Int32
    let nvrtcCompileProgram: @convention(c) (Handle?, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    let nvrtcGetProgramLogSize: @convention(c) (Handle?, UnsafeMutablePointer<Int>) -> Int32
    let nvrtcGetProgramLog: @convention(c) (Handle?, UnsafeMutablePointer<CChar>) -> Int32
    let nvrtcGetCUBINSize: @convention(c) (Handle?, UnsafeMutablePointer<Int>) -> Int32
    let nvrtcGetCUBIN: @convention(c) (Handle?, UnsafeMutablePointer<CChar>) -> Int32
    let nvrtcDestroyProgram: @convention(c) (UnsafeMutablePointer<Handle?>) -> Int32
    let nvrtcGetNumSupportedArchs: (@convention(c) (UnsafeMutablePointer<Int32>) -> Int32)?
    let nvrtcGetPTXSize: (@convention(c) (Handle?, UnsafeMutablePointer<Int>) -> Int32)?
    let nvrtcGetPTX: (@convention(c) (Handle?, UnsafeMutablePointer<CChar>) -> Int32)?
    let nvrtcGetSupportedArchs: (@convention(c) (UnsafeMutablePointer<Int32>) -> Int32)?

    init(_ lib: DynamicLibrary) throws(CUDALoaderError) {
        library = lib
        nvrtcVersion = try lib.symbol("nvrtcVersion", as: type(of: nvrtcVersion))
        nvrtcGetErrorString = try lib.symbol("nvrtcGetErrorString", as: type(of: nvrtcGetErrorString))
        nvrtcCreateProgram = try lib.symbol("nvrtcCreateProgram", as: type(of: nvrtcCreateProgram))
        nvrtcCompileProgram = try lib.symbol("nvrtcCompileProgram", as: type(of: nvrtcCompileProgram))
        nvrtcGetProgramLogSize = try lib.symbol("nvrtcGetProgramLogSize", as: type(of: nvrtcGetProgramLogSize))
        nvrtcGetProgramLog = try lib.symbol("nvrtcGetProgramLog", as: type(of: nvrtcGetProgramLog))
        nvrtcGetCUBINSize = try lib.symbol("nvrtcGetCUBINSize", as: type(of: nvrtcGetCUBINSize))
        nvrtcGetCUBIN = try lib.symbol("nvrtcGetCUBIN", as: type(of: nvrtcGetCUBIN))
        nvrtcDestroyProgram = try lib.symbol("nvrtcDestroyProgram", as: type(of: nvrtcDestroyProgram))
        typealias ArchFn = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
        nvrtcGetNumSupportedArchs = lib.optionalSymbol("nvrtcGetNumSupportedArchs", as: ArchFn.self)
        nvrtcGetSupportedArchs = lib.optionalSymbol("nvrtcGetSupportedArchs", as: ArchFn.self)
        nvrtcGetPTXSize = lib.optionalSymbol("nvrtcGetPTXSize", as: (@convention(c) (Handle?, UnsafeMutablePointer<Int>) -> Int32).self)
        nvrtcGetPTX = lib.optionalSymbol("nvrtcGetPTX", as: (@convention(c) (Handle?, UnsafeMutablePointer<CChar>) -> Int32).self)
    }

    func check(_ status: Int32, _ call: String, log: String = "", options: [String] = []) throws(NVRTCError) {
        guard status != 0 else { return }
        let text = nvrtcGetErrorString(status).map { String(cString: $0) } ?? "unknown NVRTC status"
        throw NVRTCError(code: status, call: call, message: text, log: log, options: options)
    }
}

/// Where NVRTC is looked for, in order.
public enum NVRTCLocator {
    /// Environment variable naming the exact `libnvrtc` file to load.
    public static let overrideVariable = "RMSNORM_NVRTC"

    public static let hint = """
        NVRTC (the CUDA run-time compiler) is needed to build the GPU kernels. Install it with \
        `pip install nvidia-cuda-nvrtc` or the CUDA toolkit (set CUDA_HOME to its folder), \
        or set \(overrideVariable) to the full path of libnvrtc.so.
        """

    public static func candidates() -> [String] {
        if let path = environmentVariable(overrideVariable) { return [path] }
        let names = ["libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12"]
        var list = names
        for variable in ["CUDA_HOME", "CUDA_PATH"] {
            if let root = environmentVariable(variable) {
                for name in names { list.append("\(root)/lib64/\(name)"); list.append("\(root)/lib/\(name)") }
            }
        }
        for name in names { list.append("/usr/local/cuda/lib64/\(name)") }
        for dir in sitePackagesDirectories() {
            list.append("\(dir)/nvidia/cu13/lib/libnvrtc.so.13")
            list.append("\(dir)/nvidia/cuda_nvrtc/lib/libnvrtc.so.12")
        }
        var seen = Set<String>()
        return list.filter { seen.insert($0).inserted }
    }

    /// Python `site-packages` folders where the PyPI wheel may have put NVRTC.
    static func sitePackagesDirectories() -> [String] {
        let fm = FileManager.default
        var roots: [String] = []
        if let venv = environmentVariable("VIRTUAL_ENV") { roots.append("\(venv)/lib") }
        if let prefix = environmentVariable("CONDA_PREFIX") { roots.append("\(prefix)/lib") }
        let home = environmentVariable("HOME") ?? "/root"
        roots.append("\(home)/.local/lib")
        if let versions = try? fm.contentsOfDirectory(atPath: "\(home)/.pyenv/versions") {
            roots += versions.sorted().map { "\(home)/.pyenv/versions/\($0)/lib" }
        }
        roots += ["/usr/local/lib", "/usr/lib", "/opt/conda/lib"]
        var dirs: [String] = []
        if let pythonPath = environmentVariable("PYTHONPATH") {
            dirs += pythonPath.split(separator: ":").map(String.init)
        }
        for root in roots {
            guard let entries = try? fm.contentsOfDirectory(atPath: root) else { continue }
            for entry in entries.sorted() where entry.hasPrefix("python3") {
                dirs.append("\(root)/\(entry)/site-packages")
                dirs.append("\(root)/\(entry)/dist-packages")
            }
        }
        dirs.append("/usr/lib/python3/dist-packages")
        return dirs
    }
}

enum NVRTCLibrary {
    private static let loaded: Result<NVRTCAPI, CUDAError> = {
        do throws(CUDALoaderError) {
            let lib = try DynamicLibrary.open(
                library: "NVRTC (libnvrtc)", candidates: NVRTCLocator.candidates(), hint: NVRTCLocator.hint)
            return .success(try NVRTCAPI(lib))
        } catch {
            return .failure(.loader(error))
        }
    }()

    static func api() throws(CUDAError) -> NVRTCAPI { try loaded.get() }
}

/// Options for one NVRTC compile, turned into command-line flags.
public struct CompileOptions: Hashable, Sendable {
    /// Target architecture as a number, e.g. 90 for `sm_90`.
    public var arch: Int
    /// Preprocessor definitions, `-DNAME=VALUE`, in a stable order.
    public var defines: [(String, String)]
    public var fastMath: Bool
    public var extra: [String]

    public init(arch: Int, defines: [(String, String)] = [], fastMath: Bool = false, extra: [String] = []) {
        self.arch = arch
        self.defines = defines
        self.fastMath = fastMath
        self.extra = extra
    }

    public var flags: [String] {
        var f = ["--gpu-architecture=sm_\(arch)", "--std=c++17", "-default-device"]
        if fastMath { f.append("--use_fast_math") }
        f += defines.map { "-D\($0.0)=\($0.1)" }
        f += extra
        return f
    }

    public static func == (a: Self, b: Self) -> Bool { a.flags == b.flags }
    public func hash(into h: inout Hasher) { h.combine(flags) }
}

/// The run-time compiler: CUDA C++ source in, CUBIN for one exact `sm_XY` out.
public enum NVRTC {
    /// NVRTC's version as (major, minor); loads the library.
    public static func version() throws(CUDAError) -> (major: Int, minor: Int) {
        let api = try NVRTCLibrary.api()
        var major: Int32 = 0, minor: Int32 = 0
        do { try api.check(api.nvrtcVersion(&major, &minor), "nvrtcVersion") } catch { throw .nvrtc(error) }
        return (Int(major), Int(minor))
    }

    /// The file NVRTC was loaded from.
    public static func libraryPath() throws(CUDAError) -> String { try NVRTCLibrary.api().library.path }

    /// The `sm_XY` numbers this NVRTC can target (nil when it cannot say).
    public static func supportedArchitectures() throws(CUDAError) -> [Int]? {
        let api = try NVRTCLibrary.api()
        guard let count = api.nvrtcGetNumSupportedArchs, let list = api.nvrtcGetSupportedArchs else { return nil }
        var n: Int32 = 0
        guard count(&n) == 0, n > 0 else { return nil }
        var archs = [Int32](repeating: 0, count: Int(n))
        guard list(&archs) == 0 else { return nil }
        return archs.map(Int.init)
    }

    /// Compiles `source` to a CUBIN. A failed compile throws with the log and the options.
    public static func compileToCUBIN(source: String, name: String, options: CompileOptions) throws(CUDAError) -> [UInt8] {
        try compile(source: source, name: name, options: options).cubin
    }

    /// Compiles `source`; returns the CUBIN and NVRTC's log (with `--ptxas-options=-v` in the
    /// options, the log holds registers, shared memory and spills per kernel).
    public static func compile(source: String, name: String, options: CompileOptions) throws(CUDAError) -> (cubin: [UInt8], log: String) {
        let (cubin, log) = try compile(source: source, name: name, options: options, ptx: false)
        return (cubin, log)
    }

    /// Compiles `source` for the virtual architecture `compute_XY` and returns the PTX text (for
    /// inspecting the generated code, e.g. in tests; the launcher loads CUBINs only).
    public static func compileToPTX(source: String, name: String, options: CompileOptions) throws(CUDAError) -> String {
        let (bytes, _) = try compile(source: source, name: name, options: options, ptx: true)
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func compile(source: String, name: String, options: CompileOptions, ptx: Bool) throws(CUDAError)
        -> ([UInt8], String)
    {
        let api = try NVRTCLibrary.api()
        var flags = options.flags
        if ptx { flags[0] = "--gpu-architecture=compute_\(options.arch)" }
        if let archs = try supportedArchitectures(), !archs.contains(options.arch) {
            throw .nvrtc(NVRTCError(
                code: 5, call: "nvrtcCompileProgram",
                message: "this NVRTC (\(api.library.path)) cannot target sm_\(options.arch); it supports "
                    + archs.map { "sm_\($0)" }.joined(separator: ", ")
                    + ". Install a newer NVRTC (pip install -U nvidia-cuda-nvrtc) or set \(NVRTCLocator.overrideVariable).",
                log: "", options: flags))
        }
        var program: Handle?
        do {
            try api.check(api.nvrtcCreateProgram(&program, source, name, 0, nil, nil), "nvrtcCreateProgram")
        } catch { throw .nvrtc(error) }
        defer { _ = api.nvrtcDestroyProgram(&program) }

        let cStrings = flags.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let status = cStrings.map { UnsafePointer($0) }.withUnsafeBufferPointer { buffer in
            api.nvrtcCompileProgram(program, Int32(buffer.count), buffer.baseAddress)
        }
        var logSize = 0
        _ = api.nvrtcGetProgramLogSize(program, &logSize)
        var log = ""
        if logSize > 1 {
            var bytes = [CChar](repeating: 0, count: logSize)
            _ = api.nvrtcGetProgramLog(program, &bytes)
            log = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        do { try api.check(status, "nvrtcCompileProgram(\(name))", log: log, options: flags) } catch { throw .nvrtc(error) }

        if ptx {
            guard let ptxSize = api.nvrtcGetPTXSize, let getPTX = api.nvrtcGetPTX else {
                throw .other("this NVRTC (\(api.library.path)) has no nvrtcGetPTX")
            }
            var size = 0
            do { try api.check(ptxSize(program, &size), "nvrtcGetPTXSize") } catch { throw .nvrtc(error) }
            var text = [UInt8](repeating: 0, count: size)
            let got = text.withUnsafeMutableBytes { raw in getPTX(program, raw.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            do { try api.check(got, "nvrtcGetPTX") } catch { throw .nvrtc(error) }
            return (text, log)
        }
        var size = 0
        do { try api.check(api.nvrtcGetCUBINSize(program, &size), "nvrtcGetCUBINSize") } catch { throw .nvrtc(error) }
        var cubin = [UInt8](repeating: 0, count: size)
        let got = cubin.withUnsafeMutableBytes { raw in
            api.nvrtcGetCUBIN(program, raw.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
        do { try api.check(got, "nvrtcGetCUBIN") } catch { throw .nvrtc(error) }
        return (cubin, log)
    }
}
