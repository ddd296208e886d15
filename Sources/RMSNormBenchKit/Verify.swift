#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FoundationEssentials
import RMSNorm
import RMSNormTestSupport
import Dispatch
import Synchronization

/// One conformance case: a dtype pair, a shape and a memory layout.
struct ConformanceCase: CustomStringConvertible {
    enum Layout: String, CaseIterable {
        case dense, strided, offset, padded, inPlace = "in-place"
    }
    var input: DType
    var weight: DType
    var rows: Int
    var columns: Int
    var layout: Layout
    var scale: Double = 1
    var eps: Float = defaultEpsilon
    /// A plan forced instead of the launcher's (dense layout): plans the heuristic does not pick here.
    var plan: LaunchPlan? = nil
    /// The launcher's own plan (`launchPlan(for:)`) given back explicitly, as a caller that tunes or logs plans
    /// would: at odd N it is the aligned-interior plan, which the explicit-plan entry point must run.
    var givesLauncherPlan = false

    var inputStride: Int {
        switch layout {
        case .dense, .inPlace: return columns
        case .strided: return columns + 5                    // misaligns every other row start
        case .offset: return columns
        case .padded: return (columns + 63) / 64 * 64 + 64   // aligned padding, as a view of a larger buffer
        }
    }
    var outputStride: Int { layout == .strided ? columns + 3 : inputStride }
    var offset: Int { layout == .offset ? 1 : 0 }         // start one element in: not 16-byte aligned
    var description: String {
        "\(input)/w:\(weight) \(rows)x\(columns) \(layout.rawValue)" + (scale != 1 ? " scale \(scale)" : "")
            + (eps != defaultEpsilon ? " eps \(eps)" : "") + (plan.map { " plan \($0)" } ?? "")
            + (givesLauncherPlan ? " (launcher's plan given)" : "")
    }
}

/// Result of one case.
struct ConformanceResult {
    var testCase: ConformanceCase
    var passed: Bool
    var detail: String
    var plan: String
    var maxError: Double = .nan
}

/// The GPU conformance matrix of `rmsnorm-bench verify`: every dtype × weight dtype × shape ×
/// layout against the fp64 CPU reference, outputs poisoned with 0xFF first (and checked untouched
/// outside the view), rstd checked too.
enum Conformance {
    static let rowsList = [1, 7, 199, 4096]
    static let columnsList = [1, 3, 8, 96, 128, 760, 769, 1000, 4096, 7168, 11008, 65536]
    static let hugeColumns = [32768, 131_072, 262_144]
    static let variantRows = [1, 7, 199, 4096]
    static let variantColumns = [1, 3, 96, 769, 1000, 4096, 7168, 16384, 65536, 262_144]

