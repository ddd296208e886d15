import Testing
import RMSNormTestSupport
@testable import RMSNorm

/// Every variant on the CPU against the fp64 reference: fresh random data, outputs poisoned,
/// strided / offset / in-place views, two runs of the backward bit-identical.
@Suite struct VariantTests {
    static let kinds = VariantKind.allCases

    @Test(arguments: kinds)
    func smallShapes(kind: VariantKind) throws {
        let cases = VariantCase.matrix(rows: [1, 7, 199], columns: [1, 3, 96, 769, 1000, 7168], maxElements: 60_000)
            .filter { $0.kind == kind }
        #expect(cases.count > 20)
        for c in cases {
            let r = try c.check(CPUExecutor())
            #expect(r.detail.isEmpty, "\(c): \(r.detail)")
        }
    }

    @Test(arguments: [VariantKind.add, .llama, .fp8, .backward])
    func largerShapes(kind: VariantKind) throws {
        for (m, n, d) in [(4096, 96, DType.bfloat16), (7, 7168, .float16), (2, 65536, .float32), (1, 262_144, .bfloat16)] {
            if kind == .llama && d == .float32 { continue }
            let c = VariantCase(kind: kind, input: d, weight: d, rows: m, columns: n, layout: .dense)
            let r = try c.check(CPUExecutor())
            #expect(r.detail.isEmpty, "\(c): \(r.detail)")
        }
    }

    /// Numeric edges of every variant: sums overflowing fp32 (x near its maximum) and underflowing
    /// (tiny rows, eps = 0); the backward's power-of-two rescaling included.
    @Test(arguments: kinds)
    func numericEdges(kind: VariantKind) throws {
        let cases = VariantCase.edgeMatrix(columns: [96, 4096, 65536]).filter { $0.kind == kind }
        #expect(cases.count >= 6)
        for c in cases {
            let r = try c.check(CPUExecutor())
            #expect(r.detail.isEmpty, "\(c): \(r.detail)")
        }
    }

    /// The edge cases exercise the rescaling: without it the backward of a huge row is not finite.
    @Test func hugeRowsNeedTheBackwardRescaling() throws {
        var rng = SeededRandom(seed: 11)
        let n = 4096
        let x: [Float] = rng.normals(n, scale: 1e37), dy: [Float] = rng.normals(n)
        var dot: Float = 0
        for c in 0..<n { dot += x[c] * dy[c] }
        #expect(!dot.isFinite, "Σx·dy stays finite: the edge case would not reach the rescaling")
        let w = [Float](repeating: 1, count: n)
        let g = try rmsNormBackward(x, weight: w, rstd: nil, outputGradient: dy, backend: .cpu)
        #expect(g.dx.allSatisfy(\.isFinite) && g.dw.allSatisfy(\.isFinite))
    }

    /// The rule itself catches wrong results: a wrong weight offset or casting mode fails the check.
    @Test func checkerRejectsAWrongVariant() throws {
        struct Wrong: VariantExecutor {
            func forward<T: RMSNormElement, W: RMSNormElement>(_ i: ForwardInputs<T, W>, _ o: inout ForwardOutputs<T>) throws {
                var j = i
                j.options.weightOffset += 1  // x̂·(w + 1) where x̂·w is asked for, or the reverse
                try CPUExecutor().forward(j, &o)
            }
            func backward<T: RMSNormElement, W: RMSNormElement>(_ i: BackwardInputs<T, W>, dx: inout [T]) throws -> [W] {
                var j = i
                j.options.weightOffset += 0.01
                return try CPUExecutor().backward(j, dx: &dx)
            }
        }
        for kind in [VariantKind.gemma, .add, .fp8, .backward] {
            let c = VariantCase(kind: kind, input: .bfloat16, weight: .bfloat16, rows: 7, columns: 96, layout: .dense)
            #expect(try !c.check(Wrong()).detail.isEmpty, "\(kind): a wrong result passed")
        }
    }

    @Test func castingModesDiffer() throws {
        // The three modes are distinct functions for bf16 (else testing them separately proves nothing).
        var rng = SeededRandom(seed: 7)
        let x: [BFloat16] = rng.normals(64 * 256)
        let w: [BFloat16] = (0..<256).map { _ in BFloat16(rounding: 1 + 0.3 * rng.normal()) }
        let g = try rmsNorm(x, weight: w, options: .init(casting: .gemma), backend: .cpu)
        let l = try rmsNorm(x, weight: w, options: .init(casting: .llama), backend: .cpu)
        let n = try rmsNorm(x, weight: w, options: .init(casting: .none), backend: .cpu)
        #expect(zip(g, l).contains { $0.bitPattern != $1.bitPattern })
        #expect(zip(l, n).contains { $0.bitPattern != $1.bitPattern })
    }

    @Test func hostArrayForms() throws {
        var rng = SeededRandom(seed: SeededRandom.freshSeed())
        let x: [Float] = rng.normals(7 * 96), r0: [Float] = rng.normals(7 * 96), w: [Float] = rng.normals(96)
        var r = r0
        let y = try fusedAddRMSNorm(x, residual: &r, weight: w, backend: .cpu)
        let h = zip(x, r0).map { $0 + $1 }
        #expect(r == h)
        let ref = RMSNormReference.forward(h, weight: w)
        #expect(zip(y, ref.y).allSatisfy { Tolerance.error($0, reference: $1) <= 1e-5 })
        let q = try rmsNormFP8(x, weight: w, scale: 0.01, backend: .cpu)
        let plain = try rmsNorm(x, weight: w, backend: .cpu)
        #expect(zip(q, plain).allSatisfy { Tolerance.fp8Error($0, reference: Float8E4M3(rounding: $1 / 0.01)) <= 1 })
        let dy: [Float] = rng.normals(7 * 96)
        let (dx, dw) = try rmsNormBackward(x, weight: w, outputGradient: dy, backend: .cpu)
        #expect(dx.count == x.count && dw.count == 96)
        let (dx2, dw2) = try rmsNormBackward(x, weight: w, outputGradient: dy, backend: .cpu)
        #expect(dx == dx2 && dw == dw2)
    }

