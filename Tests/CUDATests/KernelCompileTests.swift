import Foundation
import Synchronization
import Testing
@testable import RMSNorm
@testable import _CUDA

/// NVRTC must be installed for these (CI installs the PyPI package `nvidia-cuda-nvrtc`).
/// Set RMSNORM_REQUIRE_NVRTC=1 to make its absence a failure rather than a skip.
let nvrtcAvailable: Bool = (try? NVRTC.version()) != nil
let nvrtcRequired = ProcessInfo.processInfo.environment["RMSNORM_REQUIRE_NVRTC"] == "1"

@Suite struct KernelCompileTests {
    @Test func nvrtcIsPresentWhenRequired() throws {
        if nvrtcRequired {
            let v = try NVRTC.version()
            #expect(v.major >= 12)
        }
    }

    /// Every specialisation the launcher can pick compiles for Ampere and Hopper, and the CUBIN
    /// holds every kernel entry point the launcher may name.
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [80, 90])
    func everySpecializationCompiles(arch: Int) throws {
        let specs = KernelSpecialization.all
        #expect(specs.count == 38)
        for spec in specs {
            let cubin = try NVRTC.compileToCUBIN(
                source: KernelSource.text, name: "rmsnorm.cu", options: spec.compileOptions(arch: arch))
            #expect(cubin.count > 1000)
            #expect(Array(cubin.prefix(4)) == [0x7f, 0x45, 0x4c, 0x46], "CUBIN is an ELF file")
            let text = String(decoding: cubin, as: UTF8.self)
            for name in spec.kernelNames {
                #expect(text.contains(name), "\(spec) sm_\(arch): \(name) missing")
            }
        }
    }

    /// The variant modules (fused add, casting modes, fp8 output, backward) compile for Ampere
    /// (fp8 through the software conversion) and Hopper (the hardware one), with every entry point.
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [80, 90])
    func variantSpecializationsCompile(arch: Int) throws {
        let specs = KernelSpecialization.variants
        #expect(specs.count == 66)  // 32 variant modules, 16 TINY_EPS ones, 6 with RECOMPUTE alone, 3 fused-add row modules with HLATE, 3 holding the weight, 3 forward and 3 fused-add row modules keeping y in L2
        let failures = compileConcurrently(specs, arch: arch) { spec, text in
            spec.kernelNames.filter { !text.contains($0) }.map { "\($0) missing" }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// The backward's lean loop forms (V42) are chosen per kernel family by `BWD_LEAN_*` defines; the
    /// comparisons force them on and off through RMSNORM_KERNEL_DEFINES, so both extremes must compile
    /// for every backward module (each input type, widest and narrowest vector, residual, recompute). The other
    /// comparison defines ride along: plain loads in the fused kernel (`BWD_XPOLICY=0`, V45) and its row blocks
    /// first (`BWD_COLS_FIRST=0`, before V46) with mask 0, evict_last loads in the one-row kernel
    /// (`BWD_ONE_XPOLICY=2`) with mask 15. So do session 41's: two rows in flight in every 32-element kernel (`BWD_PF2=1`,
    /// fp32 and the residual gradient's included, V104), the rows prefetched into L2 (`BWD_L2PF`, V103) and the threads a
    /// row fixed in the full module (`BWD_TPR`, the vehicle of V105's A/B).
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: ["0", "15"])
    func backwardLeanMasksCompile(mask: String) throws {
        let families = ["BWD_LEAN_REG", "BWD_LEAN_R128", "BWD_LEAN_ASYNC", "BWD_LEAN_ASYNC_R128", "BWD_LEAN_FUSED", "BWD_LEAN_ONE"]
        let specs = KernelSpecialization.variants.filter(\.backward)
        #expect(specs.count == 24)
        let defines = families.map { ($0, mask) } + [("BWD_PF2", "1"), ("BWD_L2PF", "4"), ("BWD_TPR", "256")]
            + (mask == "0" ? [("BWD_XPOLICY", "0"), ("BWD_COLS_FIRST", "0")] : [("BWD_ONE_XPOLICY", "2")])
        let failures = compileConcurrently(specs, arch: 90, extraDefines: defines) { spec, text in
            spec.kernelNames.filter { !text.contains($0) }.map { "mask \(mask): \($0) missing" }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// The forward's L2 policies (`YPOLICY` on the stores of y, `XPOLICY` on the loads of x) are set by the launcher
    /// on short-row modules (V66) and can be switched on anywhere through RMSNORM_KERNEL_DEFINES, so with them set the
    /// forward modules must still compile with every entry point: each input type in full and row modules, with and
    /// without a 16-bit packed weight, the fused add, casting mode none with an fp32 weight and fp8 output (stores
    /// narrower than 16 bytes), one element a vector.
    /// The second set keeps only part of y evict_last (YFRAC), the rest evict_first (YSECOND).
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [
        [("YPOLICY", "2"), ("XPOLICY", "1")],
        [("YPOLICY", "2"), ("XPOLICY", "1"), ("YFRAC", "0.5"), ("YSECOND", "1")],
    ])
    func forwardPolicyDefinesCompile(defines: [(String, String)]) throws {
        var specs: [KernelSpecialization] = []
        for input in DType.allCases {
            for tpr in [0, 16, 128, 512] {
                var s = KernelSpecialization(input: input, weight: input, vectorWidth: 16 / input.size)
                s.rowThreads = tpr
                specs.append(s)
            }
            specs.append(KernelSpecialization(input: input, weight: .float32, vectorWidth: 16 / input.size, residual: true,
                casting: .none, fp8Output: true))
            specs.append(KernelSpecialization(input: input, weight: input, vectorWidth: 1))
        }
        let failures = compileConcurrently(specs, arch: 90, extraDefines: defines) { spec, text in
            spec.kernelNames.filter { !text.contains($0) }.map { "\($0) missing" }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// The experiment defines kept as switches (off by default; RMSNORM_KERNEL_DEFINES sets them): the block-per-row and
    /// cluster kernels' L1 policies (`XL1`, `WL1`), their first pass's paired tail loads (`SLICE_PAIRS`), the cluster
    /// arrives with release semantics again (`CLUSTER_READ_RELAXED=0`) or a fence by the slot's writer alone
    /// (`CLUSTER_FENCE_ONE`), and every register kernel holding its weight at a 512-thread bound (`WREG_ALL`,
    /// `REG_BOUND`), and the small rows' weight read late with the fused add's packed sum everywhere (`WREG_SMALL=0`,
    /// `HADD_PACKED`, session 40), and the next wave's rows prefetched into L2 (`FWD_L2PF`, session 41): the full forward
    /// modules of each
    /// input type, with the fused add and tiny eps, and one element a vector, must still compile with every entry point.
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [
        [("XL1", "1"), ("WL1", "1")],
        [("SLICE_PAIRS", "1"), ("CLUSTER_READ_RELAXED", "0"), ("CLUSTER_FENCE_ONE", "1")],
        [("WREG_ALL", "1"), ("REG_BOUND", "512")],
        [("WREG_SMALL", "0"), ("HADD_PACKED", "1")],
        [("FWD_L2PF", "264")],
    ])
    func blockRowExperimentDefinesCompile(defines: [(String, String)]) throws {
        var specs: [KernelSpecialization] = []
        for input in DType.allCases {
            specs.append(KernelSpecialization(input: input, weight: input, vectorWidth: 16 / input.size))
            specs.append(KernelSpecialization(input: input, weight: input, vectorWidth: 16 / input.size, residual: true, tinyEps: true))
            specs.append(KernelSpecialization(input: input, weight: .float32, vectorWidth: 1))
        }
        let failures = compileConcurrently(specs, arch: 90, extraDefines: defines) { spec, text in
            spec.kernelNames.filter { !text.contains($0) }.map { "\($0) missing" }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// `ROW_MINB` (an experiment define, session 26) bounds one row module's register kernels at that many blocks an
    /// SM: the row modules of every type at 128, 256 and 512 threads must still compile with every entry point, the
    /// bounded one (256 by default, `ROW_MINB_TPR` for another) and the others alike, with the packed weight or without;
    /// likewise the modules that read x twice (`REFETCH`), with the chunked second pass and without the L1 priority.
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [
        [("ROW_MINB", "5")],
        [("ROW_MINB", "5"), ("PACKED32", "0")],
        [("ROW_MINB", "10"), ("ROW_MINB_TPR", "128")],
        [("ROW_MINB", "5"), ("PACKED_WREG", "0")],
        [("REFETCH", "1")],
        [("REFETCH", "1"), ("ROW_MINB", "5"), ("PACKED32", "0")],
        [("REFETCH", "1"), ("REFETCH_CHUNKED", "1"), ("REFETCH_L1", "0")],
    ])
    func rowBoundDefinesCompile(defines: [(String, String)]) throws {
        var specs: [KernelSpecialization] = []
        for input in DType.allCases {
            for tpr in [128, 256, 512] {
                var s = KernelSpecialization(input: input, weight: input, vectorWidth: 16 / input.size)
                s.rowThreads = tpr
                specs.append(s)
            }
        }
        let failures = compileConcurrently(specs, arch: 90, extraDefines: defines) { spec, text in
            spec.kernelNames.filter { !text.contains($0) }.map { "\($0) missing" }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// The forward modules that take the high-bandwidth row rules (``LaunchPlan/takesRowRules(casting:fp8Output:fusedAdd:)``):
    /// the default casting mode, the LLaMA mode (V82) and fp8 output (V83).
    static let rowRuleForms: [(CastingMode, Bool)] = [(.gemma, false), (.llama, false), (.gemma, true)]

    /// V71's modules (bf16 rows of 256 threads bounded at 5 blocks an SM; plain, tiny eps, programmatic dependent
    /// launch; the default casting mode, the LLaMA mode and fp8 output): the 4-vector kernel fits 48 registers (5 × 256
    /// threads in 64 Ki, registers taken 8 a thread at a time) with no stack frame, since a spill cost 20–26% on an H200
    /// (V69).
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [(false, false), (true, false), (false, true)])
    func boundedRowModuleDoesNotSpill(tinyEps: Bool, dependentLaunch: Bool) throws {
        for (casting, fp8) in Self.rowRuleForms {
            var spec = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, casting: casting,
                fp8Output: fp8, tinyEps: tinyEps)
            spec.dependentLaunch = dependentLaunch
            spec.rowThreads = 256
            spec.rowMinBlocks = 5
            let (registers, stack) = try ptxasReport(spec, kernel: "rmsnorm_fwd_row_npt4")
            #expect(stack == 0, "\(spec)")
            #expect(registers.map { $0 <= 48 } == true, "\(spec): \(registers ?? -1) registers")
        }
    }

    /// V104: with ``KernelSpecialization/twoRowsInFlight`` (`RMSNORM_BWD_TWO_ROWS=1`) the backward's 32-element register
    /// kernel keeps two rows in flight (`BWD_PF2`) for 16-bit x without the residual gradient, and there it fits 248
    /// registers with no stack frame (two blocks of 128 threads an SM, as with one row in flight); fp32 x (it spills) and
    /// the residual gradient's modules ignore the flag (their cubin is the one without it), and without the flag every
    /// module is the one-row kernel (off by default until verified on a GPU).
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired))
    func backwardTwoRowsInFlight() throws {
        // (Each form is two or three compiles of a full backward module: the forms are few.)
        var pdl = KernelSpecialization(input: .float16, weight: .float32, vectorWidth: 8, backward: true)
        pdl.dependentLaunch = true
        let forms: [(KernelSpecialization, Bool)] = [
            (KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, backward: true), true),
            (pdl, true),
            (KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, residual: true, backward: true), false),
            (KernelSpecialization(input: .float32, weight: .float32, vectorWidth: 4, backward: true), false),
        ]
        #expect(!KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, backward: true).twoRowsInFlight)
        for (spec, twoRows) in forms {
            var on = spec
            on.twoRowsInFlight = true
            let a = try NVRTC.compileToCUBIN(source: KernelSource.text, name: "rmsnorm.cu", options: on.compileOptions(arch: 90))
            let b = try NVRTC.compileToCUBIN(source: KernelSource.text, name: "rmsnorm.cu", options: spec.compileOptions(arch: 90))
            #expect((a != b) == twoRows, "\(on): the flag \(a == b ? "changes nothing" : "changes the module")")
            guard twoRows else { continue }
            let (registers, stack) = try ptxasReport(on, kernel: "rmsnorm_bwd_reg_npt4")
            #expect(stack == 0, "\(on)")
            #expect(registers.map { $0 <= 248 } == true, "\(on): \(registers ?? -1) registers")
        }
    }

    /// V105: the backward row modules (the persistent register kernels and the dw reduction, threads a row fixed at
    /// compile time) compile with every kernel they name, for the launcher's threads a row (224 and 256: the 32-element
    /// kernel; 320: the `_r128` one), bf16 and fp16, with and without programmatic dependent launch and two rows in
    /// flight; the 32-element kernel with no stack frame.
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired))
    func backwardRowModulesCompile() throws {
        var specs: [KernelSpecialization] = []
        for (input, tpr, pdl) in [(DType.bfloat16, 224, false), (.bfloat16, 320, true), (.float16, 256, false)] {
            var s = KernelSpecialization(input: input, weight: input, vectorWidth: 8, backward: true)
            s.rowThreads = tpr
            s.backwardRows = true
            s.dependentLaunch = pdl
            s.twoRowsInFlight = tpr == 224
            specs.append(s)
        }
        let failures = compileConcurrently(specs, arch: 90) { spec, text in
            spec.kernelNames.filter { !text.contains($0) }.map { "\($0) missing" }
        }
        #expect(failures.isEmpty, "\(failures)")
        let (_, stack) = try ptxasReport(specs[0], kernel: "rmsnorm_bwd_reg_npt4")
        #expect(stack == 0, "\(specs[0])")
    }

    /// V73's modules (x read twice): 16-bit rows of 4 × 256 fit 48 registers (5 blocks an SM), fp32 rows of 2 × 512
    /// fit 32 (4 blocks of 512), with no stack frame; plain, tiny eps, and programmatic dependent launch; the default
    /// casting mode, the LLaMA mode and fp8 output.
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [
        (DType.bfloat16, 256, 4, 48), (.float16, 256, 4, 48), (.float32, 512, 2, 32),
    ])
    func refetchModulesFitTheirBlocks(input: DType, threads: Int, vectors: Int, maxRegisters: Int) throws {
        for (tinyEps, dependentLaunch) in [(false, false), (true, false), (false, true)] {
            for (casting, fp8) in Self.rowRuleForms {
                var spec = KernelSpecialization(input: input, weight: input, vectorWidth: 16 / input.size, casting: casting,
                    fp8Output: fp8, tinyEps: tinyEps)
                spec.dependentLaunch = dependentLaunch
                spec.rowThreads = threads
                spec.refetch = true
                let (registers, stack) = try ptxasReport(spec, kernel: "rmsnorm_fwd_row_npt\(vectors)")
                #expect(stack == 0, "\(spec)")
                #expect(registers.map { $0 <= maxRegisters } == true, "\(spec): \(registers ?? -1) registers")
            }
        }
    }

    /// V75: the two reads of x in a module that reads it twice carry their eviction priority for L1 as well as for L2
    /// (`L1::evict_last` then `L1::evict_first`, each with its `L2::cache_hint` policy); the same row module without
    /// `REFETCH` carries no L1 priority (its x loads keep the L2 policy alone).
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [(DType.bfloat16, 256), (.float16, 256), (.float32, 512)])
    func refetchReadsCarryL1Priority(input: DType, threads: Int) throws {
        var spec = KernelSpecialization(input: input, weight: input, vectorWidth: 16 / input.size)
        spec.rowThreads = threads
        let plain = try NVRTC.compileToPTX(source: KernelSource.text, name: "rmsnorm.cu", options: spec.compileOptions(arch: 90))
        spec.refetch = true
        let twice = try NVRTC.compileToPTX(source: KernelSource.text, name: "rmsnorm.cu", options: spec.compileOptions(arch: 90))
        for priority in ["evict_last", "evict_first"] {
            #expect(twice.contains("ld.global.L1::\(priority).L2::cache_hint.v4.u32"), "\(spec): no L1::\(priority) load")
            #expect(!plain.contains("L1::\(priority)"), "\(spec) without refetch: L1::\(priority)")
        }
        #expect(plain.contains("L2::cache_hint"), "\(spec) without refetch: x's L2 policy missing")
    }

    /// V80: the fused add's row modules that read x and the residual twice (2 vectors × 256 / 512, fp32 2 × 512, bf16
    /// 4 × 256) compile with no stack frame, in every form the launcher may use (plain, tiny eps, programmatic dependent
    /// launch), and their PTX carries both reads' L1 priorities, which the read-once module of the fused add lacks.
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [
        (DType.bfloat16, 256, 2), (.bfloat16, 512, 2), (.float16, 256, 2), (.float32, 512, 2), (.bfloat16, 256, 4),
    ])
    func fusedAddRefetchModules(input: DType, threads: Int, vectors: Int) throws {
        for (tinyEps, dependentLaunch) in [(false, false), (true, false), (false, true)] {
            var spec = KernelSpecialization(input: input, weight: input, vectorWidth: 16 / input.size, residual: true,
                tinyEps: tinyEps)
            spec.dependentLaunch = dependentLaunch
            spec.rowThreads = threads
            let once = try NVRTC.compileToPTX(source: KernelSource.text, name: "rmsnorm.cu", options: spec.compileOptions(arch: 90))
            spec.refetch = true
            let (_, stack) = try ptxasReport(spec, kernel: "rmsnorm_fwd_row_npt\(vectors)")
            #expect(stack == 0, "\(spec)")
            let twice = try NVRTC.compileToPTX(source: KernelSource.text, name: "rmsnorm.cu", options: spec.compileOptions(arch: 90))
            for priority in ["evict_last", "evict_first"] {
                #expect(twice.contains("ld.global.L1::\(priority).L2::cache_hint.v4.u32"), "\(spec): no L1::\(priority) load")
                #expect(!once.contains("L1::\(priority)"), "\(spec) read once: L1::\(priority)")
            }
        }
    }

    /// V102: the fused add's module with the packed sum (`HADD_PACKED`, which the launcher sets on bf16's 4 × 512 rows read
    /// twice) compiles in every form the launcher may use with no stack frame, and adds x and the residual with the packed
    /// instruction, which the same module without it never uses; fp16's packed form compiles too (an experiment only).
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [DType.bfloat16, .float16])
    func fusedAddPackedSumModule(input: DType) throws {
        let instruction = input == .bfloat16 ? "add.rn.bf16x2" : "add.rn.f16x2"
        for (tinyEps, dependentLaunch) in [(false, false), (true, false), (false, true)] {
            var spec = KernelSpecialization(input: input, weight: input, vectorWidth: 8, residual: true, tinyEps: tinyEps)
            spec.dependentLaunch = dependentLaunch
            spec.rowThreads = 512
            spec.refetch = true
            let plain = try NVRTC.compileToPTX(source: KernelSource.text, name: "rmsnorm.cu", options: spec.compileOptions(arch: 90))
            spec.packedSum = true
            let (_, stack) = try ptxasReport(spec, kernel: "rmsnorm_fwd_row_npt4")
            #expect(stack == 0, "\(spec)")
            let packed = try NVRTC.compileToPTX(source: KernelSource.text, name: "rmsnorm.cu", options: spec.compileOptions(arch: 90))
            #expect(packed.contains(instruction), "\(spec): no \(instruction)")
            #expect(!plain.contains(instruction), "\(spec) without the packed sum: \(instruction)")
        }
    }

    /// V84: in the LLaMA casting mode the 16-bit row kernels read once (plain, or bounded at 5 blocks; y of the input
    /// type or fp8) round x·rstd to the input type two elements at a time (`cvt.rn.bf16x2.f32` / `cvt.rn.f16x2.f32`),
    /// with no one-element conversion left; with `CAST_PAIRS=0`, and in the modules that read x twice (where pairs
    /// measured slower), the one-element conversions are there, so the count tells the two apart.
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [DType.bfloat16, .float16])
    func llamaRowKernelsRoundInPairs(input: DType) throws {
        let name = input == .bfloat16 ? "bf16" : "f16"
        for fp8 in [false, true] {
            for form in 0..<3 {
                var spec = KernelSpecialization(input: input, weight: input, vectorWidth: 8, casting: .llama, fp8Output: fp8)
                spec.rowThreads = 256
                if form == 1 { spec.refetch = true }
                if form == 2 { spec.rowMinBlocks = 5 }
                for forced in [false, true] where !(forced && form == 1) {
                    var options = spec.compileOptions(arch: 90)
                    if forced { options.extra.append("-DCAST_PAIRS=0") }
                    let pairs = !forced && form != 1
                    let ptx = try NVRTC.compileToPTX(source: KernelSource.text, name: "rmsnorm.cu", options: options)
                    for kernel in spec.kernelNames where kernel.hasPrefix("rmsnorm_fwd_row_") {
                        guard let start = ptx.range(of: ".entry \(kernel)(") else { Issue.record("\(spec): \(kernel) missing"); continue }
                        let rest = ptx[start.upperBound...]
                        let body = String(rest.range(of: ".entry ").map { rest[..<$0.lowerBound] } ?? rest)
                        let single = body.components(separatedBy: "cvt.rn.\(name).f32").count - 1
                        let paired = body.components(separatedBy: "cvt.rn.\(name)x2.f32").count - 1
                        if pairs {
                            #expect(single == 0 && paired > 0, "\(spec): \(kernel) \(single) one-element, \(paired) paired")
                        } else {
                            #expect(single > 0, "\(spec)\(forced ? " CAST_PAIRS=0" : ""): \(kernel) has no one-element conversion")
                        }
                    }
                }
            }
        }
    }

    /// The kernels launched with dynamic shared memory keep their static scratch within the 1 KB the planner holds back
    /// (`LaunchPlan.make`: slices and rows up to the opt-in limit less 1 KB), and that scratch is why a plan of exactly
    /// 48 KB of dynamic memory needs the raised limit (s34g: such launches failed while the launcher raised it only above
    /// 48 KB of dynamic memory).
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [
        KernelSpecialization(input: .float32, weight: .float32, vectorWidth: 4),
        KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8),
        KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 1),
        KernelSpecialization(input: .float16, weight: .float32, vectorWidth: 8, residual: true),
        KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, backward: true),
    ])
    func sharedMemoryKernelsStaticScratch(spec: KernelSpecialization) throws {
        var options = spec.compileOptions(arch: 90)
        options.extra.append("--ptxas-options=-v")
        let log = try NVRTC.compile(source: KernelSource.text, name: "rmsnorm.cu", options: options).log
        let parts = log.components(separatedBy: "Compiling entry function '")
        // The backward's staged kernels (their plans leave 1 KB for it: `stagedBackwardLeavesRoomForStaticScratch`).
        let kernels = spec.backward ? ["rmsnorm_bwd_async_npt2", "rmsnorm_bwd_async_npt2_r128", "rmsnorm_bwd_async_npt2_rng"]
            : ["rmsnorm_fwd_smem", "rmsnorm_fwd_smem_c2", "rmsnorm_fwd_smem_c4", "rmsnorm_fwd_smem_c8", "rmsnorm_fwd_smem_c16",
                "rmsnorm_fwd_smem_c2_b2", "rmsnorm_fwd_smem_c16_b2"]
        for kernel in kernels {
            // "Used R registers, used B barriers, S bytes smem" (no smem field: none).
            guard let part = parts.first(where: { $0.hasPrefix(kernel + "'") }),
                let used = part.components(separatedBy: "Used ").dropFirst().first?.split(separator: "\n").first
            else { Issue.record("no ptxas report for \(kernel) in \(spec)"); continue }
            let fields = used.components(separatedBy: ", ")
            let smem = fields.first { $0.hasSuffix("bytes smem") }.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
            #expect(smem > 0 && smem <= 1024, "\(spec) \(kernel): \(smem) bytes of static shared memory")
            #expect(LoadedKernels.needsSharedMemoryOptIn(dynamic: 48 * 1024, static: smem))
            #expect(!LoadedKernels.needsSharedMemoryOptIn(dynamic: 48 * 1024 - smem, static: smem))
        }
    }

    @Test func sharedMemoryOptInCountsStaticScratch() {
        #expect(!LoadedKernels.needsSharedMemoryOptIn(dynamic: 48 * 1024, static: 0))
        #expect(LoadedKernels.needsSharedMemoryOptIn(dynamic: 48 * 1024, static: 384))
        #expect(LoadedKernels.needsSharedMemoryOptIn(dynamic: 48 * 1024 - 383, static: 384))
        #expect(!LoadedKernels.needsSharedMemoryOptIn(dynamic: 48 * 1024 - 384, static: 384))
        #expect(LoadedKernels.needsSharedMemoryOptIn(dynamic: 64 * 1024, static: 0))
        #expect(!LoadedKernels.needsSharedMemoryOptIn(dynamic: 0, static: 1024), "no dynamic memory: nothing to raise")
    }

    /// ptxas's registers and stack frame (bytes) for `kernel` in `spec`'s module (sm_90); nil where the report lacks them.
    func ptxasReport(_ spec: KernelSpecialization, kernel: String) throws -> (registers: Int?, stack: Int?) {
        var options = spec.compileOptions(arch: 90)
        options.extra.append("--ptxas-options=-v")
        let log = try NVRTC.compile(source: KernelSource.text, name: "rmsnorm.cu", options: options).log
        // ptxas: "Compiling entry function 'NAME'", then "N bytes stack frame, …" and "Used R registers".
        let parts = log.components(separatedBy: "Compiling entry function '")
        guard let part = parts.first(where: { $0.hasPrefix(kernel + "'") }) else {
            Issue.record("no ptxas report for \(kernel) in: \(log)"); return (nil, nil)
        }
        // This kernel's report ends at its register line (what follows belongs to the functions it calls).
        let sections = part.components(separatedBy: "Used ")
        let registers = sections.dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) }
        let stack = sections[0].components(separatedBy: " bytes stack frame").first
            .flatMap { Int($0.reversed().prefix { $0.isNumber }.reversed().map(String.init).joined()) }
        return (registers, stack)
    }

    /// Row modules (only the loop-free register kernels, tpr fixed at compile time) compile for every
    /// input type, the widest and the narrowest vector, the smallest and largest tpr, and with the
    /// variant flags the forward-style variants add; each holds every row kernel its full module has.
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [80, 90])
    func rowModulesCompile(arch: Int) throws {
        var list: [KernelSpecialization] = []
        for input in DType.allCases {
            for vec in [16 / input.size, 1] {
                for tpr in [1, 32, 256, 1024] {
                    var s = KernelSpecialization(input: input, weight: input, vectorWidth: vec)
                    s.rowThreads = tpr
                    list.append(s)
                }
            }
            var v = KernelSpecialization(input: input, weight: .float32, vectorWidth: 16 / input.size, residual: true,
                casting: .llama, fp8Output: true, tinyEps: true)
            v.rowThreads = 128
            list.append(v)
            // One row's backward (V47): the one-block sizes the launcher plans (33 to 1,024 threads).
            for (tpr, weight) in [(64, input), (1024, DType.float32)] {
                var b = KernelSpecialization(input: input, weight: weight, vectorWidth: 16 / input.size, backward: true)
                b.rowThreads = tpr
                list.append(b)
            }
        }
        let failures = compileConcurrently(list, arch: arch) { spec, text in
            var full = spec
            full.rowThreads = 0
            let expected = full.kernelNames.filter {
                $0.hasPrefix(spec.backward ? "rmsnorm_bwd_one_npt" : "rmsnorm_fwd_row_npt") || $0.hasPrefix("rmsnorm_fwd_ai_npt")
            }
            var problems = spec.kernelNames == expected ? [] : ["names \(spec.kernelNames)"]
            problems += expected.filter { !text.contains($0) }.map { "\($0) missing" }
            // Nothing else: no persistent, shared-memory or utility kernel in a row module; no other backward kernel.
            problems += ["rmsnorm_fwd_reg_npt1", "rmsnorm_fwd_smem", "rmsnorm_flush", "rmsnorm_bwd_fused_npt1", "rmsnorm_bwd_reg_npt1",
                "rmsnorm_bwd_loop", "rmsnorm_dw_reduce"].filter { text.contains($0) }.map { "\($0) present" }
            return problems
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// The backward kernels with dw partial rows store them as float4 in modules whose vectors are multiples of 4
    /// (V57: one float a store put each lane's 4 bytes in its own sector); the one scalar store left in the register
    /// kernels is the several-rows-a-block sum, one float a thread in consecutive columns.
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired))
    func partialRowsAreStoredAsFloat4() throws {
        for (input, vec) in [(DType.bfloat16, 8), (.float32, 4), (.float16, 8)] {
            for residual in [false, true] {
                let s = KernelSpecialization(input: input, weight: input, vectorWidth: vec, residual: residual, backward: true)
                let ptx = try NVRTC.compileToPTX(source: KernelSource.text, name: "rmsnorm.cu", options: s.compileOptions(arch: 90))
                for name in s.kernelNames where name.hasPrefix("rmsnorm_bwd_reg_") || name.hasPrefix("rmsnorm_bwd_async_")
                    || name == "rmsnorm_bwd_loop"
                {
                    guard let start = ptx.range(of: ".entry \(name)(") else { Issue.record("\(s): \(name) missing"); continue }
                    let rest = ptx[start.upperBound...]
                    let body = String(rest.range(of: ".entry ").map { rest[..<$0.lowerBound] } ?? rest)
                    let vector = body.components(separatedBy: "st.global.v4.f32").count - 1
                    let scalar = body.components(separatedBy: "st.global.f32").count - 1
                    // (fp32's loop kernel also stores dx one float at a time: not a partial row.)
                    let allowed = name != "rmsnorm_bwd_loop" ? 1 : input == .float32 ? Int.max : 0
                    #expect(vector >= 2 && scalar <= allowed, "\(s): \(name) \(vector) float4, \(scalar) float stores")
                }
            }
        }
    }

    /// Which plans run from a row module, and the module's options.
    @Test func rowModuleChoice() {
        let spec = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8)
        let row = LaunchPlan(path: .registers(vectorsPerThread: 2), vectorWidth: 8, threadsPerRow: 256, blockSize: 256,
            sharedMemoryBytes: 0, persistent: false)
        let r = spec.rowModule(for: row)
        #expect(r?.rowThreads == 256)
        #expect(r?.compileOptions(arch: 90).flags.contains("-DROW_TPR=256") == true)
        #expect(r?.kernelNames == ["rmsnorm_fwd_row_npt1", "rmsnorm_fwd_row_npt2", "rmsnorm_fwd_row_npt4",
            "rmsnorm_fwd_ai_npt1", "rmsnorm_fwd_ai_npt2", "rmsnorm_fwd_ai_npt4"])
        #expect(r?.kernelNames.contains(row.kernelName) == true)
        #expect(!spec.compileOptions(arch: 90).flags.contains { $0.contains("ROW_TPR") })
        // The full module keeps everything else: persistent grids, shared memory, clusters, the backward.
        var persistent = row
        persistent.persistent = true
        #expect(spec.rowModule(for: persistent) == nil)
        #expect(spec.rowModule(for: LaunchPlan(path: .sharedMemory, vectorWidth: 8, threadsPerRow: 512, blockSize: 512,
            sharedMemoryBytes: 8192, persistent: false)) == nil)
        var interior = row
        interior.alignedInterior = true
        #expect(spec.rowModule(for: interior)?.kernelNames.contains(interior.kernelName) == true)
        // No aligned interior where the fused add or the fp8 output is compiled in.
        #expect(!KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, residual: true)
            .rowModule(for: row)!.kernelNames.contains(interior.kernelName))
        let backward = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, backward: true)
        #expect(backward.rowModule(for: row) == nil)
        // One row's backward in one block (V47) runs from the module of its block size; the fused and
        // many-row backward plans, and the rstd recomputed, from the full module.
        let one = LaunchPlan.backward(rows: 1, columns: 4096, elementSize: 2, vectorWidth: 8, savedRstd: true)
        #expect(one.backwardSingleBlock)
        let b = backward.rowModule(for: one)
        #expect(b?.rowThreads == one.blockSize && b?.backward == true)
        #expect(b?.compileOptions(arch: 90).flags.contains("-DROW_TPR=\(one.blockSize)") == true)
        #expect(b?.kernelNames == ["rmsnorm_bwd_one_npt1", "rmsnorm_bwd_one_npt2"])
        #expect(backward.rowModule(for: LaunchPlan.backward(rows: 7, columns: 4096, elementSize: 2, vectorWidth: 8, savedRstd: true)) == nil)
        #expect(backward.rowModule(for: LaunchPlan.backward(rows: 4096, columns: 4096, elementSize: 2, vectorWidth: 8, savedRstd: true)) == nil)
        let recompute = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, backward: true, recompute: true)
        #expect(recompute.rowModule(for: one) == nil)
        // Variant flags carry over.
        let add = KernelSpecialization(input: .float16, weight: .float32, vectorWidth: 8, residual: true, fp8Output: true)
        #expect(add.rowModule(for: row)?.residual == true && add.rowModule(for: row)?.fp8Output == true)
    }

    /// The modules for streams with programmatic dependent launch (`PDL`): in every kernel the launcher
    /// may start as a dependent, `griddepcontrol.wait` comes before the first load from global memory
    /// (anything earlier could read what the previous kernel has not yet written) and the kernel lets
    /// its own dependents start. Without the flag, only the launcher's kernel pairs have these instructions:
    /// the split row's, and the backward's kernels with partial rows and their dw reduction (V54).
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired))
    func dependentLaunchModulesWaitBeforeTheyRead() throws {
        func spec(_ input: DType, _ vec: Int, residual: Bool = false, backward: Bool = false, fp8: Bool = false,
            rowThreads: Int = 0, pdl: Bool) -> KernelSpecialization {
            var s = KernelSpecialization(input: input, weight: input, vectorWidth: vec, residual: residual,
                fp8Output: fp8, backward: backward)
            s.rowThreads = rowThreads
            s.dependentLaunch = pdl
            return s
        }
        let never = ["rmsnorm_fill_normal", "rmsnorm_flush", "rmsnorm_spin"]  // never launched as dependents
        for pdl in [true, false] {
            let specs = [spec(.float32, 4, pdl: pdl), spec(.bfloat16, 8, residual: true, pdl: pdl), spec(.float16, 1, fp8: true, pdl: pdl),
                spec(.bfloat16, 8, backward: true, pdl: pdl), spec(.float32, 1, backward: true, pdl: pdl),
                spec(.bfloat16, 8, rowThreads: 128, pdl: pdl), spec(.float16, 8, backward: true, rowThreads: 512, pdl: pdl)]
            for s in specs {
                #expect(s.compileOptions(arch: 90).flags.contains("-DPDL=1") == pdl)
                let ptx = try NVRTC.compileToPTX(source: KernelSource.text, name: "rmsnorm.cu", options: s.compileOptions(arch: 90))
                for name in s.kernelNames where !never.contains(name) {
                    guard let start = ptx.range(of: ".entry \(name)(") else { Issue.record("\(s): \(name) missing"); continue }
                    let rest = ptx[start.upperBound...]
                    let body = rest.range(of: ".entry ").map { rest[..<$0.lowerBound] } ?? rest
                    let wait = body.range(of: "griddepcontrol.wait")?.lowerBound
                    let trigger = body.range(of: "griddepcontrol.launch_dependents")?.lowerBound
                    let firstLoad = body.range(of: "ld.global")?.lowerBound
                    if pdl {
                        #expect(wait != nil && trigger != nil, "\(s): \(name) lacks the wait or the trigger")
                        if let wait, let firstLoad { #expect(wait < firstLoad, "\(s): \(name) loads before its wait") }
                    } else if name == "rmsnorm_fwd_split_norm" {  // loads the weight and x before its wait
                        #expect(wait != nil && trigger == nil, "\(s): \(name)")
                    } else if name == "rmsnorm_dw_reduce" {  // reads only the partial rows
                        #expect(wait != nil && trigger == nil, "\(s): \(name)")
                        if let wait, let firstLoad { #expect(wait < firstLoad, "\(s): \(name) loads before its wait") }
                    } else if name == "rmsnorm_fwd_split_sum" || name == "rmsnorm_bwd_loop"
                        || name.hasPrefix("rmsnorm_bwd_reg_") || name.hasPrefix("rmsnorm_bwd_async_")
                    {
                        #expect(wait == nil && trigger != nil, "\(s): \(name)")
                    } else {
                        #expect(wait == nil && trigger == nil, "\(s): \(name) has griddepcontrol without PDL")
                    }
                }
            }
        }
        // Before sm_90 the instructions do not exist; the module compiles without them.
        let ampere = try NVRTC.compileToPTX(source: KernelSource.text, name: "rmsnorm.cu",
            options: spec(.float32, 4, pdl: true).compileOptions(arch: 80))
        #expect(ampere.contains(".entry rmsnorm_fwd_row_npt1(") && !ampere.contains("griddepcontrol"))
    }

    @Test func variantFlagsOnlyWhenSet() {
        let plain = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8)
        #expect(!plain.compileOptions(arch: 90).flags.contains {
            $0.contains("RESID") || $0.contains("KIND") || $0.contains("CAST") || $0.contains("TINY_EPS")
        })
        let tiny = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8,
            tinyEps: KernelSpecialization.needsTinyEpsPath(eps: 0))
        #expect(tiny.compileOptions(arch: 90).flags.contains { $0.contains("TINY_EPS=1") })
        #expect(!KernelSpecialization.needsTinyEpsPath(eps: 1e-6) && !KernelSpecialization.needsTinyEpsPath(eps: 1e-20))
        let v = KernelSpecialization(input: .bfloat16, weight: .float32, vectorWidth: 8, residual: true, casting: .none,
            fp8Output: true, backward: true)
        let flags = v.compileOptions(arch: 90).flags
        for f in ["-DRESID=1", "-DCAST=2", "-DOUT_T=3", "-DKIND=1"] { #expect(flags.contains(f), "\(flags)") }
        // fp32 has one casting mode.
        #expect(KernelSpecialization(input: .float32, weight: .float32, vectorWidth: 4, casting: .llama).casting == .gemma)
    }

    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired))
    func compileErrorCarriesLogAndOptions() throws {
        let options = CompileOptions(arch: 90, defines: [("IN_T", "0")])
        do {
            _ = try NVRTC.compileToCUBIN(source: "this is not C++;", name: "bad.cu", options: options)
            Issue.record("bad source compiled")
        } catch let error {
            guard case .nvrtc(let e) = error else { Issue.record("wrong error \(error)"); return }
            #expect(e.log.contains("bad.cu"))
            #expect(e.options.contains("--gpu-architecture=sm_90"))
            #expect(e.description.contains("log:"))
        }
    }

    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired))
    func unsupportedArchitectureIsAClearError() throws {
        do {
            _ = try NVRTC.compileToCUBIN(
                source: KernelSource.text, name: "rmsnorm.cu", options: CompileOptions(arch: 11))
            Issue.record("sm_11 compiled")
        } catch {
            #expect(error.description.contains("sm_11"))
        }
    }
}

/// Compiles the specialisations in parallel (NVRTC is thread-safe); `check` lists the problems of one
/// CUBIN (as text, where entry-point names appear). Returns every problem and compile error.
private func compileConcurrently(
    _ specs: [KernelSpecialization], arch: Int, extraDefines: [(String, String)] = [],
    check: @escaping @Sendable (KernelSpecialization, String) -> [String]
) -> [String] {
    let failures = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: specs.count) { i in
        let spec = specs[i]
        var options = spec.compileOptions(arch: arch)
        options.defines += extraDefines
        do {
            let cubin = try NVRTC.compileToCUBIN(source: KernelSource.text, name: "rmsnorm.cu", options: options)
            let problems = check(spec, String(decoding: cubin, as: UTF8.self))
            failures.withLock { $0 += problems.map { "\(spec) sm_\(arch): \($0)" } }
        } catch {
            failures.withLock { $0.append("\(spec) sm_\(arch): \(error)") }
        }
    }
    return failures.withLock { $0 }
}