    static func cases(quick: Bool, cap: Int = .max, maxClusterSize: Int = 1, maxSharedMemoryPerBlock: Int = 0) -> [ConformanceCase] {
        var list: [ConformanceCase] = []
        let pairs: [(DType, DType)] = [(.float32, .float32), (.float16, .float16), (.float16, .float32),
            (.bfloat16, .bfloat16), (.bfloat16, .float32)]
        for (x, w) in pairs {
            for n in columnsList + hugeColumns {
                for m in rowsList {
                    // Keep each case under ~50 M elements so the fp64 reference stays quick.
                    guard m * n <= min(cap, quick ? 2_000_000 : 50_000_000) else { continue }
                    list.append(.init(input: x, weight: w, rows: m, columns: n, layout: .dense))
                    if m <= 199 {
                        for layout in [ConformanceCase.Layout.strided, .offset, .padded, .inPlace] {
                            list.append(.init(input: x, weight: w, rows: m, columns: n, layout: layout))
                        }
                    }
                }
            }
            // Numeric edges (fp32 and bf16 share the range): x² overflowing fp32; tiny rows with
            // eps = 0, x² underflowing (the TINY_EPS kernels); fp32 subnormal rows, whose rstd is
            // beyond fp32's range (stored as +inf) while y stays finite.
            if x != .float16 {
                for n in [96, 1001, 4096, 65536] {  // 1001: the aligned-interior kernels' rescue
                    list.append(.init(input: x, weight: w, rows: 7, columns: n, layout: .dense, scale: 1e37))
                    list.append(.init(input: x, weight: w, rows: 7, columns: n, layout: .dense, scale: 1e-30, eps: 0))
                    if x == .float32 {
                        list.append(.init(input: x, weight: w, rows: 7, columns: n, layout: .dense, scale: 1e-40, eps: 0))
                    }
                }
            }
            list.append(.init(input: x, weight: w, rows: 7, columns: 1000, layout: .dense, scale: 1e-3))
            for n in [769, 1000, 4096] {
                list.append(.init(input: x, weight: w, rows: 199, columns: n, layout: .dense, givesLauncherPlan: true))
                list.append(.init(input: x, weight: w, rows: 7, columns: n, layout: .strided, givesLauncherPlan: true))
            }
        }
        // Plans only many long rows reach, quick or not: bf16 rows of 4104–5728 columns at 2,112 rows or more, whose
        // row module a high-bandwidth GPU bounds at 5 blocks an SM (V71, V72, V74), dense, in place, and in a padded view.
        for (n, layout) in [(5120, ConformanceCase.Layout.dense), (5632, .inPlace), (5120, .padded), (4608, .dense),
            (4608, .padded), (4104, .dense), (4352, .inPlace)] where 4096 * n <= cap
        {
            list.append(.init(input: .bfloat16, weight: .bfloat16, rows: 4096, columns: n, layout: layout))
        }
        // …and the rows a high-bandwidth GPU reads twice (V73): at 8,448 rows (64 an SM on 132 SMs), full 16-bit rows of
        // 4 × 256 threads and rows of 7/8 of them (V76: the last vector of half the threads masked), of 3/4 to 7/8 (V78),
        // fp16 rows over half and under 3/4 of that layout, fp32 rows of 2 × 512; and bf16 just over 7/10 (plain module).
        for (t, n, layout) in [(DType.bfloat16, 8192, ConformanceCase.Layout.dense), (.float16, 8192, .padded),
            (.bfloat16, 7168, .padded), (.float16, 7176, .inPlace), (.bfloat16, 7680, .dense),
            (.float16, 5120, .inPlace), (.float16, 4104, .dense), (.float32, 4096, .padded),
            (.bfloat16, 6144, .inPlace), (.float16, 6656, .padded), (.bfloat16, 5736, .dense)] where 8448 * n <= cap
        {
            list.append(.init(input: t, weight: t, rows: 8448, columns: n, layout: layout))
        }
        // Exactly 48 KB of dynamic shared memory, which with the kernel's static scratch passes the default 48 KB a block
        // may have (s34g: such a launch failed while the launcher raised the limit only above 48 KB of dynamic memory):
        // the launcher's cluster plan with a slice of 48 KB (16 × 12,288 fp32), and rows of 48 KB staged one a block
        // (24,576 bf16 where no high-bandwidth rule splits them over clusters, V89, and given as a plan everywhere; 24,575
        // takes the aligned-interior plan). Cases run concurrently and share the raised limit, so `verify --match
        // 264x2457` alone is the check of a fresh process.
        if maxClusterSize > 1 && 64 * 196_608 <= cap {
            list.append(.init(input: .float32, weight: .float32, rows: 64, columns: 196_608, layout: .dense))
        }
        for (n, layout) in [(24_576, ConformanceCase.Layout.dense), (24_576, .inPlace), (24_575, .dense)] where 264 * n <= cap {
            list.append(.init(input: .bfloat16, weight: .bfloat16, rows: 264, columns: n, layout: layout))
        }
        if 264 * 24_576 <= cap {
            list.append(.init(input: .bfloat16, weight: .bfloat16, rows: 264, columns: 24_576, layout: .dense,
                plan: LaunchPlan(path: .sharedMemory, vectorWidth: 8, threadsPerRow: 256, blockSize: 256, sharedMemoryBytes: 48 * 1024)))
        }
        // Rows of 32 KB to the shared memory's size at 2 × SMs rows (264 on 132 SMs), which a high-bandwidth GPU splits over
        // clusters in slices of at most 32 KB (s34i): 64 KB bf16 rows over 2, 96 KB over 4 (in place), 80 KB fp32 over 4
        // (padded), fp16 with an fp32 weight over 2.
        for (x, w, n, layout) in [(DType.bfloat16, DType.bfloat16, 32_768, ConformanceCase.Layout.dense),
            (.bfloat16, .bfloat16, 49_152, .inPlace), (.float32, .float32, 20_000, .padded), (.float16, .float32, 24_576, .dense)]
        where 264 * n <= cap {
            list.append(.init(input: x, weight: w, rows: 264, columns: n, layout: layout))
        }
        // Every cluster plan the tuner may try (sizes 2 to 16, each block size), forced, at rows that
        // split unevenly (N not a multiple of vec · size) and with the overflow rescue across a cluster.
        if maxClusterSize > 1 {
            let shapes: [(DType, DType, Int, Int, Double)] = [
                (.float32, .float32, 3, 262_144, 1), (.bfloat16, .float32, 2, 65_544, 1), (.float16, .float16, 1, 40_001, 1),
                (.float32, .float32, 2, 65_536, 1e37), (.bfloat16, .bfloat16, 2, 32_776, 1e-30),
            ]
            for (x, w, m, n, scale) in shapes where m * n <= cap {
                var vec = 16 / x.size
                while n % vec != 0 { vec /= 2 }
                let plans = LaunchPlan.candidates(rows: m, columns: n, elementSize: x.size, vectorWidth: vec,
                    maxSharedMemoryPerBlock: maxSharedMemoryPerBlock, maxClusterSize: maxClusterSize)
                for plan in plans where plan.clusterSize > 1 {
                    list.append(.init(input: x, weight: w, rows: m, columns: n, layout: .dense, scale: scale,
                        eps: scale < 1 ? 0 : defaultEpsilon, plan: plan))
                }
            }
        }
        // Every split-row plan the tuner may try (two kernels, any GPU), forced: rows that split unevenly,
        // scalar accesses (N odd), the overflow and tiny-sum paths (recomputed over the whole row in every
        // block), and in place (the launcher then takes another plan).
        let splitShapes: [(DType, DType, Int, Int, Double, ConformanceCase.Layout)] = [
            (.float32, .float32, 3, 262_144, 1, .dense), (.bfloat16, .float32, 2, 65_544, 1, .dense),
            (.float16, .float16, 1, 40_001, 1, .dense), (.float32, .float32, 2, 65_536, 1e37, .dense),
            (.bfloat16, .bfloat16, 2, 32_776, 1e-30, .dense), (.float32, .float32, 2, 65_536, 1, .inPlace),
        ]
        for (x, w, m, n, scale, layout) in splitShapes where m * n <= cap {
            var vec = 16 / x.size
            while n % vec != 0 { vec /= 2 }
            let plans = LaunchPlan.candidates(rows: m, columns: n, elementSize: x.size, vectorWidth: vec,
                maxSharedMemoryPerBlock: maxSharedMemoryPerBlock, maxClusterSize: maxClusterSize, includeSplit: true)
            for plan in plans {
                guard case .split = plan.path else { continue }
                list.append(.init(input: x, weight: w, rows: m, columns: n, layout: layout, scale: scale,
                    eps: scale < 1 ? 0 : defaultEpsilon, plan: plan))
            }
        }
        return list
    }