    /// Every backward plan covers the row with kernels the module has, within their thread limits.
    @Test func backwardPlansCoverEveryRow() {
        for size in [2, 4] {
            for vec in [1, 2, 4, 8] where vec * size <= 16 {
                for n in [1, 3, 8, 96, 128, 760, 1000, 2048, 4096, 5120, 7168, 8192, 11008, 16384, 32768, 65536] where n % vec == 0 {
                    for m in [1, 4096, 65536] {
                        let p = LaunchPlan.backward(rows: m, columns: n, elementSize: size, vectorWidth: vec)
                        guard case .registers(let npt) = p.path else { continue }
                        let spec = KernelSpecialization(input: size == 4 ? .float32 : .bfloat16, weight: .float32, vectorWidth: vec, backward: true)
                        #expect(spec.backwardRegisterVariants.contains(npt), "\(n) vec \(vec): npt \(npt)")
                        #expect(npt * p.threadsPerRow * vec >= n, "\(n): \(p)")
                        #expect(p.threadsPerRow <= (npt * vec <= 16 ? 1024 : 256), "\(n): \(p)")
                        #expect(p.threadsPerRow <= 32 ? p.blockSize % p.threadsPerRow == 0 : p.blockSize == p.threadsPerRow)
                        #expect(p.threadsPerRow <= 32 || p.threadsPerRow % 32 == 0)
                        // The staged 128-register kernel takes up to 512 threads; the other one is bounded at two
                        // blocks of 320 an SM (V58).
                        #expect(!p.registers128 || (npt * vec == 16 && p.blockSize <= (p.backwardStages > 0 ? 512 : 320)), "\(n): \(p)")
                    }
                }
            }
        }
        // 7,168 bf16 in 16-element slices: 448 threads, no idle lane.
        let p = LaunchPlan.backward(rows: 4096, columns: 7168, elementSize: 2, vectorWidth: 8)
        #expect(p.threadsPerRow == 448)
        // Many rows: 32 elements a thread, except where that leaves under 6 warps an SM (N = 5120: 160
        // threads); there 16 elements on the 128-register kernel (run V15).
        for (n, elements, r128) in [(4096, 32, false), (5120, 16, true), (7168, 32, false), (8192, 32, false)] {
            let q = LaunchPlan.backward(rows: 65536, columns: n, elementSize: 2, vectorWidth: 8)
            guard case .registers(let npt) = q.path else { Issue.record("\(n): \(q)"); continue }
            #expect(npt * 8 == elements && q.registers128 == r128, "\(n): \(q)")
        }
        // Odd N (scalar accesses): 8 elements a thread, where 16 spilled (V40); 16 only past 1,024 threads of 8.
        for (m, n) in [(1, 769), (199, 769), (4096, 7001)] {
            #expect(LaunchPlan.backward(rows: m, columns: n, elementSize: 2, vectorWidth: 1, savedRstd: true).path == .registers(vectorsPerThread: 8))
        }
        #expect(LaunchPlan.backward(rows: 7, columns: 12_001, elementSize: 2, vectorWidth: 1).path == .registers(vectorsPerThread: 16))
        // The shapes `verify` uses to reach that kernel.
        #expect(LaunchPlan.backward(rows: 16384, columns: 4104, elementSize: 2, vectorWidth: 8).registers128)
        #expect(LaunchPlan.backward(rows: 16384, columns: 5000, elementSize: 4, vectorWidth: 4).registers128)
    }

    /// The backward's persistent grid: a block stands for ≥ 32 row groups at ≥ 256 threads, ≥ 16 below (V50),
    /// never fewer blocks than SMs while rows last, never more than fit at once.
    @Test func backwardGridStandsForRowGroups() {
        let wide = LaunchPlan.backward(rows: 4096, columns: 4096, elementSize: 2, vectorWidth: 8)
        let narrow = LaunchPlan.backward(rows: 4096, columns: 2048, elementSize: 2, vectorWidth: 8)
        #expect(wide.blockSize >= 256 && narrow.blockSize < 256, "\(wide) / \(narrow)")
        #expect(wide.backwardGroupsPerBlock == 32 && narrow.backwardGroupsPerBlock == 16)
        let wideGroups = 4096 / wide.rowsPerBlock, narrowGroups = 4096 / narrow.rowsPerBlock
        #expect(wide.backwardGridSize(rows: 4096, multiprocessors: 132, blocksPerMultiprocessor: 2) == max(132, wideGroups / 32))
        #expect(narrow.backwardGridSize(rows: 4096, multiprocessors: 132, blocksPerMultiprocessor: 4) == min(528, max(132, narrowGroups / 16)))
        #expect(narrow.backwardGridSize(rows: 4096, multiprocessors: 132, blocksPerMultiprocessor: 1) == 132)
        #expect(wide.backwardGridSize(rows: 7, multiprocessors: 132, blocksPerMultiprocessor: 2) == 7)
        #expect(wide.backwardGridSize(rows: 1 << 20, multiprocessors: 132, blocksPerMultiprocessor: 2) == 264)
    }

