import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The kernel source embedded in the binary (SwiftPM `.embedInCode`).
public enum KernelSource {
    public static let text: String = String(decoding: PackageResources.rmsnorm_cu, as: UTF8.self)
    /// Hash of the source, part of every cache key.
    static let hash: String = hex(fnv1a128(Array(text.utf8)))
}

/// One compiled module: the (x dtype, weight dtype, vector width, variant) it was specialised for.
public struct KernelSpecialization: Hashable, Sendable, CustomStringConvertible {
    public var input: DType
    public var weight: DType
    public var vectorWidth: Int
    /// Streaming cache policy for x and y (see `CACHE_HINTS` in the kernel source).
    public var cacheHints: Bool
    /// Fused residual add (forward) or the residual gradient input (backward): `RESID`.
    public var residual: Bool = false
    /// Casting mode of the forward (`CAST`).
    public var casting: CastingMode = .gemma
    /// y stored as float8 e4m3 (`OUT_T` = 3).
    public var fp8Output: Bool = false
    /// The backward kernels (`KIND` = 1) instead of the forward ones.
    public var backward: Bool = false
    /// eps below 2^-80 (`TINY_EPS`): rows whose fp32 sum of squares underflows are rescaled too
    /// (``needsTinyEpsPath(eps:)``). A separate module, so that the usual eps pays nothing for it.
    public var tinyEps: Bool = false
    /// Backward with rstd recomputed from x (`RECOMPUTE`), when the forward's rstd is not given.
    public var recompute: Bool = false
    /// A row module (`ROW_TPR`): only the loop-free register and aligned-interior kernels (backward: the
    /// one-row kernels), compiled for rows of exactly this many threads; 0 is the full module. See
    /// ``rowModule(for:)``.
    public var rowThreads: Int = 0
    /// With ``rowThreads`` on a backward module: the persistent register kernels (`rmsnorm_bwd_reg_npt…`, `…_r128`) with
    /// the dw reduction, their threads a row fixed at ``rowThreads`` (`BWD_ROWS`), instead of the one-row kernels. See
    /// ``backwardRowModule(for:enabled:)`` (V105).
    public var backwardRows: Bool = false
    /// Backward modules of 16-bit x without the residual gradient: the 32-element register kernel keeps two rows in
    /// flight (`BWD_PF2`, V104). The launcher sets it under ``backwardTwoRowsEnabled``.
    public var twoRowsInFlight: Bool = false
    /// Whether ``backwardRows`` reaches the kernels: a row module of the backward.
    var holdsBackwardRows: Bool { rowThreads > 0 && backward && backwardRows }
    /// Whether ``twoRowsInFlight`` reaches the kernels: a backward module of 16-bit x without the residual gradient.
    var keepsTwoRows: Bool { backward && twoRowsInFlight && input.size == 2 && !residual }
    /// A row module's register kernels bounded at this many blocks an SM (`ROW_MINB`, with the weight read after the
    /// reduction, `PACKED32=0`); 0 is the default bound. The launcher sets it by
    /// ``LaunchPlan/rowBlockBound(rows:columns:input:weight:multiprocessors:highBandwidth:)`` (V71).
    public var rowMinBlocks: Int = 0
    /// A row module's register kernels read x twice (`REFETCH`): the first read, under an L2 `evict_last` policy, only
    /// for Σx²; after the reduction x again (from L2, `evict_first`) and the weight, so neither is held in registers
    /// across the reduction. The launcher sets it by
    /// ``LaunchPlan/refetchesRows(rows:columns:input:weight:multiprocessors:highBandwidth:fp8Output:)`` (V73). With the fused
    /// add, x and the residual are both read twice and h is stored with y on the second pass
    /// (``LaunchPlan/fusedAddReadsTwice(rows:columns:input:weight:multiprocessors:highBandwidth:fp8Output:)``, V80).
    public var refetch: Bool = false
    /// Whether ``refetch`` reaches the kernels: a row module of the forward.
    var readsTwice: Bool { rowThreads > 0 && refetch && !backward }
    /// The fused add's h = x + residual as one packed 16-bit add a pair of elements (`HADD_PACKED`: the same bits as the
    /// fp32 sum rounded once, every pair checked, s40d); the launcher sets it by
    /// ``LaunchPlan/fusedAddPacksSum(rows:columns:input:weight:multiprocessors:highBandwidth:fp8Output:)`` (V102).
    public var packedSum: Bool = false
    /// Kernels launched as programmatic dependents (`PDL`): each lets the next kernel start, then waits
    /// for the previous one before it reads anything. For streams created with
    /// `programmaticDependentLaunch` on sm_90+ (``CUDAStream/usesProgrammaticLaunch``).
    public var dependentLaunch: Bool = false
    /// Fused residual add: h stored after the row's reduction instead of as soon as it is added (`HLATE`); the
    /// launcher sets it on row modules by ``LaunchPlan/storesResidualLate(rows:multiprocessors:)``.
    public var lateResidualStore: Bool = false
    /// Fused residual add of bf16 or fp16: the row module's kernels of 32 elements a thread hold their weight, loaded
    /// ahead of the reduction, instead of reading it after (`WREG_ALL`; fp16's module bounded at its row's threads,
    /// `REG_BOUND`); the launcher sets it by
    /// ``LaunchPlan/fusedAddHoldsWeight(rows:input:weight:casting:fp8Output:multiprocessors:)`` (V93–V99).
    public var holdsWeight: Bool = false
    /// Whether ``holdsWeight`` reaches the kernels: a row module of the forward with the fused add.
    var holdsWeightInRows: Bool { holdsWeight && residual && !backward && rowThreads > 0 }
    /// The forward (plain or with the fused add) with y stored under an L2 `evict_last` policy and x (and the
    /// residual) loaded under `evict_first` (`YPOLICY=2`, `XPOLICY=1`): the launcher sets it by
    /// ``LaunchPlan/outputKeepShift(rows:columns:elementSize:fusedAdd:)``. Not for fp8 output or the backward.
    public var keepsOutput: Bool = false
    /// The share of y under `evict_last` when ``keepsOutput``: 1/2^shift of its lines (`YFRAC`), 0 to 4.
    public var keptOutputShift: Int = 0