    static func run(
        device: CUDADevice, quick: Bool, variantsOnly: Bool = false, maxElements: Int = .max, match: String? = nil,
        log: (String) -> Void
    ) -> (passed: Int, failed: Int) {
        var passed = 0, failed = 0
        let keep = { (text: String) in match.map { text.contains($0) } ?? true }
        let all = variantsOnly ? [] : cases(quick: quick, cap: maxElements,
            maxClusterSize: LaunchPlan.maxClusterSize(arch: device.arch), maxSharedMemoryPerBlock: device.maxSharedMemoryPerBlockOptin)
            .filter { keep("\($0)") }
        // Cases run on all cores at once (the fp64 reference dominates); this also drives the
        // library from many threads. Lines are printed in case order.
        let results = Mutex<[Int: ConformanceResult]>([:])
        DispatchQueue.concurrentPerform(iterations: all.count) { i in
            let c = all[i]
            let r: ConformanceResult
            do {
                r = try runCase(c, device: device)
            } catch {
                r = ConformanceResult(testCase: c, passed: false, detail: "threw: \(error)", plan: "-")
            }
            results.withLock { $0[i] = r }
        }
        let done = results.withLock { $0 }
        for i in all.indices {
            let r = done[i]!
            if r.passed { passed += 1 } else { failed += 1 }
            log("\(r.passed ? "PASS" : "FAIL")  \(r.testCase)  [\(r.plan)]  \(r.detail)")
        }
        // The variants: fused add, Gemma offset, casting modes, fp8 output, backward.
        let allVariants = VariantCase.matrix(rows: variantRows, columns: quick ? [1, 3, 96, 769, 4096, 7168] : variantColumns,
            maxElements: min(maxElements, quick ? 500_000 : 8_000_000))
            + VariantCase.edgeMatrix(columns: [96, 4096, 65536].filter { 7 * $0 <= maxElements })
            // Plans only many rows reach: the backward's 16-element kernel at 128 registers (N in (4096, 5120]
            // at M ≥ 16,384), with the forward's rstd and recomputed.
            // The fused backward (few rows, the forward's rstd) at thread-group counts the matrix above
            // misses: 2 (13 rows, several rows a block), 8 (37 rows, strided) and 32 with 31 rows a group.
            + [VariantCase(kind: .backward, input: .float16, weight: .float32, rows: 13, columns: 96, layout: .dense),
               VariantCase(kind: .backward, input: .bfloat16, weight: .bfloat16, rows: 37, columns: 4096, layout: .strided),
               VariantCase(kind: .backwardAdd, input: .float32, weight: .float32, rows: 1000, columns: 1000, layout: .dense),
               // The staged backward (V36) with several rows a block (N ≤ 512 at 16 elements a thread), each row
               // group with its own copy of the weight; and its largest weight copy (16,384 fp32) beside 2 stages.
               VariantCase(kind: .backward, input: .bfloat16, weight: .bfloat16, rows: 4096, columns: 256, layout: .dense),
               VariantCase(kind: .backwardRecompute, input: .float16, weight: .float16, rows: 199, columns: 384, layout: .dense),
               VariantCase(kind: .backwardAdd, input: .bfloat16, weight: .float32, rows: 4096, columns: 512, layout: .dense),
               VariantCase(kind: .backward, input: .bfloat16, weight: .float32, rows: 256, columns: 16384, layout: .inPlace),
               // Few long rows, fused: 384 threads a row at 32 elements (fused-wide, V43; 768 at 16 with RMSNORM_BWD_FUSED_WIDE=0).
               VariantCase(kind: .backward, input: .bfloat16, weight: .bfloat16, rows: 256, columns: 12288, layout: .dense),
               // The staged 1,024-thread kernel past the fused plan's 1,024 rows, with a residual gradient, recomputed,
               // N = 16,000 (the last vectors of the row idle) and in place. Its falling row ranges
               // (`rmsnorm_bwd_async_npt2_rng`) start at 256 rows an SM; `RMSNORM_BWD_RANGES=1` (with
               // `RMSNORM_BWD_RANGE_MIN=1`: ranges of 3 rows, then single rows, over 6 phases) puts these cases on them.
               VariantCase(kind: .backward, input: .bfloat16, weight: .bfloat16, rows: 1031, columns: 16384, layout: .dense),
               VariantCase(kind: .backwardAdd, input: .bfloat16, weight: .bfloat16, rows: 1031, columns: 16000, layout: .dense),
               VariantCase(kind: .backwardRecompute, input: .float16, weight: .float16, rows: 1031, columns: 16384, layout: .inPlace),
               // The fused add read twice on a high-bandwidth GPU (V80, ≥ 64 rows an SM: 8,448 on 132 SMs): 2 × 256, 2 × 512
               // (7/8 full), fp32 2 × 512 and bf16 4 × 256 (5/8 full), in place and misaligned (8-byte vectors: read once).
               VariantCase(kind: .add, input: .bfloat16, weight: .bfloat16, rows: 8448, columns: 4096, layout: .inPlace),
               VariantCase(kind: .add, input: .float16, weight: .float16, rows: 8448, columns: 7168, layout: .dense),
               VariantCase(kind: .add, input: .float32, weight: .float32, rows: 8448, columns: 4096, layout: .inPlace),
               VariantCase(kind: .add, input: .bfloat16, weight: .bfloat16, rows: 8448, columns: 5120, layout: .dense),
               VariantCase(kind: .add, input: .bfloat16, weight: .bfloat16, rows: 8448, columns: 8192, layout: .strided),
               // The LLaMA casting mode on the forward's row rules (V82): bf16 at the 5-block bound, fp16 over half of
               // 4 × 256 and at 7/8 read twice, fp32 2 × 512 read twice (in place).
               VariantCase(kind: .llama, input: .bfloat16, weight: .bfloat16, rows: 8448, columns: 5120, layout: .dense),
               VariantCase(kind: .llama, input: .float16, weight: .float16, rows: 8448, columns: 4608, layout: .dense),
               VariantCase(kind: .llama, input: .bfloat16, weight: .bfloat16, rows: 8448, columns: 7168, layout: .inPlace),
               VariantCase(kind: .llama, input: .float32, weight: .float32, rows: 8448, columns: 4096, layout: .inPlace),
               // fp8 output in the default casting mode (V83): the forward at the bound, fp16 over half of 4 × 256 read
               // twice (and 4 × 256 full, read twice in s31c's build, once now); the fused add at 2 vectors a thread read
               // twice (2 × 256 full), and 7/8 of 2 × 512 and fp32 2 × 512 (read twice in s31c's build, once now).
               VariantCase(kind: .fp8, input: .bfloat16, weight: .bfloat16, rows: 8448, columns: 5120, layout: .dense),
               VariantCase(kind: .fp8, input: .float16, weight: .float16, rows: 8448, columns: 8192, layout: .dense),
               VariantCase(kind: .fp8, input: .float16, weight: .float16, rows: 8448, columns: 4608, layout: .dense),
               VariantCase(kind: .addFP8, input: .bfloat16, weight: .bfloat16, rows: 8448, columns: 4096, layout: .inPlace,
                   casting: .gemma),
               VariantCase(kind: .addFP8, input: .float16, weight: .float16, rows: 8448, columns: 7168, layout: .dense,
                   casting: .gemma),
               VariantCase(kind: .addFP8, input: .float32, weight: .float32, rows: 8448, columns: 4096, layout: .dense,
                   casting: .gemma),
               // Wide rows at 2 × SMs rows split over clusters on a high-bandwidth GPU (V89, s34i, s34l): the variants; the
               // fused add at 24,576 bf16 is a row of exactly 48 KB (s34g's launch failure when staged), on 2 × 24 KB
               // clusters there and staged elsewhere. 32,768 bf16 runs the `_b2` cluster kernels (V90b).
               VariantCase(kind: .gemma, input: .bfloat16, weight: .bfloat16, rows: 264, columns: 32768, layout: .dense),
               VariantCase(kind: .llama, input: .float16, weight: .float16, rows: 264, columns: 49152, layout: .inPlace),
               VariantCase(kind: .fp8, input: .float32, weight: .float32, rows: 264, columns: 20000, layout: .dense),
               VariantCase(kind: .add, input: .bfloat16, weight: .bfloat16, rows: 264, columns: 32768, layout: .dense),
               VariantCase(kind: .add, input: .bfloat16, weight: .bfloat16, rows: 264, columns: 24576, layout: .inPlace),
               // The fused add's 4 × 64 rows of many rows: bf16 with the weight held (V93; few rows of 4 × 512 hold it too,
               // in the matrix above: 1 and 7 × 16,384), fp16 (not held) beside it.
               VariantCase(kind: .add, input: .bfloat16, weight: .bfloat16, rows: 4096, columns: 2048, layout: .strided),
               VariantCase(kind: .add, input: .float16, weight: .float16, rows: 4099, columns: 2048, layout: .inPlace),
               // fp16's fused add at few rows of 4 × 512 with the weight held, its module bounded at 512 threads (V94): a
               // full row, and rows of 3/4 (the last vectors idle) strided; 16 rows of 16,000 in place (held since V95);
               // and 61 × 14,336 fp16 strided, 64 × 16,384 bf16 dense (held since V96, which raised the bound to 64 rows).
               VariantCase(kind: .add, input: .float16, weight: .float16, rows: 1, columns: 16384, layout: .dense),
               VariantCase(kind: .add, input: .float16, weight: .float16, rows: 7, columns: 12288, layout: .strided),
               VariantCase(kind: .add, input: .float16, weight: .float16, rows: 16, columns: 16000, layout: .inPlace),
               VariantCase(kind: .add, input: .float16, weight: .float16, rows: 61, columns: 14336, layout: .strided),
               VariantCase(kind: .add, input: .bfloat16, weight: .bfloat16, rows: 64, columns: 16384, layout: .dense),
               // fp16 held at up to as many rows as SMs (V97): 131 × 16,000 strided (4 × 512), 100 × 4096 in place (4 × 128).
               VariantCase(kind: .add, input: .float16, weight: .float16, rows: 131, columns: 16000, layout: .strided),
               VariantCase(kind: .add, input: .float16, weight: .float16, rows: 100, columns: 4096, layout: .inPlace),
               // bf16 held at 512 threads a row up to as many rows as SMs (V99): 97 × 12,000 strided (4 × 512, 73% full).
               VariantCase(kind: .add, input: .bfloat16, weight: .bfloat16, rows: 97, columns: 12000, layout: .strided),
               // 4096 rows of 4096 columns at 4 × 128 instead of pairs (V98; pairs from 64 rows an SM).
               VariantCase(kind: .add, input: .float16, weight: .float16, rows: 4096, columns: 4096, layout: .strided),
               // Full 2 × 128 rows (2048 columns) in pairs from 120 rows an SM (V100: 15,840 on 132 SMs).
               VariantCase(kind: .add, input: .bfloat16, weight: .bfloat16, rows: 15840, columns: 2048, layout: .strided),
               VariantCase(kind: .add, input: .float16, weight: .float16, rows: 16389, columns: 2048, layout: .inPlace),
               // The fused add's full 4 × 512 rows read twice from 30 rows an SM (V81: 4224 on 132 SMs).
               VariantCase(kind: .add, input: .bfloat16, weight: .bfloat16, rows: 4224, columns: 16384, layout: .dense),
               VariantCase(kind: .add, input: .float16, weight: .float16, rows: 4224, columns: 14336, layout: .inPlace)]
                .filter { $0.rows * $0.columns <= maxElements }
            + (maxElements >= 100_000_000 ? [
                VariantCase(kind: .backward, input: .bfloat16, weight: .bfloat16, rows: 16384, columns: 4104, layout: .dense),
                // The 32-element register kernel (16,384 rows and more of up to 8192 columns; 16-byte vectors, so no strided
                // rows) at each of its layouts: 4 × 224 (a row module under RMSNORM_BWD_ROW_MODULES=1, V105), 4 × 256 on an
                // odd row count (the two-row loop's last row alone under RMSNORM_BWD_TWO_ROWS=1, V104), 4 × 128 with an fp32
                // weight, 4 × 64 and 4 × 32 (8 rows a block) in place; and 5120's 2 × 320 `_r128` in place.
                VariantCase(kind: .backward, input: .bfloat16, weight: .bfloat16, rows: 16384, columns: 7168, layout: .dense),
                VariantCase(kind: .backward, input: .float16, weight: .float16, rows: 16389, columns: 8192, layout: .dense),
                VariantCase(kind: .backward, input: .bfloat16, weight: .float32, rows: 16391, columns: 4096, layout: .dense),
                VariantCase(kind: .backward, input: .bfloat16, weight: .bfloat16, rows: 16384, columns: 2048, layout: .inPlace),
                VariantCase(kind: .backward, input: .float16, weight: .float16, rows: 16387, columns: 1024, layout: .inPlace),
                VariantCase(kind: .backward, input: .bfloat16, weight: .bfloat16, rows: 16384, columns: 5120, layout: .inPlace),
                VariantCase(kind: .backwardRecompute, input: .float32, weight: .float32, rows: 16384, columns: 5000, layout: .dense),
                VariantCase(kind: .backwardAdd, input: .bfloat16, weight: .float32, rows: 16384, columns: 5120, layout: .dense),
            ] : [])
        let variants = allVariants.filter { keep("\($0)") }
        let vresults = Mutex<[Int: (Bool, String)]>([:])
        let executor = GPUExecutor(device: device)
        DispatchQueue.concurrentPerform(iterations: variants.count) { i in
            let c = variants[i]
            let r: (Bool, String)
            do {
                let out = try c.check(executor)
                r = (out.detail.isEmpty, format("max %.3g", out.maxError) + (out.detail.isEmpty ? "" : " — " + out.detail))
            } catch {
                r = (false, "threw: \(error)")
            }
            vresults.withLock { $0[i] = r }
        }
        let vdone = vresults.withLock { $0 }
        for i in variants.indices {
            let (ok, detail) = vdone[i]!
            if ok { passed += 1 } else { failed += 1 }
            log("\(ok ? "PASS" : "FAIL")  \(variants[i])  \(detail)")
        }
        for (name, check) in edgeChecks where !variantsOnly && keep(name) {
            let ok: Bool
            var detail = ""
            do { detail = try check(device); ok = detail.isEmpty } catch { ok = false; detail = "threw: \(error)" }
            if ok { passed += 1 } else { failed += 1 }
            log("\(ok ? "PASS" : "FAIL")  \(name)  \(detail)")
        }
        return (passed, failed)
    }