    /// The fused add stores h late (after the reduction) only where the rows outnumber the SMs but fewer than twice
    /// (V52), and the flag reaches the compiler only for the forward's residual modules.
    @Test func lateResidualStoreRule() {
        #expect(LaunchPlan.storesResidualLate(rows: 256, multiprocessors: 132))
        #expect(LaunchPlan.storesResidualLate(rows: 133, multiprocessors: 132))
        #expect(LaunchPlan.storesResidualLate(rows: 263, multiprocessors: 132))
        for rows in [1, 16, 132, 264, 4096, 65_536] {
            #expect(!LaunchPlan.storesResidualLate(rows: rows, multiprocessors: 132), "rows \(rows)")
        }
        var add = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, residual: true)
        #expect(!add.compileOptions(arch: 90).flags.contains("-DHLATE=1"))
        add.lateResidualStore = true
        #expect(add.compileOptions(arch: 90).flags.contains("-DHLATE=1") && add.description.hasSuffix(" h-late"))
        var plain = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8)
        plain.lateResidualStore = true
        #expect(!plain.compileOptions(arch: 90).flags.contains { $0.contains("HLATE") })
        #expect(KernelSpecialization.variants.contains { $0.lateResidualStore && $0.rowThreads > 0 })
    }

    /// The fused add's 32-element register kernels hold their weight at most 64 rows or 64 threads a row (V93, V96), and
    /// bf16's at 512 threads up to as many rows as SMs (V99); fp16's at rows of 64–512 threads, no more rows than SMs,
    /// its module bounded at them (V94–V97), and the flag
    /// reaches the compiler only for the forward's fused-add row modules.
    @Test func fusedAddHeldWeightRule() {
        for (rows, tpr) in [(1, 512), (16, 512), (17, 512), (64, 512), (4096, 64), (65_536, 32), (17, 64)] {
            #expect(LaunchPlan.fusedAddHoldsWeight(rows: rows, threadsPerRow: tpr), "\(rows) rows, \(tpr) threads")
        }
        for (rows, tpr) in [(65, 512), (128, 512), (256, 512), (4096, 256), (4096, 128)] {
            #expect(!LaunchPlan.fusedAddHoldsWeight(rows: rows, threadsPerRow: tpr), "\(rows) rows, \(tpr) threads")
        }
        // The plan's conditions: 4 vectors of 8 (not 2), bf16 x and weight (fp16 and an fp32 weight spill), default casting, no fp8.
        let four = LaunchPlan(path: .registers(vectorsPerThread: 4), vectorWidth: 8, threadsPerRow: 512, blockSize: 512, sharedMemoryBytes: 0)
        #expect(four.fusedAddHoldsWeight(rows: 1, input: .bfloat16, weight: .bfloat16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        #expect(four.fusedAddHoldsWeight(rows: 64, input: .bfloat16, weight: .bfloat16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        // bf16 at 512 threads a row up to as many rows as SMs (V99), not at 256 threads past 64 rows.
        #expect(four.fusedAddHoldsWeight(rows: 132, input: .bfloat16, weight: .bfloat16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        #expect(!four.fusedAddHoldsWeight(rows: 133, input: .bfloat16, weight: .bfloat16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        #expect(!four.fusedAddHoldsWeight(rows: 65, input: .bfloat16, weight: .bfloat16, casting: .gemma, fp8Output: false, multiprocessors: 46))
        let quarter = LaunchPlan(path: .registers(vectorsPerThread: 4), vectorWidth: 8, threadsPerRow: 256, blockSize: 256, sharedMemoryBytes: 0)
        #expect(quarter.fusedAddHoldsWeight(rows: 64, input: .bfloat16, weight: .bfloat16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        #expect(!quarter.fusedAddHoldsWeight(rows: 65, input: .bfloat16, weight: .bfloat16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        #expect(!four.fusedAddHoldsWeight(rows: 256, input: .bfloat16, weight: .bfloat16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        for (input, weight) in [(DType.float16, DType.bfloat16), (.bfloat16, .float32), (.float16, .float32), (.float32, .float32)] {
            #expect(!four.fusedAddHoldsWeight(rows: 1, input: input, weight: weight, casting: .gemma, fp8Output: false, multiprocessors: 132), "\(input), \(weight)")
        }
        // fp16 (V94–V97): no more rows than SMs, 64–512 threads a row, one row a block, where its module is
        // bounded at the row's threads (one block an SM).
        #expect(four.fusedAddHoldsWeight(rows: 1, input: .float16, weight: .float16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        #expect(LaunchPlan.heldWeightMaxRows == 64)
        #expect(four.fusedAddHoldsWeight(rows: 64, input: .float16, weight: .float16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        #expect(four.fusedAddHoldsWeight(rows: 132, input: .float16, weight: .float16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        #expect(!four.fusedAddHoldsWeight(rows: 133, input: .float16, weight: .float16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        #expect(!four.fusedAddHoldsWeight(rows: 16, input: .float16, weight: .float16, casting: .gemma, fp8Output: false, multiprocessors: 8))
        #expect(!four.fusedAddHoldsWeight(rows: 64, input: .float16, weight: .float16, casting: .gemma, fp8Output: false, multiprocessors: 46))
        #expect(four.fusedAddHoldsWeight(rows: 46, input: .float16, weight: .float16, casting: .gemma, fp8Output: false, multiprocessors: 46))
        #expect(four.fusedAddHoldsWeight(rows: 8, input: .float16, weight: .float16, casting: .gemma, fp8Output: false, multiprocessors: 8))
        #expect(four.fusedAddHoldsWeight(rows: 16, input: .bfloat16, weight: .bfloat16, casting: .gemma, fp8Output: false, multiprocessors: 8))
        for tpr in [32, 1024] {
            let other = LaunchPlan(path: .registers(vectorsPerThread: 4), vectorWidth: 8, threadsPerRow: tpr, blockSize: max(tpr, 256), sharedMemoryBytes: 0)
            #expect(!other.fusedAddHoldsWeight(rows: 1, input: .float16, weight: .float16, casting: .gemma, fp8Output: false, multiprocessors: 132), "\(tpr)")
            #expect(other.fusedAddHoldsWeight(rows: 1, input: .bfloat16, weight: .bfloat16, casting: .gemma, fp8Output: false, multiprocessors: 132), "\(tpr)")
        }
        // The fused add's plans (fp16, 132 SMs) at the verify command's V94–V97 cases: 4 × 512, one row a block, all held
        // (61 and 64 rows: V96's cases; 131: V97's).
        for (rows, columns) in [(1, 16384), (7, 12288), (16, 16000), (61, 14336), (64, 16384), (131, 16000)] {
            let plan = LaunchPlan.make(rows: rows, columns: columns, elementSize: 2, vectorWidth: 8, multiprocessors: 132,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16, wideRowSplit: true)
            #expect(plan.path == .registers(vectorsPerThread: 4) && plan.threadsPerRow == 512 && plan.blockSize == 512, "\(rows) × \(columns): \(plan)")
            #expect(plan.fusedAddHoldsWeight(rows: rows, input: .float16, weight: .float16, casting: .gemma, fp8Output: false, multiprocessors: 132)
                == (rows <= 132))
        }
        // Wherever fp16's rule holds the weight, the block is one row (a launch under `__launch_bounds__(tpr)` is legal).
        for rows in [1, 2, 3, 7, 16, 33, 46, 61, 64, 65, 100, 131, 132] {
            for columns in stride(from: 1024, through: 16384, by: 520) {
                for sms in [8, 46, 132] {
                    let plan = LaunchPlan.make(rows: rows, columns: columns, elementSize: 2, vectorWidth: 8, multiprocessors: sms,
                        maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16, wideRowSplit: true)
                    if plan.fusedAddHoldsWeight(rows: rows, input: .float16, weight: .float16, casting: .gemma, fp8Output: false, multiprocessors: sms) {
                        #expect(plan.blockSize == plan.threadsPerRow, "\(rows) × \(columns), \(sms) SMs: \(plan)")
                    }
                }
            }
        }
        let many = LaunchPlan(path: .registers(vectorsPerThread: 4), vectorWidth: 8, threadsPerRow: 64, blockSize: 64, sharedMemoryBytes: 0)
        #expect(many.fusedAddHoldsWeight(rows: 4096, input: .bfloat16, weight: .bfloat16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        #expect(!many.fusedAddHoldsWeight(rows: 4096, input: .float16, weight: .float16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        #expect(!four.fusedAddHoldsWeight(rows: 1, input: .bfloat16, weight: .bfloat16, casting: .llama, fp8Output: false, multiprocessors: 132))
        #expect(!four.fusedAddHoldsWeight(rows: 1, input: .bfloat16, weight: .bfloat16, casting: .gemma, fp8Output: true, multiprocessors: 132))
        let two = LaunchPlan(path: .registers(vectorsPerThread: 2), vectorWidth: 8, threadsPerRow: 64, blockSize: 64, sharedMemoryBytes: 0)
        #expect(!two.fusedAddHoldsWeight(rows: 1, input: .bfloat16, weight: .bfloat16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        let staged = LaunchPlan(path: .sharedMemory, vectorWidth: 8, threadsPerRow: 256, blockSize: 256, sharedMemoryBytes: 32768)
        #expect(!staged.fusedAddHoldsWeight(rows: 1, input: .bfloat16, weight: .bfloat16, casting: .gemma, fp8Output: false, multiprocessors: 132))
        var add = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, residual: true)
        add.rowThreads = 512
        #expect(!add.compileOptions(arch: 90).flags.contains("-DWREG_ALL=1"))
        add.holdsWeight = true
        #expect(add.compileOptions(arch: 90).flags.contains("-DWREG_ALL=1") && add.description.hasSuffix(" w-held"))
        #expect(!add.compileOptions(arch: 90).flags.contains { $0.contains("REG_BOUND") })  // bf16 keeps the default bound
        var half = KernelSpecialization(input: .float16, weight: .float16, vectorWidth: 8, residual: true)
        half.rowThreads = 256
        half.holdsWeight = true
        #expect(half.compileOptions(arch: 90).flags.contains("-DREG_BOUND=256") && half.description.hasSuffix(" w-held"))
        var full = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, residual: true)
        full.holdsWeight = true  // not a row module
        var plain = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8)
        plain.rowThreads = 512
        plain.holdsWeight = true
        for spec in [full, plain] { #expect(!spec.compileOptions(arch: 90).flags.contains { $0.contains("WREG_ALL") }, "\(spec)") }
        #expect(KernelSpecialization.variants.contains { $0.holdsWeight && $0.rowThreads > 0 && $0.residual })
    }

    /// The forward keeps about 8 MB of y in L2 (V66, V67) only where rows are short (≤ 1 KB, or ≤ 3 KB of a 16-bit type
    /// in the plain forward) and y is from 2 MB to under 64 MB: all of y up to 11 MB, then a half, a quarter, an eighth;
    /// the flag and the share reach the compiler for the plain forward and the fused add, not fp8 output or the backward.
    @Test func keepOutputRule() {
        let mb = 1 << 20
        for (rows, columns, size, add, shift) in [(4096, 128, 4, false, 0), (16_384, 128, 4, false, 0), (16_384, 96, 4, false, 0),
            (8192, 256, 4, false, 0), (4096, 512, 2, false, 0), (4096, 768, 2, false, 0), (4096, 1536, 2, false, 1),
            (32_768, 128, 4, false, 1), (65_536, 128, 2, false, 1), (65_535, 96, 4, false, 2), (65_536, 128, 4, false, 2),
            (98_304, 128, 4, false, 3), (16_384, 128, 4, true, 0), (32_768, 128, 4, true, 1), (8192, 512, 2, true, 0)]
        {
            #expect(LaunchPlan.outputKeepShift(rows: rows, columns: columns, elementSize: size, fusedAdd: add) == shift,
                "\(rows) x \(columns) x \(size) add \(add)")
        }
        // The steps of the share: 8 MB · 2^(k + 1/2) bytes of y.
        #expect(LaunchPlan.outputKeepShift(rows: 11 * mb / 512, columns: 128, elementSize: 4, fusedAdd: false) == 0)
        #expect(LaunchPlan.outputKeepShift(rows: 12 * mb / 512, columns: 128, elementSize: 4, fusedAdd: false) == 1)
        #expect(LaunchPlan.outputKeepShift(rows: 22 * mb / 512, columns: 128, elementSize: 4, fusedAdd: false) == 1)
        #expect(LaunchPlan.outputKeepShift(rows: 23 * mb / 512, columns: 128, elementSize: 4, fusedAdd: false) == 2)
        #expect(LaunchPlan.outputKeepShift(rows: 45 * mb / 512, columns: 128, elementSize: 4, fusedAdd: false) == 2)
        #expect(LaunchPlan.outputKeepShift(rows: 46 * mb / 512, columns: 128, elementSize: 4, fusedAdd: false) == 3)
        for (rows, columns, size, add) in [(1, 128, 4, false), (2048, 128, 4, false), (131_072, 128, 4, false),
            (262_144, 128, 2, false), (4096, 512, 4, false), (2048, 1024, 4, false), (2048, 2048, 2, false),
            (1024, 4096, 2, false), (4096, 4096, 2, false), (4096, 257, 4, false), (4096, 1024, 2, true), (2048, 128, 4, true)]
        {
            #expect(LaunchPlan.outputKeepShift(rows: rows, columns: columns, elementSize: size, fusedAdd: add) == nil,
                "\(rows) x \(columns) x \(size) add \(add)")
        }
        // The launcher asks the plan: register plans of aligned rows only.
        let registers = LaunchPlan(path: .registers(vectorsPerThread: 2), vectorWidth: 4, threadsPerRow: 16, blockSize: 256,
            sharedMemoryBytes: 0)
        #expect(registers.outputKeepShift(rows: 32_768, columns: 128, elementSize: 4, fusedAdd: false) == 1)
        #expect(registers.outputKeepShift(rows: 2048, columns: 128, elementSize: 4, fusedAdd: false) == nil)
        var interior = registers
        interior.alignedInterior = true
        #expect(interior.outputKeepShift(rows: 32_768, columns: 128, elementSize: 4, fusedAdd: false) == nil)
        let loop = LaunchPlan(path: .loop, vectorWidth: 4, threadsPerRow: 128, blockSize: 128, sharedMemoryBytes: 0)
        #expect(loop.outputKeepShift(rows: 32_768, columns: 128, elementSize: 4, fusedAdd: false) == nil)
        var plain = KernelSpecialization(input: .float32, weight: .float32, vectorWidth: 4)
        #expect(!plain.compileOptions(arch: 90).flags.contains { $0.contains("YPOLICY") || $0.contains("YFRAC") })
        plain.keepsOutput = true
        var flags = plain.compileOptions(arch: 90).flags
        #expect(flags.contains("-DYPOLICY=2") && flags.contains("-DXPOLICY=1") && plain.description.hasSuffix(" keep-y"))
        #expect(!flags.contains { $0.contains("YFRAC") })
        plain.keptOutputShift = 3
        flags = plain.compileOptions(arch: 90).flags
        #expect(flags.contains("-DYFRAC=0.125") && plain.description.hasSuffix(" keep-y/8"))
        var add = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, residual: true)
        add.keepsOutput = true
        add.keptOutputShift = 1
        flags = add.compileOptions(arch: 90).flags
        #expect(flags.contains("-DYPOLICY=2") && flags.contains("-DXPOLICY=1") && flags.contains("-DYFRAC=0.5"))
        for other in [KernelSpecialization(input: .bfloat16, weight: .float32, vectorWidth: 8, fp8Output: true),
            KernelSpecialization(input: .bfloat16, weight: .float32, vectorWidth: 8, residual: true, fp8Output: true),
            KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, backward: true)]
        {
            var s = other
            s.keepsOutput = true
            s.keptOutputShift = 1
            #expect(!s.compileOptions(arch: 90).flags.contains { $0.contains("YPOLICY") || $0.contains("YFRAC") }, "\(s)")
        }
        #expect(KernelSpecialization.variants.contains { $0.keepsOutput && !$0.residual && $0.rowThreads > 0 })
        #expect(KernelSpecialization.variants.contains { $0.keepsOutput && $0.residual && $0.keptOutputShift > 0 })
    }

    /// The fp32 fused add holds 16 elements a thread at few rows and 8 at many (V53); other variants 32. At
    /// 256 rows of fp32 N = 8192 that is 512 threads of four vectors instead of 1,024 of two; N = 4096 keeps
    /// its 512 × 2 plan.
    @Test func fusedAddElementCapRule() {
        #expect(LaunchPlan.variantElementCap(fusedAdd: true, elementSize: 4, rows: 256, multiprocessors: 132) == 16)
        #expect(LaunchPlan.variantElementCap(fusedAdd: true, elementSize: 4, rows: 264, multiprocessors: 132) == 8)
        #expect(LaunchPlan.variantElementCap(fusedAdd: true, elementSize: 2, rows: 256, multiprocessors: 132) == 32)
        #expect(LaunchPlan.variantElementCap(fusedAdd: false, elementSize: 4, rows: 65_536, multiprocessors: 132) == 32)
        func plan(_ rows: Int, _ columns: Int) -> LaunchPlan {
            LaunchPlan.make(rows: rows, columns: columns, elementSize: 4, vectorWidth: 4, multiprocessors: 132,
                maxSharedMemoryPerBlock: 232_448,
                maxElementsPerThread: LaunchPlan.variantElementCap(fusedAdd: true, elementSize: 4, rows: rows, multiprocessors: 132),
                maxClusterSize: 16)
        }
        let wide = plan(256, 8192)
        #expect(wide.path == .registers(vectorsPerThread: 4) && wide.threadsPerRow == 512)
        let narrow = plan(256, 4096)
        #expect(narrow.path == .registers(vectorsPerThread: 2) && narrow.threadsPerRow == 512)
        let many = plan(4096, 8192)
        if case .registers(let npt) = many.path { #expect(npt <= 2) }
    }

    /// Few rows with the forward's rstd: one fused kernel, whose column blocks cover every column and
    /// whose thread groups split the block evenly; never without rstd, for many rows or large matrices.
    @Test func fewRowsBackwardIsOneKernel() {
        let p = LaunchPlan.backward(rows: 256, columns: 4096, elementSize: 2, vectorWidth: 8, savedRstd: true)
        #expect(p.fusedBackward && p.description.hasSuffix(" fused"))
        let g = p.fusedBackwardGrid(rows: 256, columns: 4096)
        #expect(g.rowBlocks == 256 && g.rowGroups == 32 && g.columnBlocks == 64 && g.sharedMemoryBytes == 256 * 8 * 4)
        let one = LaunchPlan.backward(rows: 1, columns: 2048, elementSize: 2, vectorWidth: 8, savedRstd: true)
        let g1 = one.fusedBackwardGrid(rows: 1, columns: 2048)
        #expect(one.fusedBackward && g1.rowGroups == 1 && g1.sharedMemoryBytes == 0 && g1.rowBlocks == 1)
        #expect(!LaunchPlan.backward(rows: 256, columns: 4096, elementSize: 2, vectorWidth: 8).fusedBackward)
        #expect(!LaunchPlan.backward(rows: 256, columns: 4096, elementSize: 2, vectorWidth: 8, savedRstd: true,
            dxOverlapsInputs: true).fusedBackward)
        #expect(!LaunchPlan.backward(rows: 4096, columns: 4096, elementSize: 2, vectorWidth: 8, savedRstd: true).fusedBackward)
        #expect(!LaunchPlan.backward(rows: 1024, columns: 16384, elementSize: 2, vectorWidth: 8, savedRstd: true).fusedBackward)
        #expect(!LaunchPlan.backward(rows: 0, columns: 4096, elementSize: 2, vectorWidth: 8, savedRstd: true).fusedBackward)
        for size in [2, 4] {
            for vec in [1, 2, 4, 8] where vec * size <= 16 {
                for n in [1, 3, 96, 769, 1000, 4096, 7168, 16384] where n % vec == 0 {
                    for m in [1, 7, 9, 37, 199, 1024] {
                        let q = LaunchPlan.backward(rows: m, columns: n, elementSize: size, vectorWidth: vec, savedRstd: true)
                        guard q.fusedBackward, case .registers(let npt) = q.path else { continue }
                        let spec = KernelSpecialization(input: size == 4 ? .float32 : .bfloat16, weight: .float32, vectorWidth: vec, backward: true)
                        if q.fusedWide {  // 32 elements in blocks of ≤ 512 threads: a kernel of its own
                            #expect(spec.kernelNames.contains("rmsnorm_bwd_fused_npt\(npt)_w512"), "\(m)x\(n): \(q)")
                        } else {
                            #expect(spec.backwardFusedVariants.contains(npt), "\(m)x\(n) vec \(vec): \(q)")
                            #expect(spec.kernelNames.contains("rmsnorm_bwd_fused_npt\(npt)"))
                        }
                        let gq = q.fusedBackwardGrid(rows: m, columns: n)
                        #expect(gq.rowGroups <= 32 && gq.rowGroups.nonzeroBitCount == 1 && q.blockSize % gq.rowGroups == 0)
                        #expect(gq.columnBlocks * (q.blockSize / gq.rowGroups) * vec >= n, "\(m)x\(n): \(q)")
                        #expect(gq.rowBlocks * q.rowsPerBlock >= m && gq.sharedMemoryBytes <= 48 * 1024)
                    }
                }
            }
        }
        let recompute = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, backward: true, recompute: true)
        #expect(!recompute.kernelNames.contains { $0.hasPrefix("rmsnorm_bwd_fused") })
    }

    /// One row of more than 32 threads with the forward's rstd: one block, the row's, and no column blocks
    /// (`rmsnorm_bwd_one_npt…`, present beside the fused kernels); more rows and short rows keep the column blocks.
    @Test func oneRowBackwardIsOneBlock() {
        for (n, size, vec) in [(2048, 2, 8), (769, 2, 1), (16384, 2, 8), (4096, 2, 8), (4096, 4, 4), (1000, 4, 4)] {
            let p = LaunchPlan.backward(rows: 1, columns: n, elementSize: size, vectorWidth: vec, savedRstd: true)
            guard case .registers(let npt) = p.path else { Issue.record("\(n): \(p)"); continue }
            #expect(p.fusedBackward && p.backwardSingleBlock && p.description.hasSuffix(" one-block"), "\(n): \(p)")
            let spec = KernelSpecialization(input: size == 4 ? .float32 : .bfloat16, weight: .bfloat16, vectorWidth: vec, backward: true)
            #expect(spec.kernelNames.contains("rmsnorm_bwd_one_npt\(npt)") && p.blockSize == p.threadsPerRow, "\(n): \(p)")
        }
        // 16-bit rows take 8 elements a thread below 1,024 threads (V44), 16 from there; fp32 keeps 8.
        for (n, size, vec, npt, tpr) in [(2048, 2, 8, 1, 256), (7168, 2, 8, 1, 896), (8192, 2, 8, 2, 512), (16384, 2, 8, 2, 1024),
                                         (4096, 4, 4, 2, 512)] {
            let p = LaunchPlan.backward(rows: 1, columns: n, elementSize: size, vectorWidth: vec, savedRstd: true)
            #expect(p.path == .registers(vectorsPerThread: npt) && p.threadsPerRow == tpr && p.backwardSingleBlock, "\(n): \(p)")
        }
        #expect(!LaunchPlan.backward(rows: 1, columns: 96, elementSize: 2, vectorWidth: 8, savedRstd: true).backwardSingleBlock)
        #expect(!LaunchPlan.backward(rows: 2, columns: 2048, elementSize: 2, vectorWidth: 8, savedRstd: true).backwardSingleBlock)
        #expect(!LaunchPlan.backward(rows: 1, columns: 2048, elementSize: 2, vectorWidth: 8).backwardSingleBlock)
    }

    /// The 32-element fused row blocks (``LaunchPlan/fusedWide``): only 16-bit rows of 8-element vectors whose
    /// 16-element plan needs more than 512 threads, without a residual gradient; every column covered by at most
    /// 512 threads of 4 vectors, and the kernel present in those modules only. The launcher takes them from 64 rows on.
    @Test func wideFusedBackwardPlans() {
        for (rows, n, wide) in [(64, 16384, true), (256, 16384, true), (199, 10000, true), (512, 12288, true),
                                (16, 16384, false), (63, 12288, false), (256, 8192, false), (2048, 16384, false)] {
            let p = LaunchPlan.backward(rows: rows, columns: n, elementSize: 2, vectorWidth: 8, savedRstd: true)
            #expect(p.fusedWide == wide && (!wide || p.fusedBackward), "\(rows) x \(n): \(p)")
            #expect(!LaunchPlan.backward(rows: rows, columns: n, elementSize: 2, vectorWidth: 8, savedRstd: true, residual: true).fusedWide)
        }
        for n in [8200, 12288, 16384] {
            let base = LaunchPlan.backward(rows: 256, columns: n, elementSize: 2, vectorWidth: 8, elements: [16], savedRstd: true)
            guard let p = LaunchPlan.fusedWideBackward(columns: n, elementSize: 2, vectorWidth: 8, residual: false,
                threadsPerRow: base.threadsPerRow), case .registers(let npt) = p.path
            else { Issue.record("\(n): no wide plan (base \(base))"); continue }
            #expect(base.threadsPerRow > 512 && base.fusedBackward)
            #expect(npt == 4 && p.fusedBackward && p.fusedWide && !p.persistent && p.blockSize == p.threadsPerRow)
            #expect(p.threadsPerRow <= 512 && p.threadsPerRow % 32 == 0 && p.threadsPerRow * 32 >= n, "\(n): \(p)")
            #expect(p.description.hasSuffix(" fused-wide"), "\(p)")
            #expect(LaunchPlan.fusedWideBackward(columns: n, elementSize: 2, vectorWidth: 8, residual: true, threadsPerRow: base.threadsPerRow) == nil)
        }
        #expect(LaunchPlan.fusedWideBackward(columns: 8192, elementSize: 2, vectorWidth: 8, residual: false, threadsPerRow: 512) == nil)
        #expect(LaunchPlan.fusedWideBackward(columns: 16384, elementSize: 4, vectorWidth: 4, residual: false, threadsPerRow: 1024) == nil)
        #expect(LaunchPlan.fusedWideBackward(columns: 16384, elementSize: 2, vectorWidth: 4, residual: false, threadsPerRow: 1024) == nil)
        #expect(LaunchPlan.fusedWideBackward(columns: 32768, elementSize: 2, vectorWidth: 8, residual: false, threadsPerRow: 2048) == nil)
        for input in DType.allCases {
            for vec in [1, 16 / input.size] {
                let names = KernelSpecialization(input: input, weight: input, vectorWidth: vec, backward: true).kernelNames
                #expect(names.contains("rmsnorm_bwd_fused_npt4_w512") == (input.size == 2 && vec == 8), "\(input) vec \(vec)")
            }
        }
        #expect(!KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, backward: true, recompute: true)
            .kernelNames.contains("rmsnorm_bwd_fused_npt4_w512"))
    }

    /// Every staged backward plan leaves room for the kernels' 1 KB of static scratch (ptxas: 1,024 bytes of `__shared__`
    /// in `rmsnorm_bwd_async_npt2…`): static and dynamic shared memory together may not pass the opt-in limit.
    @Test func stagedBackwardLeavesRoomForStaticScratch() {
        let limit = 232_448, scratch = 1024
        var worst = 0
        for size in [2, 4] {
            let vec = 16 / size
            for n in stride(from: vec, through: 2048 * vec, by: vec) {
                for m in [7, 4096, 65536] {
                    for residual in [false, true] {
                        guard let p = LaunchPlan.stagedBackward(rows: m, columns: n, elementSize: size, weightSize: size,
                            vectorWidth: vec, residual: residual, stagingBytes: limit)
                        else { continue }
                        worst = max(worst, p.sharedMemoryBytes)
                        #expect(p.sharedMemoryBytes + scratch <= limit, "\(m) × \(n) (\(size) B, residual \(residual)): \(p)")
                    }
                }
            }
        }
        #expect(worst > 48 * 1024, "the sweep reaches plans above the default limit")
    }

    /// Staged backward plans (16-byte vectors, cp.async): at least 2 stages within the block's shared memory, on a
    /// kernel the module has. The launcher's rule: many 16-bit rows whose register plan holds 16 elements a thread;
    /// the fused plan keeps the few rows; no staging without the shared memory to offer, at narrower vectors, for
    /// fp32, or where the 32-element or 128-register kernels are the plan.
    @Test func manyRowsBackwardIsStaged() {
        let h100 = 232_448
        for (m, n, size) in [(65536, 16384, 2), (4096, 4096, 2), (4096, 4096, 4), (65536, 2048, 2), (4096, 256, 2),
                             (16384, 8192, 4), (4096, 7168, 2), (2048, 5120, 2), (1024, 16384, 2), (4096, 8192, 4)] {
            let vec = 16 / size
            for residual in [false, true] {
                guard let p = LaunchPlan.stagedBackward(rows: m, columns: n, elementSize: size, weightSize: size, vectorWidth: vec,
                    residual: residual, stagingBytes: h100), case .registers(let npt) = p.path
                else { Issue.record("\(m)x\(n) not staged"); continue }
                #expect(p.backwardStages >= 2 && p.backwardStages <= 4 && p.description.hasSuffix(" staged=\(p.backwardStages)"), "\(m)x\(n): \(p)")
                #expect(!p.fusedBackward && npt <= 2 && npt * p.threadsPerRow * vec >= n && p.threadsPerRow <= 1024)
                // The stages, x and dy (and dres) of every row of the block, and the weight fit the block's shared memory.
                let rowBytes = n * size * (residual ? 3 : 2) * p.rowsPerBlock
                #expect(p.sharedMemoryBytes >= p.backwardStages * rowBytes + (p.registers128 ? 0 : n * size) && p.sharedMemoryBytes <= h100, "\(m)x\(n): \(p)")
                let spec = KernelSpecialization(input: size == 4 ? .float32 : .bfloat16, weight: size == 4 ? .float32 : .bfloat16,
                    vectorWidth: vec, residual: residual, backward: true)
                #expect(spec.kernelNames.contains("rmsnorm_bwd_async_npt\(npt)" + (p.registers128 ? "_r128" : "")))
                #expect(p.registers128 == (p.blockSize >= 256 && p.blockSize <= 512))
            }
        }
        // Stages up to ~64 KB a block, at least 2 (V58): 4 of 16 KB rows (N = 4096), 3 of 20 KB (5120), 2 of 28–64 KB
        // (7168, 8192, and 16,384, whose three would also fit one block an SM).
        for (n, stages) in [(4096, 4), (5120, 3), (7168, 2), (8192, 2), (16384, 2)] {
            #expect(LaunchPlan.backward(rows: 4096, columns: n, elementSize: 2, vectorWidth: 8, stagingBytes: h100).backwardStages == stages,
                "4096x\(n)")
        }
        #expect(LaunchPlan.backward(rows: 65536, columns: 16384, elementSize: 2, vectorWidth: 8, stagingBytes: h100).backwardStages == 2)
        for (m, n) in [(4096, 2048), (4096, 4096), (16384, 16384), (1024, 16384), (4096, 256), (199, 384)] {
            #expect(LaunchPlan.backward(rows: m, columns: n, elementSize: 2, vectorWidth: 8, stagingBytes: h100).backwardStages >= 2, "\(m)x\(n)")
        }
        for (m, n, size) in [(65536, 4096, 2), (16384, 2048, 2), (65536, 5120, 2), (4096, 4096, 4), (65536, 4096, 4)] {
            #expect(LaunchPlan.backward(rows: m, columns: n, elementSize: size, vectorWidth: 16 / size, stagingBytes: h100).backwardStages == 0, "\(m)x\(n)")
        }
        #expect(LaunchPlan.backward(rows: 256, columns: 4096, elementSize: 2, vectorWidth: 8, savedRstd: true, stagingBytes: h100).fusedBackward)
        #expect(LaunchPlan.backward(rows: 4096, columns: 4096, elementSize: 2, vectorWidth: 8).backwardStages == 0)
        #expect(LaunchPlan.backward(rows: 4096, columns: 4096, elementSize: 2, vectorWidth: 4, stagingBytes: h100).backwardStages == 0)
        #expect(LaunchPlan.backward(rows: 4096, columns: 16384, elementSize: 4, vectorWidth: 4, stagingBytes: h100).backwardStages == 0)
        #expect(KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 4, backward: true).backwardStagedKernels.isEmpty)
    }

    /// V105: when enabled (`RMSNORM_BWD_ROW_MODULES=1`; off by default until verified on a GPU), the persistent register
    /// plans of 16-bit rows over 128 threads a row run from a backward row module (their threads a row a compile-time
    /// constant) that holds those kernels and the dw reduction; every other backward plan runs from the full module (or
    /// the one-row module).
    @Test func backwardRowModuleRule() {
        let h200 = 232_448
        func module(_ m: Int, _ n: Int, _ type: DType = .bfloat16, residual: Bool = false, recompute: Bool = false)
            -> (LaunchPlan, KernelSpecialization?)
        {
            let plan = LaunchPlan.backward(rows: m, columns: n, elementSize: type.size, vectorWidth: 16 / type.size,
                savedRstd: !recompute, weightSize: type.size, residual: residual, stagingBytes: h200)
            let spec = KernelSpecialization(input: type, weight: type, vectorWidth: 16 / type.size, residual: residual,
                backward: true, recompute: recompute)
            if !KernelSpecialization.backwardRowModulesEnabled { #expect(spec.backwardRowModule(for: plan) == nil) }
            return (plan, spec.backwardRowModule(for: plan, enabled: true))
        }
        // 7168 (4 × 224), 8192 (4 × 256), 5120 (2 × 320 at 128 registers), fp16 too.
        for (m, n, type, tpr) in [(65536, 7168, DType.bfloat16, 224), (16384, 7168, .bfloat16, 224), (65536, 8192, .bfloat16, 256),
                                  (16384, 8192, .float16, 256), (65536, 5120, .bfloat16, 320), (16384, 5120, .float16, 320)] {
            let (plan, row) = module(m, n, type)
            guard let row else { Issue.record("\(m)x\(n) \(type): \(plan) not on a row module"); continue }
            #expect(row.rowThreads == tpr && row.backwardRows && plan.threadsPerRow == tpr, "\(m)x\(n): \(plan)")
            #expect(row.compileOptions(arch: 90).defines.contains { $0 == ("BWD_ROWS", "1") })
            #expect(row.compileOptions(arch: 90).defines.contains { $0 == ("ROW_TPR", "\(tpr)") })
            // The module holds the plan's kernel and the dw reduction, not the one-row kernels.
            guard case .registers(let npt) = plan.path else { continue }
            #expect(row.kernelNames.contains("rmsnorm_bwd_reg_npt\(npt)" + (plan.registers128 ? "_r128" : "")))
            #expect(row.kernelNames.contains("rmsnorm_dw_reduce") && !row.kernelNames.contains { $0.hasPrefix("rmsnorm_bwd_one") })
        }
        // Not at 128 threads or fewer (4096 and 2048 columns), not staged (4096 rows), not fp32, not with the residual
        // gradient or a recomputed rstd, not few rows (the fused kernel) or one row.
        for (m, n, type, residual, recompute) in [(65536, 4096, DType.bfloat16, false, false), (65536, 2048, .bfloat16, false, false),
                                                  (4096, 7168, .bfloat16, false, false), (65536, 8192, .float32, false, false),
                                                  (65536, 7168, .bfloat16, true, false), (65536, 7168, .bfloat16, false, true),
                                                  (256, 7168, .bfloat16, false, false), (1, 7168, .bfloat16, false, false)] {
            let (plan, row) = module(m, n, type, residual: residual, recompute: recompute)
            #expect(row == nil, "\(m)x\(n) \(type) residual \(residual) recompute \(recompute): \(plan)")
        }
        // The one-row module stays as it was.
        let one = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, backward: true)
        #expect(one.kernelNames.contains("rmsnorm_bwd_one_npt1") && !one.backwardRows)
    }

    /// Falling row ranges (the staged 1,024-thread backward at many rows): every row in exactly one block, in order,
    /// no block empty, the ranges falling by halves down to the smallest, and the launcher's rule for taking them.
    @Test func backwardRowRangesCoverEveryRowOnce() {
        for (rows, slots, smallest) in [(65536, 132, 8), (16384, 132, 8), (33792, 132, 8), (1031, 132, 1), (4099, 132, 1),
                                        (199, 132, 1), (1, 132, 8), (7, 3, 1), (1_000_003, 114, 8), (270_000, 264, 16)] {
            let r = BackwardRowRanges(rows: rows, perPhase: slots, smallest: smallest)
            var next = 0
            var previous = Int.max
            for b in 0..<r.blocks {
                let range = r.range(ofBlock: b)
                #expect(range.lowerBound == next && !range.isEmpty, "\(rows) on \(slots): block \(b) \(range)")
                // Sizes never grow (the last range of the schedule may be cut short by the rows' end).
                #expect(range.count <= previous || b == r.blocks - 1, "\(rows) on \(slots): block \(b)")
                #expect(range.count >= min(smallest, rows - range.lowerBound), "\(rows) on \(slots): block \(b)")
                previous = range.count
                next = range.upperBound
            }
            #expect(next == rows, "\(rows) on \(slots)")
            #expect(r.range(ofBlock: r.blocks).isEmpty && r.range(ofBlock: r.blocks + 5).isEmpty)
            #expect(r.first == max(smallest, rows / (2 * slots)))
        }
        // 65,536 rows on 132 slots: 248, 124, 62, 31, 15, then 8-row phases: 932 blocks.
        let big = BackwardRowRanges(rows: 65536, perPhase: 132, smallest: 8)
        #expect(big.first == 248 && big.blocks == 932)
        #expect(big.range(ofBlock: 0) == 0..<248 && big.range(ofBlock: 132) == 32736..<32860)
        // The launcher's rule: the staged 1,024-thread plan from 256 rows a slot on; no other plan.
        let h100 = 232_448
        let staged = LaunchPlan.backward(rows: 65536, columns: 16384, elementSize: 2, vectorWidth: 8, stagingBytes: h100)
        #expect(staged.blockSize == 1024 && staged.withRowRanges(rows: 65536, slots: 132).rowRanges == big)
        #expect(staged.withRowRanges(rows: 65536, slots: 132).description.hasSuffix(" staged=2 ranges=932"))
        #expect(staged.withRowRanges(rows: 16384, slots: 132).rowRanges == nil)
        for (m, n) in [(65536, 8192), (65536, 4096), (4096, 4096)] {
            let p = LaunchPlan.backward(rows: m, columns: n, elementSize: 2, vectorWidth: 8, stagingBytes: h100)
            #expect(p.withRowRanges(rows: m, slots: 132).rowRanges == nil, "\(m)x\(n): \(p)")
        }
        #expect(KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, backward: true).kernelNames
            .contains("rmsnorm_bwd_async_npt2_rng"))
        // verify's cases for the ranges (1031 rows; RMSNORM_BWD_RANGES=1 on the GPU) are on the staged 1,024-thread plan.
        for (n, saved, overlap, residual) in [(16384, true, false, false), (16000, true, false, true), (16384, false, true, false)] {
            let p = LaunchPlan.backward(rows: 1031, columns: n, elementSize: 2, vectorWidth: 8, savedRstd: saved,
                dxOverlapsInputs: overlap, weightSize: 2, residual: residual, stagingBytes: h100)
            #expect(p.blockSize == 1024 && p.backwardStages >= 2 && !p.registers128, "1031x\(n): \(p)")
        }
    }

    /// dw has the same bits whatever the row count per core: the partial sums follow M alone.
    @Test func backwardChunkingDependsOnRowsOnly() {
        #expect(CPUVariantKernel.backwardChunk(rows: 1) == 32)
        #expect(CPUVariantKernel.backwardChunk(rows: 65536) == 256)
    }
}