    public init(input: DType, weight: DType, vectorWidth: Int, cacheHints: Bool = LaunchPlan.defaultCacheHints,
        residual: Bool = false, casting: CastingMode = .gemma, fp8Output: Bool = false, backward: Bool = false,
        tinyEps: Bool = false, recompute: Bool = false)
    {
        self.input = input
        self.weight = weight
        self.vectorWidth = vectorWidth
        self.cacheHints = cacheHints
        self.residual = residual
        self.casting = input == .float32 ? .gemma : casting
        self.fp8Output = fp8Output
        self.backward = backward
        self.tinyEps = tinyEps
        self.recompute = recompute
    }

    /// Whether eps is small enough that a row of tiny values (all |x| below ~1e-19, whose squares
    /// underflow in fp32) would lose its rstd: eps < 2^-80, the CPU backend's rule too.
    public static func needsTinyEpsPath(eps: Float) -> Bool { eps < 0x1p-80 }

    public func compileOptions(arch: Int) -> CompileOptions {
        compileOptions(arch: arch, experiment: Self.activeExperimentDefines)
    }

    /// The compile options with `extra` experiment defines (an experiment's define replaces the module's own of the
    /// same name).
    func compileOptions(arch: Int, experiment extra: [(String, String)]) -> CompileOptions {
        var defines = [("IN_T", "\(input.kernelCode)"), ("W_T", "\(weight.kernelCode)"), ("VEC", "\(vectorWidth)"),
            ("CACHE_HINTS", cacheHints ? "1" : "0")]
        // Variant flags only when set, so the plain forward keeps its options (and cache keys).
        if residual { defines.append(("RESID", "1")) }
        if casting != .gemma { defines.append(("CAST", "\(casting.kernelCode)")) }
        if fp8Output { defines.append(("OUT_T", "3")) }
        if backward { defines.append(("KIND", "1")) }
        if tinyEps { defines.append(("TINY_EPS", "1")) }
        if recompute { defines.append(("RECOMPUTE", "1")) }
        if rowThreads > 0 { defines.append(("ROW_TPR", "\(rowThreads)")) }
        if holdsBackwardRows { defines.append(("BWD_ROWS", "1")) }
        if keepsTwoRows { defines.append(("BWD_PF2", "1")) }
        if rowThreads > 0 && rowMinBlocks > 0 {
            defines += [("ROW_MINB", "\(rowMinBlocks)"), ("ROW_MINB_TPR", "\(rowThreads)"), ("PACKED32", "0")]
        }
        if readsTwice { defines.append(("REFETCH", "1")) }
        if packedSum && residual && !backward { defines.append(("HADD_PACKED", "1")) }
        if dependentLaunch { defines.append(("PDL", "1")) }
        if lateResidualStore && residual && !backward { defines.append(("HLATE", "1")) }
        if holdsWeightInRows {
            defines.append(("WREG_ALL", "1"))
            // fp16's held kernels, one row a block (V94): bounded at the row's threads, so the weight does not spill.
            if input == .float16 && rowThreads >= 64 { defines.append(("REG_BOUND", "\(rowThreads)")) }
        }
        if keepsOutput && !fp8Output && !backward {
            defines += [("YPOLICY", "2"), ("XPOLICY", "1")]
            let shift = min(max(keptOutputShift, 0), 4)
            if shift > 0 { defines.append(("YFRAC", "\(1.0 / Double(1 << shift))")) }
        }
        return CompileOptions(arch: arch, defines: Self.merged(defines, extra))
    }