    static func runCase(_ c: ConformanceCase, device: CUDADevice) throws -> ConformanceResult {
        switch (c.input, c.weight) {
        case (.float32, _): return try runTyped(c, Float.self, Float.self, device: device)
        case (.float16, .float16): return try runTyped(c, Float16.self, Float16.self, device: device)
        case (.float16, _): return try runTyped(c, Float16.self, Float.self, device: device)
        case (.bfloat16, .bfloat16): return try runTyped(c, BFloat16.self, BFloat16.self, device: device)
        case (.bfloat16, _): return try runTyped(c, BFloat16.self, Float.self, device: device)
        }
    }

    static func runTyped<T: RMSNormElement, W: RMSNormElement>(
        _ c: ConformanceCase, _: T.Type, _: W.Type, device: CUDADevice
    ) throws -> ConformanceResult {
        let seed = SeededRandom.freshSeed()
        var rng = SeededRandom(seed: seed)
        let xCount = c.offset + (c.rows - 1) * c.inputStride + c.columns
        let yCount = c.offset + (c.rows - 1) * c.outputStride + c.columns
        let x: [T] = rng.normals(xCount, scale: c.scale)
        let w: [W] = rng.normals(c.columns)
        let ref = x.withUnsafeBufferPointer { xb in
            w.withUnsafeBufferPointer { wb in
                RMSNormReference.forward(
                    UnsafeBufferPointer(rebasing: xb[c.offset...]), rows: c.rows, columns: c.columns,
                    rowStride: c.inputStride, weight: wb, eps: c.eps)
            }
        }
        let xBuffer = try DeviceBuffer(device: device, copying: x)
        let wBuffer = try DeviceBuffer(device: device, copying: w)
        let xView = try DeviceMatrix(xBuffer, rows: c.rows, columns: c.columns, rowStride: c.inputStride, offset: c.offset)
        let yView: DeviceMatrix<T>
        if c.layout == .inPlace {
            yView = xView
        } else {
            let yBuffer = try DeviceBuffer<T>(device: device, count: yCount)
            try yBuffer.fill(byte: 0xff)
            yView = try DeviceMatrix(yBuffer, rows: c.rows, columns: c.columns, rowStride: c.outputStride, offset: c.offset)
        }
        let rstd = try DeviceBuffer<Float>(device: device, count: c.rows)
        try rstd.fill(byte: 0xff)
        let plan = c.plan ?? launchPlan(for: xView, weight: wBuffer, into: yView)
        if let forced = c.plan {
            try rmsNorm(xView, weight: wBuffer, eps: c.eps, into: yView, plan: forced, cacheHints: false, rstd: rstd)
        } else if c.givesLauncherPlan {
            try rmsNorm(xView, weight: wBuffer, eps: c.eps, into: yView, plan: plan, cacheHints: LaunchPlan.defaultCacheHints,
                rstd: rstd)
        } else {
            try rmsNorm(xView, weight: wBuffer, eps: c.eps, into: yView, rstd: rstd)
        }
        try device.synchronize()
        let y = try yView.buffer.download()
        let poison: (Int) -> Bool =
            c.layout == .inPlace
            ? { i in withUnsafeBytes(of: y[i]) { a in withUnsafeBytes(of: x[i]) { b in a.elementsEqual(b) } } }
            : { i in withUnsafeBytes(of: y[i]) { $0.allSatisfy { $0 == 0xff } } }
        let cmp = Comparison.compare(
            output: y, offset: c.offset, rows: c.rows, columns: c.columns, stride: c.outputStride,
            reference: ref.y, poisonCheck: poison)
        let r = try rstd.download()
        var rstdBad = 0
        for i in 0..<c.rows {
            // An rstd beyond fp32's range (tiny rows with eps = 0) is stored as +inf.
            let expected = Float(ref.rstd[i])
            let ok = expected.isInfinite ? r[i] == expected : abs(Double(r[i]) - ref.rstd[i]) <= 1e-5 * ref.rstd[i]
            if !ok { rstdBad += 1 }
        }
        let ok = cmp.passed && rstdBad == 0
        let detail = format("max %.3g ", cmp.maxError) + Tolerance.unit(for: T.dtype)
            + (ok ? "" : " — \(cmp) rstd bad \(rstdBad) seed \(seed)")
        return ConformanceResult(testCase: c, passed: ok, detail: detail, plan: plan.description, maxError: cmp.maxError)
    }