@Suite struct Float8Tests {
    @Test func everyCodeRoundTrips() {
        for b in 0...255 {
            let q = Float8E4M3(bitPattern: UInt8(b))
            if q.isNaN { #expect(Float8E4M3(rounding: q.floatValue).isNaN); continue }
            #expect(Float8E4M3(rounding: q.floatValue).bitPattern == UInt8(b), "code \(b)")
        }
        #expect(Float8E4M3(bitPattern: 0x7e).floatValue == 448)
        #expect(Float8E4M3(bitPattern: 0x01).floatValue == 0x1p-9)
        #expect(Float8E4M3(bitPattern: 0x08).floatValue == 0x1p-6)
    }

    @Test func roundsToNearestEvenAndSaturates() {
        // Midpoints between neighbours go to the even code.
        for b in 0..<0x7e {
            let lo = Float8E4M3(bitPattern: UInt8(b)).floatValue, hi = Float8E4M3(bitPattern: UInt8(b + 1)).floatValue
            let mid = (Double(lo) + Double(hi)) / 2
            #expect(Float8E4M3(rounding: mid).bitPattern == UInt8(b % 2 == 0 ? b : b + 1), "midpoint after \(b)")
        }
        for v in [448.5, 464, 1e9, Double.infinity] {
            #expect(Float8E4M3(rounding: v).bitPattern == 0x7e)
            #expect(Float8E4M3(rounding: -v).bitPattern == 0xfe)
        }
        #expect(Float8E4M3(rounding: Double.nan).isNaN)
    }

    /// The kernels' software conversion (used below sm_89), transcribed bit for bit, agrees with the
    /// reference rule on every boundary and on random values.
    @Test func kernelSoftwareConversionMatches() {
        func soft(_ f: Float) -> UInt8 {
            let u = f.bitPattern
            let sign = UInt8((u >> 24) & 0x80)
            let a = abs(f)
            if a.isNaN { return 0x7f }
            var code: UInt32
            if a >= 448 {
                code = 0x7e
            } else if a < 0.015625 {
                code = UInt32((a * 512).rounded(.toNearestOrEven))
            } else {
                let b = a.bitPattern
                let r = (b &+ 0x7ffff &+ ((b >> 20) & 1)) >> 20
                code = min(r &- ((127 - 7) << 3), 0x7e)
            }
            return sign | UInt8(code)
        }
        var values: [Float] = []
        for b in 0..<0x7f {
            let v = Float8E4M3(bitPattern: UInt8(b)).floatValue
            values += [v, v.nextUp, v.nextDown, -v]
            if b < 0x7e {
                let mid = (v + Float8E4M3(bitPattern: UInt8(b + 1)).floatValue) / 2
                values += [mid, mid.nextUp, mid.nextDown]
            }
        }
        var rng = SeededRandom(seed: 11)
        for _ in 0..<20000 { values.append(Float(rng.normal() * 100)) }
        values += [.infinity, -.infinity, 447.99, 448.01, 1e-30, 0x1p-10, 3 * 0x1p-10]
        for v in values {
            #expect(soft(v) == Float8E4M3(rounding: v).bitPattern, "\(v)")
        }
    }
}

@Suite struct VariantBadInputTests {
    let x = [Float](repeating: 1, count: 64)
    let w = [Float](repeating: 1, count: 8)