    /// `base` with `extra` on top: an extra define replaces the one of the same name.
    static func merged(_ base: [(String, String)], _ extra: [(String, String)]) -> [(String, String)] {
        let replaced = Set(extra.map(\.0))
        return base.filter { !replaced.contains($0.0) } + extra
    }

    /// Extra `-D` definitions from `RMSNORM_KERNEL_DEFINES` ("NAME=VALUE,…"), for experiments with the
    /// kernel's knobs (e.g. `REG_BOUND=512`). They are part of the cache key like every option.
    static let experimentDefines: [(String, String)] = parseDefines(environmentVariable("RMSNORM_KERNEL_DEFINES") ?? "")

    /// "NAME=VALUE,…" (a bare NAME means NAME=1) as `-D` pairs; items whose name is not a C identifier are dropped.
    public static func parseDefines(_ text: String) -> [(String, String)] {
        text.split(separator: ",").compactMap { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let name = parts.first, let first = name.first, !first.isNumber,
                name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
            else { return nil }
            return (name, parts.count == 2 ? parts[1] : "1")
        }
    }

    // In-process A/B of kernel defines (`rmsnorm-bench ab`): arm 0 compiles with `RMSNORM_KERNEL_DEFINES`, arm 1 with
    // those and the arm's own defines on top (same names replaced). The arm is part of the in-memory cache key and its
    // defines of the compile options (so of the disk cache key), so both arms' modules live side by side in one
    // process and one timing loop can alternate them. Only the bench switches arms; every other caller stays on arm 0.
    private static let arm = Atomic<Int>(0)
    private static let armDefines = Mutex<[(String, String)]>([])

    /// Sets arm 1's defines ("NAME=VALUE,…", on top of `RMSNORM_KERNEL_DEFINES`).
    public static func setExperimentArmDefines(_ text: String) {
        armDefines.withLock { $0 = parseDefines(text) }
    }

    /// The arm whose modules later launches use: 0 (the default) or 1 (an atomic read on every kernel lookup).
    public static var experimentArm: Int {
        get { arm.load(ordering: .relaxed) }
        set { arm.store(newValue == 1 ? 1 : 0, ordering: .relaxed) }
    }

    /// The experiment defines of the current arm.
    static var activeExperimentDefines: [(String, String)] {
        guard experimentArm == 1 else { return experimentDefines }
        return merged(experimentDefines, armDefines.withLock { $0 })
    }

    public var description: String {
        "x=\(input) w=\(weight) vec=\(vectorWidth)" + (cacheHints ? " hints" : "") + (backward ? " backward" : "")
            + (residual ? " residual" : "") + (casting != .gemma ? " cast=\(casting)" : "") + (fp8Output ? " fp8" : "")
            + (tinyEps ? " tiny-eps" : "") + (recompute ? " recompute" : "") + (rowThreads > 0 ? " row-tpr=\(rowThreads)" : "")
            + (holdsBackwardRows ? " rows" : "") + (keepsTwoRows ? " two-rows" : "")
            + (rowThreads > 0 && rowMinBlocks > 0 ? " min-blocks=\(rowMinBlocks)" : "")
            + (readsTwice ? " refetch" : "") + (packedSum && residual && !backward ? " packed-sum" : "")
            + (dependentLaunch ? " pdl" : "") + (lateResidualStore ? " h-late" : "")
            + (holdsWeightInRows ? " w-held" : "") + (keepsOutput ? " keep-y" + (keptOutputShift > 0 ? "/\(1 << keptOutputShift)" : "") : "")
    }

    /// Whether the launcher runs loop-free register plans from row modules (default); the environment
    /// variable `RMSNORM_ROW_MODULES=0` keeps them in the full module (for comparisons).
    public static let rowModulesEnabled = environmentVariable("RMSNORM_ROW_MODULES") != "0"