    /// Behaviour checks beyond plain accuracy. Each returns "" when it holds, else what went wrong.
    static var edgeChecks: [(String, (CUDADevice) throws -> String)] {
        [
            ("sliced buffers: x, w and y carved from one allocation give the separate buffers' bits; fills and uploads stay in their slice", { device in
                // DeviceBuffer(slicing:), as the bench's arena uses it (V87): a gap and a tail of the allocation keep
                // their pattern, and a slice past the end is refused.
                let m = 37, n = 4096
                var rng = SeededRandom(seed: SeededRandom.freshSeed())
                let xh: [Float] = rng.normals(m * n), wh: [Float] = rng.normals(n)
                let pool = try DeviceBuffer<Float>(device: device, count: 3 * m * n + n + 64)
                try pool.fill(byte: 0x11)
                let xs = try DeviceBuffer(slicing: pool, offset: 0, count: m * n)
                let ws = try DeviceBuffer(slicing: pool, offset: m * n + 32, count: n)
                let ys = try DeviceBuffer(slicing: pool, offset: m * n + n + 64, count: m * n)
                try xs.upload(xh)
                try ws.upload(wh)
                try ys.fill(byte: 0xff)
                try rmsNorm(try DeviceMatrix(xs, rows: m, columns: n), weight: ws, into: try DeviceMatrix(ys, rows: m, columns: n))
                let y2 = try DeviceMatrix<Float>(device: device, rows: m, columns: n)
                try rmsNorm(try DeviceMatrix(DeviceBuffer(device: device, copying: xh), rows: m, columns: n),
                    weight: try DeviceBuffer(device: device, copying: wh), into: y2)
                try device.synchronize()
                var problems: [String] = []
                if try ys.download().map(\.bitPattern) != y2.buffer.download().map(\.bitPattern) {
                    problems.append("the sliced call's y differs from the separate buffers'")
                }
                let all = try pool.download().map(\.bitPattern)
                if all[(m * n)..<(m * n + 32)].contains(where: { $0 != 0x1111_1111 }) { problems.append("the gap before w was written") }
                if all[(2 * m * n + n + 64)...].contains(where: { $0 != 0x1111_1111 }) { problems.append("the tail after y was written") }
                if (try? DeviceBuffer(slicing: pool, offset: pool.count - 10, count: 11)) != nil {
                    problems.append("a slice past the end was accepted")
                }
                return problems.joined(separator: "; ")
            }),
            ("graph capture: rows split over the grid (programmatic launch), forward and fused add, replayed twice", { device in
                // While a stream is captured, rows of 64 KB and more take split plans (V31); each shape is
                // captured, its outputs poisoned, the graph replayed twice, and y (and h) compared. The fused
                // add's graph starts with a forward, so that one split pair follows another in the graph.
                var problems: [String] = []
                let stream = try CUDAStream(device: device)
                for (m, n) in [(1, 16_384), (3, 32_768), (1, 65_536), (2, 262_144)] {
                    var rng = SeededRandom(seed: SeededRandom.freshSeed())
                    let xh: [Float] = rng.normals(m * n), rh: [Float] = rng.normals(m * n), wh: [Float] = rng.normals(n)
                    let hh = zip(xh, rh).map { $0 + $1 }
                    let x = try DeviceMatrix(DeviceBuffer(device: device, copying: xh), rows: m, columns: n)
                    let r = try DeviceMatrix(DeviceBuffer(device: device, copying: rh), rows: m, columns: n)
                    let w = try DeviceBuffer(device: device, copying: wh)
                    let y = try DeviceMatrix<Float>(device: device, rows: m, columns: n)
                    let h = try DeviceMatrix<Float>(device: device, rows: m, columns: n)
                    let plan = launchPlan(for: x, weight: w, into: y, capturing: true)
                    let graph = try stream.capture {
                        try rmsNorm(x, weight: w, into: y, stream: stream)
                        try fusedAddRMSNorm(x, residual: r, weight: w, into: y, residualOut: h, stream: stream)
                    }
                    let graphForward = try stream.capture { try rmsNorm(x, weight: w, into: y, stream: stream) }
                    for replay in 1...2 {
                        for (label, g, source) in [("forward", graphForward, xh), ("fused add", graph, hh)] {
                            try y.buffer.fill(byte: 0xff)
                            try h.buffer.fill(byte: 0xff)
                            try device.synchronize()
                            try g.launch(on: stream)
                            try stream.synchronize()
                            let got = try y.buffer.download()
                            let ref = RMSNormReference.forward(source, weight: wh)
                            let cmp = Comparison.compare(output: got, offset: 0, rows: m, columns: n, stride: n,
                                reference: ref.y, poisonCheck: { _ in false })
                            if !cmp.passed { problems.append("\(label) \(m)x\(n) replay \(replay) [\(plan)]: \(cmp)") }
                            if label == "fused add", try h.buffer.download() != hh {
                                problems.append("fused add \(m)x\(n) replay \(replay): h differs from x + residual")
                            }
                        }
                    }
                    // Every shape here has rows of at least 64 KB: split plans while capturing on sm_90+.
                    let split: Bool
                    if case .split = plan.path { split = true } else { split = false }
                    if !split && device.arch >= 90 && environmentVariable("RMSNORM_SPLIT") == nil {
                        problems.append("\(m)x\(n): expected a split plan while capturing, got \(plan)")
                    }
                }
                return problems.joined(separator: "; ")
            }),
            ("programmatic dependent launch: a chain of calls, each reading the last one's output, eager and in a graph",
                { device in try programmaticLaunchCheck(device: device) }),
            ("NaN and Inf stay in their own rows", { device in
                var rng = SeededRandom(seed: SeededRandom.freshSeed())
                var x: [Float] = rng.normals(4 * 256)
                x[5] = .nan
                x[256 + 7] = .infinity
                let w: [Float] = rng.normals(256)
                let y = try rmsNorm(x, weight: w, backend: .cuda(device: device.ordinal))
                let row0 = y[0..<256].allSatisfy { $0.isNaN }
                let row2ok = y[512..<1024].allSatisfy { $0.isFinite }
                return row0 && row2ok ? "" : "NaN/Inf leaked or was lost (row0 all NaN: \(row0), rows 2-3 finite: \(row2ok))"
            }),
            ("zero row with eps > 0 gives zeros; eps = 0 gives NaN (0 · ∞)", { device in
                let x = [Float](repeating: 0, count: 2 * 64)
                let w = [Float](repeating: 1, count: 64)
                let y = try rmsNorm(x, weight: w, eps: 1e-6, backend: .cuda(device: device.ordinal))
                let z = try rmsNorm(x, weight: w, eps: 0, backend: .cuda(device: device.ordinal))
                return y.allSatisfy { $0 == 0 } && z.allSatisfy { $0.isNaN } ? "" : "unexpected zero-row result"
            }),
            ("bad input throws and writes nothing", { device in
                let x = try DeviceMatrix<Float>(device: device, rows: 4, columns: 64)
                let y = try DeviceMatrix<Float>(device: device, rows: 4, columns: 64)
                try y.buffer.fill(byte: 0x5a)
                let wrong = try DeviceBuffer<Float>(device: device, count: 63)
                var problems: [String] = []
                do { try rmsNorm(x, weight: wrong, into: y); problems.append("weight length accepted") } catch {}
                let w = try DeviceBuffer<Float>(device: device, count: 64)
                do { try rmsNorm(x, weight: w, eps: -1, into: y); problems.append("negative eps accepted") } catch {}
                let shifted = try DeviceMatrix(x.buffer, rows: 3, columns: 64, offset: 1)
                let base = try DeviceMatrix(x.buffer, rows: 3, columns: 64)
                do { try rmsNorm(base, weight: w, into: shifted); problems.append("partial overlap accepted") } catch {}
                try device.synchronize()
                let after = try y.buffer.download()
                let untouched = after.allSatisfy { $0.bitPattern == 0x5a5a_5a5a }
                if !untouched { problems.append("output written") }
                return problems.joined(separator: ", ")
            }),
            ("M = 0 is a no-op", { device in
                let x = try DeviceMatrix<Float>(device: device, rows: 0, columns: 64)
                let w = try DeviceBuffer<Float>(device: device, count: 64)
                try rmsNorm(x, weight: w, into: x)
                return ""
            }),
        ]
    }
}