    @Test func residualOfTheWrongSize() {
        var r = [Float](repeating: 3, count: 56)
        #expect(throws: RMSNormError.self) { _ = try fusedAddRMSNorm(x, residual: &r, weight: w, backend: .cpu) }
        #expect(r.allSatisfy { $0 == 3 })
    }

    @Test(arguments: [Float(0), -1, .nan, .infinity, .leastNonzeroMagnitude])
    func badScale(scale: Float) {
        do {
            _ = try rmsNormFP8(x, weight: w, scale: scale, backend: .cpu)
            Issue.record("scale \(scale) accepted")
        } catch {
            #expect(error.description.contains("fp8 scale"), "\(error)")
        }
    }

    @Test func badOffset() {
        #expect(throws: RMSNormError.self) { _ = try rmsNorm(x, weight: w, options: .init(weightOffset: .nan), backend: .cpu) }
    }

    @Test func backwardShapes() {
        #expect(throws: RMSNormError.self) { _ = try rmsNormBackward(x, weight: w, outputGradient: Array(x.dropLast()), backend: .cpu) }
        #expect(throws: RMSNormError.self) { _ = try rmsNormBackward(x, weight: w, rstd: [1, 2], outputGradient: x, backend: .cpu) }
        #expect(throws: RMSNormError.self) {
            _ = try rmsNormBackward(x, weight: w, outputGradient: x, residualGradient: [1], backend: .cpu)
        }
    }