    /// Session 41's two backward changes, measured on an H200 but not yet run by `verify` on a GPU (its cases had no
    /// 32-element backward plan until session 41 added them), so off by default until they have been:
    /// `RMSNORM_BWD_TWO_ROWS=1` keeps two rows in flight in the 32-element kernel (``twoRowsInFlight``, V104: −3.3 to
    /// −4.7% at 2048–8192 columns of 16,384–65,536 rows); `RMSNORM_BWD_ROW_MODULES=1` runs the persistent register plans
    /// of over 128 threads a row from backward row modules (``backwardRowModule(for:enabled:)``, V105: 7168 columns
    /// −6%, 5120 −7.4 to −8.5%, 8192 −1.6 to −2.2%, measured with V104 on).
    public static let backwardTwoRowsEnabled = environmentVariable("RMSNORM_BWD_TWO_ROWS") == "1"
    public static let backwardRowModulesEnabled = environmentVariable("RMSNORM_BWD_ROW_MODULES") == "1"

    /// The row module that runs `plan`, or nil where the plan's kernel lives only in the full module:
    /// a loop-free register plan of the forward (`rmsnorm_fwd_row_npt…`, and the aligned-interior
    /// `rmsnorm_fwd_ai_npt…`) gets the module compiled for its threads per row (a fraction of the full
    /// module's compile time; V22 in benchmarks/NOTES.md); so does one row's backward in one block
    /// (`rmsnorm_bwd_one_npt…`, whose block reduction is then unrolled; V47).
    public func rowModule(for plan: LaunchPlan) -> KernelSpecialization? {
        guard Self.rowModulesEnabled, rowThreads == 0, case .registers = plan.path, !plan.persistent,
            plan.clusterSize == 1, !backward || (plan.backwardSingleBlock && !recompute)
        else { return nil }
        var s = self
        s.rowThreads = plan.threadsPerRow
        return s
    }

    /// The backward row module that runs `plan`, or nil where the full module does (V105): the persistent register
    /// kernels of 16-bit rows of 16-byte vectors, one row a block of more than 128 threads — the 32-element kernel
    /// (`KEEPF`, two rows in flight) and the 16-element `_r128` one — with the forward's rstd and no residual gradient.
    /// Their threads a row become a compile-time constant there, so the block reduction is unrolled for it; the rows'
    /// issue time bounds those kernels at 5120–8192 columns. Same-process A/B on an H200 (s41e), the threads a row as a
    /// constant against the argument: 65,536 × 7168 bf16 −6.0%, 16,384 × 7168 −6.1%, 65,536 × 5120 −7.4%, 16,384 × 5120
    /// −8.5%, 65,536 × 8192 −1.6%, 16,384 × 8192 −2.2%; at 128 threads (4096 columns) +1.4% / −0.5% and at 64 ±0.4%, so
    /// not there. Off unless `enabled` (by default ``backwardRowModulesEnabled``); `RMSNORM_ROW_MODULES=0` keeps every
    /// plan in the full module.
    public func backwardRowModule(for plan: LaunchPlan, enabled: Bool = Self.backwardRowModulesEnabled) -> KernelSpecialization? {
        guard enabled, Self.rowModulesEnabled, rowThreads == 0, backward, !residual, !recompute, input.size == 2,
            vectorWidth * input.size == 16, case .registers(let npt) = plan.path, plan.backwardStages == 0,
            !plan.fusedBackward, !plan.backwardSingleBlock, plan.rowsPerBlock == 1,
            plan.threadsPerRow > 128, plan.threadsPerRow <= 1024,
            npt * vectorWidth == 32 || plan.registers128
        else { return nil }
        var s = self
        s.rowThreads = plan.threadsPerRow
        s.backwardRows = true
        return s
    }