    /// A refused host-matrix call writes nothing: wrong dw length, partial overlaps, bad eps.
    @Test func refusedCallsWriteNothing() throws {
        var buf = [Float](repeating: 5, count: 128)
        var dw = [Float](repeating: 9, count: 7)
        var out = [Float](repeating: 4, count: 64)
        let xs = x, ws = w
        func attempt(_ body: (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) throws -> Void) -> String {
            do {
                try buf.withUnsafeMutableBufferPointer { b in
                    try dw.withUnsafeMutableBufferPointer { d in try out.withUnsafeMutableBufferPointer { o in try body(b, d, o) } }
                }
                return "accepted"
            } catch { return "\(error)" }
        }
        let e1 = attempt { b, d, o in
            try xs.withUnsafeBufferPointer { xb in
                try ws.withUnsafeBufferPointer { wb in
                    let xm = try HostMatrix(xb, rows: 8, columns: 8)
                    try rmsNormBackward(xm, weight: wb, outputGradient: xm, into: HostMatrix(o, rows: 8, columns: 8), weightGradient: d)
                }
            }
        }
        #expect(e1.contains("dw holds 7"), "\(e1)")
        let e2 = attempt { b, _, _ in
            try ws.withUnsafeBufferPointer { wb in
                let xm = try HostMatrix(UnsafeMutableBufferPointer(rebasing: b[0..<64]), rows: 8, columns: 8)
                let ym = try HostMatrix(UnsafeMutableBufferPointer(rebasing: b[1..<65]), rows: 8, columns: 8)
                let rm = try HostMatrix(UnsafeMutableBufferPointer(rebasing: b[64..<128]), rows: 8, columns: 8)
                try fusedAddRMSNorm(xm, residual: rm, weight: wb, into: ym, residualOut: rm)
            }
        }
        #expect(e2.contains("y overlaps"), "\(e2)")
        let e3 = attempt { b, _, o in
            try ws.withUnsafeBufferPointer { wb in
                let xm = try HostMatrix(UnsafeMutableBufferPointer(rebasing: b[0..<64]), rows: 8, columns: 8)
                let rm = try HostMatrix(UnsafeMutableBufferPointer(rebasing: b[64..<128]), rows: 8, columns: 8)
                // h may be the residual or x, never something else that overlaps the y output.
                try fusedAddRMSNorm(xm, residual: rm, weight: wb, into: HostMatrix(o, rows: 8, columns: 8), residualOut: HostMatrix(o, rows: 8, columns: 8))
            }
        }
        #expect(e3.contains("overlaps"), "\(e3)")
        let e4 = attempt { b, _, o in
            try ws.withUnsafeBufferPointer { wb in
                let xm = try HostMatrix(UnsafeMutableBufferPointer(rebasing: b[0..<64]), rows: 8, columns: 8)
                try fusedAddRMSNorm(xm, residual: nil, weight: wb, options: .init(eps: -1), into: HostMatrix(o, rows: 8, columns: 8), residualOut: nil)
            }
        }
        #expect(e4.contains("eps"), "\(e4)")
        #expect(buf.allSatisfy { $0 == 5 } && dw.allSatisfy { $0 == 9 } && out.allSatisfy { $0 == 4 }, "a refused call wrote")
    }
}