    /// A representative set of variant modules (each flag alone and combined, every input type, the
    /// widest and the narrowest vector), compiled by the tests on machines without a GPU.
    public static var variants: [KernelSpecialization] {
        var list: [KernelSpecialization] = []
        for input in DType.allCases {
            for vec in [16 / input.size, 1] {
                func add(_ s: KernelSpecialization) { list.append(s) }
                add(.init(input: input, weight: input, vectorWidth: vec, residual: true))
                add(.init(input: input, weight: .float32, vectorWidth: vec, fp8Output: true))
                add(.init(input: input, weight: input, vectorWidth: vec, backward: true))
                add(.init(input: input, weight: .float32, vectorWidth: vec, residual: true, backward: true))
                add(.init(input: input, weight: input, vectorWidth: vec, tinyEps: true))
                add(.init(input: input, weight: input, vectorWidth: vec, backward: true, recompute: true))
                add(.init(input: input, weight: input, vectorWidth: vec, backward: true, tinyEps: true, recompute: true))
                if input != .float32 {
                    add(.init(input: input, weight: input, vectorWidth: vec, casting: .llama))
                    add(.init(input: input, weight: input, vectorWidth: vec, casting: .none, tinyEps: true))
                    add(.init(input: input, weight: input, vectorWidth: vec, residual: true, casting: .none, fp8Output: true))
                }
                if vec > 1 {  // the fused add's row module that stores h after the reduction
                    var late = KernelSpecialization(input: input, weight: input, vectorWidth: vec, residual: true)
                    late.rowThreads = 256
                    late.lateResidualStore = true
                    add(late)
                    // the fused add's row module whose 32-element kernels hold the weight (V93)
                    var held = KernelSpecialization(input: input, weight: input, vectorWidth: vec, residual: true)
                    held.rowThreads = 64
                    held.holdsWeight = true
                    add(held)
                    // the short-row forward modules that keep y (all of it; a quarter with the fused add) in L2
                    var keep = KernelSpecialization(input: input, weight: input, vectorWidth: vec)
                    keep.rowThreads = 16
                    keep.keepsOutput = true
                    add(keep)
                    var keepAdd = KernelSpecialization(input: input, weight: input, vectorWidth: vec, residual: true)
                    keepAdd.rowThreads = 32
                    keepAdd.keepsOutput = true
                    keepAdd.keptOutputShift = 2
                    add(keepAdd)
                }
            }
        }
        return list
    }

    /// Backward register-path kernels present in this module (at most 32 elements per thread).
    public var backwardRegisterVariants: [Int] { [1, 2, 4, 8, 16, 32].filter { $0 * vectorWidth <= 32 } }
    /// The fused backward's kernels (modules with the forward's rstd): up to 16 elements a thread.
    public var backwardFusedVariants: [Int] { [1, 2, 4, 8, 16].filter { $0 * vectorWidth <= 16 } }
    /// The staged backward's kernels (`rmsnorm_bwd_async_npt2`, `…_r128`): modules of 16-byte vectors.
    public var backwardStagedKernels: [String] {
        vectorWidth * input.size == 16 ? ["rmsnorm_bwd_async_npt2", "rmsnorm_bwd_async_npt2_r128", "rmsnorm_bwd_async_npt2_rng"] : []
    }

    /// The fused backward's 512-thread, 32-element row blocks (`rmsnorm_bwd_fused_npt4_w512`): 16-bit modules of
    /// 8-element vectors. See ``LaunchPlan/fusedWide``.
    public var backwardWideFusedKernels: [String] {
        vectorWidth == 8 && input.size == 2 ? ["rmsnorm_bwd_fused_npt4_w512"] : []
    }

    /// Every specialisation the launcher (or the tuner) can pick: weight of the input's type or
    /// fp32, every power-of-two vector width up to 16 bytes, with and without cache hints.
    public static var all: [KernelSpecialization] {
        var list: [KernelSpecialization] = []
        for input in DType.allCases {
            let weights = input == .float32 ? [DType.float32] : [input, .float32]
            for weight in weights {
                var vec = 1
                while vec * input.size <= 16 {
                    for hints in [false, true] {
                        list.append(.init(input: input, weight: weight, vectorWidth: vec, cacheHints: hints))
                    }
                    vec *= 2
                }
            }
        }
        return list
    }

    /// Aligned-interior kernels present in a module that has them (up to 4 vectors a thread).
    public var interiorVariants: [Int] { [1, 2, 4] }

    /// Register-path kernels present in this module (rows of up to `npt` vectors per thread).
    public var registerVariants: [Int] { [1, 2, 4, 8, 16, 32].filter { $0 * vectorWidth <= 32 } }
    public var kernelNames: [String] {
        // The aligned-interior kernels: in modules of 16-byte vectors without the fused add or fp8 output.
        let interior = vectorWidth * input.size == 16 && !residual && !fp8Output && !backward
            ? interiorVariants.map { "rmsnorm_fwd_ai_npt\($0)" } : []
        if rowThreads > 0 {
            if holdsBackwardRows {
                return backwardRegisterVariants.map { "rmsnorm_bwd_reg_npt\($0)" }
                    + ["rmsnorm_bwd_reg_npt\(16 / vectorWidth)_r128", "rmsnorm_bwd_loop", "rmsnorm_dw_reduce"]
            }
            return backward ? backwardFusedVariants.map { "rmsnorm_bwd_one_npt\($0)" }
                : registerVariants.map { "rmsnorm_fwd_row_npt\($0)" } + interior
        }
        if backward {
            return backwardRegisterVariants.map { "rmsnorm_bwd_reg_npt\($0)" } + ["rmsnorm_bwd_reg_npt\(16 / vectorWidth)_r128",
                "rmsnorm_bwd_loop", "rmsnorm_dw_reduce"] + (recompute ? [] : backwardFusedVariants.map { "rmsnorm_bwd_fused_npt\($0)" } + backwardFusedVariants.map { "rmsnorm_bwd_one_npt\($0)" })
                + backwardStagedKernels + (recompute ? [] : backwardWideFusedKernels)
        }
        return registerVariants.map { "rmsnorm_fwd_reg_npt\($0)" } + registerVariants.map { "rmsnorm_fwd_row_npt\($0)" } + interior
            + ["rmsnorm_fwd_smem", "rmsnorm_fwd_loop", "rmsnorm_fwd_smem_c2", "rmsnorm_fwd_smem_c4", "rmsnorm_fwd_smem_c8",
                "rmsnorm_fwd_smem_c16", "rmsnorm_fwd_smem_c2_b2", "rmsnorm_fwd_smem_c4_b2", "rmsnorm_fwd_smem_c8_b2",
                "rmsnorm_fwd_smem_c16_b2", "rmsnorm_fwd_split_sum", "rmsnorm_fwd_split_norm", "rmsnorm_fill_normal", "rmsnorm_flush", "rmsnorm_copy", "rmsnorm_spin"]
    }
}

/// Where compiled kernels are kept between processes: `$RMSNORM_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/rmsnorm`, else `~/.cache/rmsnorm`.
public enum KernelDiskCache {
    public static let overrideVariable = "RMSNORM_CACHE_DIR"

    public static var defaultDirectory: String {
        if let dir = environmentVariable(overrideVariable) { return dir }
        if let xdg = environmentVariable("XDG_CACHE_HOME") { return xdg + "/rmsnorm" }
        return (environmentVariable("HOME") ?? "/tmp") + "/.cache/rmsnorm"
    }

    static let magic = Array("RMSNORM-CUBIN-1\n".utf8)

    /// The full key (source hash, options, NVRTC version, arch) and the file it maps to.
    static func key(for spec: KernelSpecialization, arch: Int, nvrtc: (Int, Int)) -> String {
        "src=\(KernelSource.hash) nvrtc=\(nvrtc.0).\(nvrtc.1) arch=sm_\(arch) "
            + spec.compileOptions(arch: arch).flags.joined(separator: " ")
    }

    static func path(directory: String, key: String) -> String {
        directory + "/" + hex(fnv1a128(Array(key.utf8))) + ".cubin"
    }

    /// Reads an entry; anything that does not match exactly (magic, key, length, checksum) is nil.
    static func read(directory: String, key: String) -> [UInt8]? {
        guard let bytes = readWholeFile(path(directory: directory, key: key)) else { return nil }
        let keyBytes = Array(key.utf8)
        let header = magic.count + 8 + keyBytes.count + 8 + 16
        guard bytes.count >= header, Array(bytes[0..<magic.count]) == magic else { return nil }
        var at = magic.count
        func u64() -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
            at += 8
            return v
        }
        guard u64() == UInt64(keyBytes.count), Array(bytes[at..<at + keyBytes.count]) == keyBytes else { return nil }
        at += keyBytes.count
        let length = Int(u64())
        let checksum = Array(bytes[at..<at + 16])
        at += 16
        guard length > 0, bytes.count == at + length else { return nil }
        let payload = Array(bytes[at...])
        guard fnv1a128(payload) == checksum else { return nil }
        return payload
    }

    /// Writes an entry atomically (temporary file in the same folder, then rename).
    /// Failure (read-only folder, full disk) is not an error: the kernel stays in memory.
    @discardableResult
    static func write(directory: String, key: String, cubin: [UInt8]) -> Bool {
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch { return false }
        var bytes = magic
        func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
        let keyBytes = Array(key.utf8)
        u64(UInt64(keyBytes.count))
        bytes += keyBytes
        u64(UInt64(cubin.count))
        bytes += fnv1a128(cubin)
        bytes += cubin
        let final = path(directory: directory, key: key)
        let temp = final + ".tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        guard fm.createFile(atPath: temp, contents: Data(bytes)) else { return false }
        if rename(temp, final) != 0 {
            unlink(temp)
            return false
        }
        return true
    }
}

/// Counters for the compile cache (read by tests and the benchmark).
public struct KernelCacheStatistics: Sendable, Equatable {
    public var compiles = 0
    public var diskHits = 0
    public var memoryHits = 0
    /// Seconds spent in NVRTC, summed.
    public var compileSeconds = 0.0
}

/// Compiled, loaded kernels for one device, kept for the life of the process.
final class LoadedKernels: @unchecked Sendable {
    let module: CUDAModule
    let functions: [String: CUDAFunction]
    /// Occupancy per (function, block size, shared bytes), filled on first use; a struct key, so the
    /// hot path formats no string.
    struct OccupancyKey: Hashable { var name: String; var block: Int; var shared: Int }
    let occupancy = Mutex<[OccupancyKey: Int]>([:])

    init(module: CUDAModule, names: [String]) throws(CUDAError) {
        self.module = module
        var f: [String: CUDAFunction] = [:]
        for n in names { f[n] = try module.function(named: n) }
        functions = f
        staticShared = f.mapValues(\.staticSharedMemoryBytes)
        if let percent = Self.stagedCarveout {
            for (name, function) in f where name.hasPrefix("rmsnorm_fwd_smem") {
                try function.setPreferredSharedMemoryCarveout(percent: percent)
            }
        }
    }

    /// `RMSNORM_SMEM_CARVEOUT=P` (an experiment, 0–100): the forward's staged and cluster kernels prefer P% of the
    /// unified L1 / shared-memory store as shared memory. Unset (the default), the driver picks the configuration
    /// that fits the most blocks, which for slices of 24–32 KB leaves L1 ~23 KB, so the weight comes from L2 on
    /// every row (s35g); a lower share trades a block an SM for L1 room.
    static let stagedCarveout: Int? = environmentVariable("RMSNORM_SMEM_CARVEOUT").flatMap(Int.init).map { min(max($0, 0), 100) }

    /// Whether at least one cluster of this cluster kernel fits the GPU (cached like the occupancy):
    /// a cluster of 16 needs 16 free SMs in one GPC, which not every GPU or partition has.
    func clusterFits(_ name: String, block: Int, shared: Int, clusterSize: Int) throws(CUDAError) -> Bool {
        let key = OccupancyKey(name: name, block: block, shared: shared)
        if let v = occupancy.withLock({ $0[key] }) { return v > 0 }
        let v = try functions[name]!.maxActiveClusters(
            LaunchConfiguration(grid: clusterSize, block: block, sharedMemoryBytes: shared))
        occupancy.withLock { $0[key] = v }
        return v > 0
    }

    /// The dynamic shared memory each function may take, as last raised (absent: the driver's default).
    let sharedLimit = Mutex<[String: Int]>([:])
    /// Each function's static shared memory (its `__shared__` arrays), read once when the module is loaded.
    let staticShared: [String: Int]

    /// Lets `name` launch with `bytes` of dynamic shared memory. The limit only ever rises: calls on other
    /// threads may launch the same function with less at the same time, and a limit lowered between another
    /// thread's raise and its launch failed that launch (CUDA_ERROR_INVALID_VALUE; `verify` runs cases
    /// concurrently). Also keeps the driver call off the hot path.
    func allowSharedMemory(_ name: String, _ bytes: Int) throws(CUDAError) {
        guard bytes > 0, let function = functions[name],
            Self.needsSharedMemoryOptIn(dynamic: bytes, static: staticShared[name] ?? 0)
        else { return }
        try sharedLimit.withLock { (limits) throws(CUDAError) in
            guard bytes > limits[name] ?? 0 else { return }
            try function.setMaxDynamicSharedMemory(bytes)
            limits[name] = bytes
        }
    }

    /// Whether a block with this much dynamic and static shared memory needs the raised limit: the two together may
    /// not pass 48 KB without it. s34g: a row of exactly 48 KB staged in shared memory (4096 × 24,576 bf16, 384 bytes
    /// of static scratch) failed its launch with CUDA_ERROR_INVALID_VALUE while the launcher raised the limit only above
    /// 48 KB of dynamic memory; so did session 33's pipelined plan with a 48 KB slice (s33c).
    static func needsSharedMemoryOptIn(dynamic: Int, static: Int) -> Bool {
        dynamic > 0 && dynamic + `static` > 48 * 1024
    }

    func blocksPerSM(_ name: String, block: Int, shared: Int) throws(CUDAError) -> Int {
        let key = OccupancyKey(name: name, block: block, shared: shared)
        if let v = occupancy.withLock({ $0[key] }) { return v }
        let v = max(1, try functions[name]!.maxActiveBlocksPerMultiprocessor(blockSize: block, sharedMemoryBytes: shared))
        occupancy.withLock { $0[key] = v }
        return v
    }
}

/// In-memory cache in front of the disk cache in front of NVRTC. Each specialisation is
/// compiled at most once per process, also when many threads ask at the same time.
public final class KernelCache: @unchecked Sendable {
    public static let shared = KernelCache()

    private struct Key: Hashable { var device: Int; var spec: KernelSpecialization; var arm: Int }
    private let state = Mutex<(loaded: [Key: LoadedKernels], stats: KernelCacheStatistics)>(([:], .init()))
    /// One lock per specialisation: a specialisation asked for by several threads compiles once,
    /// while different specialisations compile in parallel (NVRTC is thread-safe).
    private final class SpecLock: Sendable { let mutex = Mutex<Void>(()) }
    private let specLocks = Mutex<[KernelSpecialization: SpecLock]>([:])
    private func lock(for spec: KernelSpecialization) -> SpecLock {
        specLocks.withLock { locks in
            if let l = locks[spec] { return l }
            let l = SpecLock()
            locks[spec] = l
            return l
        }
    }
    public let directory: String

    public init(directory: String = KernelDiskCache.defaultDirectory) {
        self.directory = directory
    }

    public var statistics: KernelCacheStatistics { state.withLock { $0.stats } }

    /// CUBIN for a specialisation: from disk when a valid entry exists, else compiled (and stored).
    /// Concurrent callers asking for the same specialisation compile it once.
    public func cubin(for spec: KernelSpecialization, arch: Int) throws(CUDAError) -> [UInt8] {
        let result: Result<[UInt8], CUDAError> = lock(for: spec).mutex.withLock { _ in
            do throws(CUDAError) { return .success(try cubinUnlocked(for: spec, arch: arch)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private func cubinUnlocked(for spec: KernelSpecialization, arch: Int) throws(CUDAError) -> [UInt8] {
        let version = try NVRTC.version()
        let key = KernelDiskCache.key(for: spec, arch: arch, nvrtc: version)
        if let cached = KernelDiskCache.read(directory: directory, key: key) {
            state.withLock { $0.stats.diskHits += 1 }
            return cached
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let cubin = try NVRTC.compileToCUBIN(
            source: KernelSource.text, name: "rmsnorm.cu", options: spec.compileOptions(arch: arch))
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        state.withLock { $0.stats.compiles += 1; $0.stats.compileSeconds += seconds }
        KernelDiskCache.write(directory: directory, key: key, cubin: cubin)
        return cubin
    }

    func kernels(for spec: KernelSpecialization, device: CUDADevice) throws(CUDAError) -> LoadedKernels {
        let key = Key(device: device.ordinal, spec: spec, arm: KernelSpecialization.experimentArm)
        if let hit = state.withLock({ s -> LoadedKernels? in
            if let k = s.loaded[key] { s.stats.memoryHits += 1; return k }
            return nil
        }) { return hit }
        let result: Result<LoadedKernels, CUDAError> = lock(for: spec).mutex.withLock { _ in
            if let k = state.withLock({ $0.loaded[key] }) { return .success(k) }
            do {
                let bytes = try cubinUnlocked(for: spec, arch: device.arch)
                let module = try device.loadModule(cubin: bytes)
                let loaded = try LoadedKernels(module: module, names: spec.kernelNames)
                state.withLock { $0.loaded[key] = loaded }
                return .success(loaded)
            } catch let e as CUDAError {
                return .failure(e)
            } catch {
                return .failure(.other("\(error)"))
            }
        }
        return try result.get()
    }
}

// MARK: - Hashing

/// FNV-1a, 128-bit: a stable, dependency-free hash for cache keys and checksums.
func fnv1a128(_ bytes: [UInt8]) -> [UInt8] {
    // Two independent 64-bit FNV-1a lanes (different offsets) give 128 bits of key.
    var a: UInt64 = 0xcbf2_9ce4_8422_2325
    var b: UInt64 = 0x6c62_272e_07bb_0142
    for byte in bytes {
        a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        b = (b ^ UInt64(byte ^ 0x5a)) &* 0x0000_0100_0000_01b3
    }
    var out: [UInt8] = []
    for v in [a, b] { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    return out
}

func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    var s = ""
    for b in bytes { s.append(digits[Int(b >> 4)]); s.append(digits[Int(b & 15)]) }
    return s
}
