/// How one forward call is launched: which kernel, vector width, threads per row and block size.
/// A pure function of the shape and the device's limits, so it is tested without a GPU.
public struct LaunchPlan: Sendable, Equatable, CustomStringConvertible {
    public enum Path: Sendable, Equatable {
        /// Row in registers, `vectorsPerThread` vectors of `vectorWidth` per thread.
        case registers(vectorsPerThread: Int)
        /// One block per row, the row staged in shared memory.
        case sharedMemory
        /// One block per row, two passes (row too long for shared memory).
        case loop
        /// A row split over `blocksPerRow` blocks of an ordinary grid, in two kernels (sums of squares per
        /// slice, then the normalisation of each slice, re-read from L2); M · blocksPerRow blocks. Few rows of
        /// huge N: the heuristic's choice for rows of at least 512 KB on sm_90+, where the second kernel is a
        /// programmatic dependent of the first (V30).
        case split(blocksPerRow: Int)
    }

    public var path: Path
    public var vectorWidth: Int
    public var threadsPerRow: Int
    public var blockSize: Int
    public var sharedMemoryBytes: Int
    /// true: at most as many blocks as fit on the GPU at once, striding over the rest;
    /// false: one block per row group.
    public var persistent: Bool = true
    /// Backward, 16 elements a thread: the kernel bounded at 512 threads (128 registers) instead of 1,024.
    public var registers128: Bool = false
    /// Backward with the forward's rstd, few rows, dx apart from x and dy: one kernel (`rmsnorm_bwd_fused_npt…`) whose row blocks
    /// compute dx and whose column blocks sum dw over all rows; no partial rows, no second kernel.
    /// See ``backwardColumnGroups(rows:)``.
    public var fusedBackward: Bool = false
    /// Backward: rows copied into shared memory this many deep ahead of their use (`rmsnorm_bwd_async_npt…`,
    /// cp.async, sm_80+), so that a block keeps stages − 1 rows in flight while it reduces one; 0: the
    /// register kernels. See ``stagedBackward(rows:columns:elementSize:weightSize:vectorWidth:residual:stagingBytes:)``.
    public var backwardStages: Int = 0
    /// Fused backward of one row (M = 1) of more than 32 threads: a single block, which is the row, writes dx
    /// and dw = dy · x̂ (`rmsnorm_bwd_one_npt…`), no column blocks; `RMSNORM_BWD_ONE=0` keeps the column blocks (for comparisons).
    public var backwardSingleBlock: Bool = false
    /// Fused backward of long 16-bit rows (N over 8192) at 32 elements a thread in blocks of at most 512 threads,
    /// two an SM at 64 registers (`rmsnorm_bwd_fused_npt4_w512`), instead of 16 elements in 1,024-thread blocks
    /// that run one an SM (256 × 16,384 bf16: two waves of row blocks), from 64 rows on (V43, same-process A/B on
    /// an H100: 128 × 16,384 bf16 17.6 → 14.0 µs, 256 × 16,384 26.4 → 23.9, 512 × 12,288 37.5 → 35.4; at 7–16 rows
    /// 4–9% slower, so those keep 16 elements). `RMSNORM_BWD_FUSED_WIDE=0` turns it off.
    public var fusedWide: Bool = false
    /// Shared-memory path: blocks per row, 1 or a thread-block cluster of 2, 4, 8 or 16 (sm_90+), each
    /// block staging a slice of ceil(N / vec / clusterSize) vectors; the grid is M · clusterSize.
    public var clusterSize: Int = 1
    /// Register path on rows that do not start on a 16-byte boundary: 16-byte accesses from each row's
    /// first boundary on, the elements around them one per lane (`rmsnorm_fwd_ai_npt…`). Chosen by the
    /// launcher only (``interior(rows:columns:elementSize:multiprocessors:maxSharedMemoryPerBlock:)``).
    public var alignedInterior: Bool = false
    /// Backward, the staged 1,024-thread kernel: rows in falling ranges, more blocks than fit
    /// (`rmsnorm_bwd_async_npt2_rng`, ``BackwardRowRanges``); nil: every block takes every P-th row.
    public var rowRanges: BackwardRowRanges? = nil

    /// The largest cluster a plan may name on a GPU of this compute capability (major · 10 + minor):
    /// 16 from sm_90 on (above 8, the launcher allows the non-portable size), 1 (no clusters) before.
    public static func maxClusterSize(arch: Int) -> Int { arch >= 90 ? 16 : 1 }

    /// Whether the launcher compiles kernels with streaming cache hints (`CACHE_HINTS`).
    public static let defaultCacheHints = false

    public init(path: Path, vectorWidth: Int, threadsPerRow: Int, blockSize: Int, sharedMemoryBytes: Int, persistent: Bool = true) {
        self.path = path
        self.vectorWidth = vectorWidth
        self.threadsPerRow = threadsPerRow
        self.blockSize = blockSize
        self.sharedMemoryBytes = sharedMemoryBytes
        self.persistent = persistent
    }

    public var rowsPerBlock: Int { blockSize / threadsPerRow }

    /// Whether a cluster plan runs the kernel whose last pass takes two vectors of the slice and of the weight at a
    /// time (`rmsnorm_fwd_smem_cK_b2`): where a thread's share of the slice is at least 128 bytes (8 16-byte
    /// vectors). V90b, H200, two alternations against one at a time (s35d): 64 × 262,144 fp32 (16 × 64 KB, 512
    /// threads) −7.0%, 264 × 65,536 bf16 (4 × 32 KB, 256) −5.2%, 512 × 65,536 fp32 −1.8%, 4096 × 32,768 bf16, 2048 ×
    /// 65,536 bf16 and 1024 × 32,768 fp32 (32 KB slices of 256 threads) −0.2 to −1.1%; the fused add −3.9, −1.6 and
    /// +1.0% (264 × 65,536 bf16). With 6 vectors a thread (24 KB slices of 256 threads) the same kernel ran +1.9 and
    /// +2.9% (V90, s35b): its 38–49 registers (32 one at a time) cost blocks an SM there, so those keep the plain one.
    public var lastPassPairs: Bool {
        path == .sharedMemory && clusterSize > 1 && sharedMemoryBytes >= 128 * blockSize && Self.lastPassPairsEnabled
    }

    /// `RMSNORM_LAST_PASS_PAIRS=0`: the cluster plans keep the kernels that take one vector at a time (for A/Bs).
    static let lastPassPairsEnabled = environmentVariable("RMSNORM_LAST_PASS_PAIRS") != "0"

    public var kernelName: String {
        switch path {
        case .registers(let npt):
            if alignedInterior {
                switch npt {
                case 1: return "rmsnorm_fwd_ai_npt1"
                case 2: return "rmsnorm_fwd_ai_npt2"
                default: return "rmsnorm_fwd_ai_npt\(npt)"
                }
            }
            // Literals, not interpolation: this runs on every launch. A grid that covers every row
            // group (`persistent == false`) runs the loop-free twin, `rmsnorm_fwd_row_npt…`.
            if !persistent {
                switch npt {
                case 1: return "rmsnorm_fwd_row_npt1"
                case 2: return "rmsnorm_fwd_row_npt2"
                case 4: return "rmsnorm_fwd_row_npt4"
                case 8: return "rmsnorm_fwd_row_npt8"
                case 16: return "rmsnorm_fwd_row_npt16"
                default: return "rmsnorm_fwd_row_npt\(npt)"
                }
            }
            switch npt {
            case 1: return "rmsnorm_fwd_reg_npt1"
            case 2: return "rmsnorm_fwd_reg_npt2"
            case 4: return "rmsnorm_fwd_reg_npt4"
            case 8: return "rmsnorm_fwd_reg_npt8"
            case 16: return "rmsnorm_fwd_reg_npt16"
            default: return "rmsnorm_fwd_reg_npt\(npt)"
            }
        case .sharedMemory:
            if lastPassPairs {
                switch clusterSize {
                case 2: return "rmsnorm_fwd_smem_c2_b2"
                case 4: return "rmsnorm_fwd_smem_c4_b2"
                case 8: return "rmsnorm_fwd_smem_c8_b2"
                default: return "rmsnorm_fwd_smem_c16_b2"
                }
            }
            switch clusterSize {
            case 2: return "rmsnorm_fwd_smem_c2"
            case 4: return "rmsnorm_fwd_smem_c4"
            case 8: return "rmsnorm_fwd_smem_c8"
            case 16: return "rmsnorm_fwd_smem_c16"
            default: return "rmsnorm_fwd_smem"
            }
        case .loop: return "rmsnorm_fwd_loop"
        case .split: return "rmsnorm_fwd_split_norm"  // after rmsnorm_fwd_split_sum (the launcher runs both)
        }
    }

    public var description: String {
        summary + (persistent ? "" : " grid=all") + (registers128 ? " r128" : "") + (alignedInterior ? " interior" : "")
            + (fusedBackward ? (backwardSingleBlock ? " one-block" : fusedWide ? " fused-wide" : " fused") : "") + (backwardStages > 0 ? " staged=\(backwardStages)" : "")
            + (rowRanges.map { " ranges=\($0.blocks)" } ?? "")
    }

    var summary: String {
        switch path {
        case .registers(let npt):
            return "registers vec=\(vectorWidth) npt=\(npt) tpr=\(threadsPerRow) block=\(blockSize)"
        case .sharedMemory:
            return "smem vec=\(vectorWidth) block=\(blockSize) shared=\(sharedMemoryBytes)B"
                + (clusterSize > 1 ? " cluster=\(clusterSize)" : "") + (lastPassPairs ? " pairs" : "")
        case .loop: return "loop vec=\(vectorWidth) block=\(blockSize)"
        case .split(let blocks): return "split vec=\(vectorWidth) blocks=\(blocks) block=\(blockSize)"
        }
    }

    /// The widest vector (elements) such that every access is aligned: N and both row strides
    /// are multiples of it, and x, y and the weight start on its byte boundary. 16 bytes at most.
    public static func vectorWidth(
        columns: Int, elementSize: Int, weightSize: Int,
        xAddress: UInt64, yAddress: UInt64, weightAddress: UInt64, xRowStride: Int, yRowStride: Int
    ) -> Int {
        var vec = 16 / elementSize
        while vec > 1 {
            let bytes = UInt64(vec * elementSize)
            let wBytes = UInt64(min(16, vec * weightSize))
            if columns % vec == 0, xRowStride % vec == 0, yRowStride % vec == 0,
                xAddress % bytes == 0, yAddress % bytes == 0, weightAddress % wBytes == 0
            {
                return vec
            }
            vec /= 2
        }
        return 1
    }

    /// The widest vector (elements) such that every access of every operand is aligned: N and each
    /// row stride are multiples of it, each operand starts on its byte boundary (vec × its element
    /// size, at most 16 bytes for the weight). `operands` are (address, row stride, element size).
    static func vectorWidth(
        columns: Int, elementSize: Int, weightSize: Int, weightAddress: UInt64, operands: [(UInt64, Int, Int)]
    ) -> Int {
        var vec = 16 / elementSize
        while vec > 1 {
            let wBytes = UInt64(min(16, vec * weightSize))
            if columns % vec == 0, weightAddress % wBytes == 0,
                operands.allSatisfy({ $0.1 % vec == 0 && $0.0 % UInt64(vec * $0.2) == 0 })
            {
                return vec
            }
            vec /= 2
        }
        return 1
    }

    /// Kernel for the backward pass. Each thread keeps x and dy in registers, and its dw sums:
    /// `elements` a thread, the first of the preference list that fits (16 or fewer: up to 1,024
    /// threads a row; 32: up to 256, with the weight and converted values kept in registers).
    /// Rows longer than 32 vectors get a multiple of 32 threads rather than a power of two, so
    /// that no lane idles (7,168 bf16: 448 threads of 16 elements, not 512). Slices of ≤ 32 bytes
    /// of x, and all 32-element slices, load the next row while this one is reduced. Rows that fit
    /// none take the two-pass kernel. Several rows per block for short rows; their dw sums meet in
    /// shared memory.
    ///
    /// Measured on an H200 (benchmarks/NOTES.md, V4–V5): at M = 65,536, 32 elements a thread beat 16
    /// for every N but 5120 (bf16 N = 4096: 432 against 504 µs; 7168: 798 against 867; fp16 4096: 448
    /// against 630; fp32 4096: 784 against 887 and 809 at 8; bf16 5120: 659 against 633); at M = 4096,
    /// 16 bf16 elements were best (32.8 / 38.7 / 40.1 µs against 8 / 32 at N = 2048); fp32 N = 4096 at
    /// M = 4096 was best at 8.
    ///
    /// `stagingBytes` (the device's shared memory a block may have; 0 where cp.async is missing, before
    /// sm_80): where the plan is not the fused one, rows of 16-byte vectors are staged in shared memory
    /// instead when they fit (``stagedBackward(rows:columns:elementSize:weightSize:vectorWidth:residual:stagingBytes:)``).
    public static func backward(
        rows: Int, columns: Int, elementSize: Int, vectorWidth vec: Int, elements preference: [Int]? = nil,
        savedRstd: Bool = false, dxOverlapsInputs: Bool = false, weightSize: Int? = nil, residual: Bool = false,
        stagingBytes: Int = 0
    ) -> LaunchPlan {
        let nv = columns / vec
        // Scalar accesses (odd N, vec = 1) take 8 elements first: 16 scalars a thread spilled up to 1 KB a thread
        // (ptxas, 16-bit types: x, dy and the next row's each a register per element), 1 × 769 fp16 16.6 µs (V40).
        // One 16-bit row in one block (M = 1, the forward's rstd): 8 elements a thread where that takes more than 32
        // and fewer than 1,024 threads (`RMSNORM_BWD_ONE_ELEMENTS`, default 8), so each warp's serial work halves.
        // V44, same-process A/B on an H100 against 16, three alternations: 1 × 2048 bf16 5.31 → 5.10 µs, 1 × 4096
        // 5.54 → 5.35, 1 × 7168 6.08 → 5.93; at 1,024 threads (1 × 8192) 1–2% slower; fp32 keeps 8 (4: ±3%).
        let oneRow = rows == 1 && savedRstd && !dxOverlapsInputs && backwardOneBlock && vec > 1 && elementSize == 2
        let oneThreads = ceilDiv(nv, max(1, backwardOneElements / vec))
        let oneList: [Int]? = oneRow && oneThreads > 32 && oneThreads < 1024 ? [backwardOneElements, 16] : nil
        let list = preference ?? backwardElements ?? oneList
            ?? (vec == 1 ? [8, 16] : rows >= 16_384 && !(backwardLargeStaged && elementSize == 2 && stagingBytes > 0)
                ? [32, 16, 8] : elementSize == 4 ? [8, 16] : [16, 8])
        var fewWarpsAt32 = false
        for elements in list {
            let perThread = max(1, elements / vec)
            let need = ceilDiv(nv, perThread)
            var tpr: Int, npt: Int
            if need <= 32 {
                tpr = min(max(16, nextPowerOfTwo(need)), nextPowerOfTwo(nv))
                npt = nextPowerOfTwo(ceilDiv(nv, tpr))
            } else {
                tpr = ceilDiv(need, 32) * 32
                npt = perThread
            }
            guard npt * vec <= 32, tpr <= (npt * vec <= 16 ? 1024 : 256) else { continue }
            // The 32-element kernel takes ~256 registers a thread: one or two blocks an SM. Where that leaves
            // fewer than 6 warps (N in (4096, 5120]: 160 threads, 5 warps) the 16-element kernel at 128
            // registers did better on the H100 (65,536 × 5120 bf16: 748 against 842 µs; V15), and only there:
            // at N = 4096 and 7168 the 32-element kernel stayed 11–15% faster.
            if preference == nil && backwardElements == nil && npt * vec == 32 && tpr > 32
                && (65_536 / (tpr * 256)) * (tpr / 32) < 6
            {
                fewWarpsAt32 = true
                continue
            }
            let block = tpr <= 32 ? 256 : tpr
            let rowsPerBlock = block / tpr
            var plan = LaunchPlan(
                path: .registers(vectorsPerThread: npt), vectorWidth: vec, threadsPerRow: tpr, blockSize: block,
                sharedMemoryBytes: rowsPerBlock > 1 ? rowsPerBlock * columns * 4 : 0)
            // (Blocks of at most 320 threads here, the kernel's bound of two an SM: the 32-element plan it replaces
            // had 160 threads.)
            plan.registers128 = fewWarpsAt32 && npt * vec == 16 && block <= 320
            if savedRstd && !dxOverlapsInputs && rows >= 1 && rows <= backwardFusedRows && npt * vec <= 16
                && 2 * rows * columns * elementSize <= backwardFusedBytes
            {
                plan.fusedBackward = true
                // One row: one block, which is the row (tpr > 32). V37/V39, same-process A/Bs on an H100 against the
                // column blocks: 1 × 2048–8192 bf16 −0.5 to −0.7 µs, 1 × 4096 fp16 −0.6, fp32 1 × 1000–8192 −0.4 to −0.6.
                plan.backwardSingleBlock = rows == 1 && tpr > 32 && backwardOneBlock
                plan.sharedMemoryBytes = 0
                plan.persistent = false
                if preference == nil && backwardFusedWide && !plan.backwardSingleBlock && rows >= backwardFusedWideRows,
                    let wide = fusedWideBackward(columns: columns, elementSize: elementSize, vectorWidth: vec,
                        residual: residual, threadsPerRow: tpr)
                {
                    return wide
                }
                return plan
            }
            // Staged where the register plan holds 16 16-bit elements a thread (V36, same-process A/B on an H100:
            // 4096 × 2048 bf16 38.2 → 32.9 µs, 4096 × 4096 fp16 64.8 → 53.9, 65,536 × 16,384 bf16 2,450 → 2,324,
            // 16,384 × 16,384 629 → 611, most other 4096-row shapes ±1%); the 32-element kernels stayed 8–15% ahead
            // at 16,384–65,536 rows of N ≤ 8192, the 128-register one 2–3% at N = 5120, and fp32 lost 3% staged.
            if preference == nil && elementSize == 2 && npt * vec == 16 && !plan.registers128,
                let staged = stagedBackward(rows: rows, columns: columns, elementSize: elementSize,
                    weightSize: weightSize ?? elementSize, vectorWidth: vec, residual: residual, stagingBytes: stagingBytes)
            {
                return staged
            }
            return plan
        }
        return LaunchPlan(path: .loop, vectorWidth: vec, threadsPerRow: 1024, blockSize: 1024, sharedMemoryBytes: 0)
    }

    /// The staged backward plan (``backwardStages``), or nil: two 16-byte vectors a thread (16 elements of a
    /// 16-bit type, 8 of fp32, whose 16 spill at 64 registers), up to 1,024 threads a row (bf16 N in (128,
    /// 16,384], fp32 N in (64, 8192]), and at least 2 stages. Blocks of 256–512 threads take the 128-register
    /// kernel (``registers128``, `RMSNORM_BWD_KEEP=0` to turn it off), which keeps the weight, x̂ and dy converted
    /// in registers and no weight in shared memory (V38, same-process A/B on an H100 against the 64-register
    /// staged kernel: 4096 × 7168 bf16 90.6 → 82.1 µs, 4096 × 8192 102.4 → 94.2, 4096 × 5120 65.0 → 61.7, 256
    /// threads ±1%; at 128 threads (4096 × 2048) 2% slower). Stages: as many as fit (at most 4,
    /// `RMSNORM_BWD_STAGES`, and at most 64 KB of x and dy: ``backwardStageBytes``) in half an SM's shared memory
    /// (all of it for blocks of 1,024 threads, one an SM at 64 registers a thread), so that two blocks an SM — what the backward's grid gives at a few thousand rows —
    /// keep 2–6 rows in flight; where fewer than 2 would fit, as many as fit one block. (2, 3 and 4 stages
    /// measured within ±2% of each other: V36.) Shared memory: the dw rows (several rows a block), the weight
    /// (a copy for each row of the block; none with 128 registers), the stages (x, dy and dres of each row of
    /// the block), one rstd slot per warp or row.
    public static func stagedBackward(
        rows: Int, columns: Int, elementSize: Int, weightSize: Int, vectorWidth vec: Int, residual: Bool, stagingBytes: Int
    ) -> LaunchPlan? {
        guard stagingBytes > 0, backwardStageCap >= 2, backwardElements == nil, vec * elementSize == 16, rows > 0 else { return nil }
        let nv = columns / vec
        let need = ceilDiv(nv, 2)
        let tpr = need <= 32 ? min(max(16, nextPowerOfTwo(need)), nextPowerOfTwo(nv)) : ceilDiv(need, 32) * 32
        let npt = need <= 32 ? nextPowerOfTwo(ceilDiv(nv, tpr)) : 2
        guard npt == 2, tpr <= 1024 else { return nil }
        let block = tpr <= 32 ? 256 : tpr
        let rowsPerBlock = block / tpr
        let keep = block >= 256 && block <= 512 && backwardStagedKeep
        let fixed = (rowsPerBlock > 1 ? rowsPerBlock * columns * 4 : 0)
            + (keep ? 0 : rowsPerBlock * ((columns * weightSize + 15) / 16 * 16))
        let perStage = rowsPerBlock * columns * elementSize * (residual ? 3 : 2) + block / min(tpr, 32) * 4
        let perSM = min(2, max(1, 1024 / block))
        var stages = ((stagingBytes + 1024) / perSM - 1024 - fixed) / perStage
        if stages < 2 { stages = (stagingBytes - fixed) / perStage }
        // At most 64 KB of x and dy stages a block (never fewer than 2; the residual gradient's third array, not
        // measured, counts as without it): long rows in flight beyond that slowed the loop (V58).
        stages = min(stages, backwardStageCap, max(2, backwardStageBytes / (rowsPerBlock * columns * elementSize * 2)))
        guard stages >= 2 else { return nil }
        var plan = LaunchPlan(path: .registers(vectorsPerThread: npt), vectorWidth: vec, threadsPerRow: tpr, blockSize: block,
            sharedMemoryBytes: fixed + stages * perStage)
        plan.backwardStages = stages
        plan.registers128 = keep
        return plan
    }

    /// The fused backward plan at 32 elements a thread (``fusedWide``), or nil: 16-bit rows of 8-element vectors
    /// whose 16-element plan needs more than 512 threads (N in (8192, 16,384]), without a residual gradient (whose
    /// third input spills at 64 registers).
    public static func fusedWideBackward(
        columns: Int, elementSize: Int, vectorWidth vec: Int, residual: Bool, threadsPerRow: Int
    ) -> LaunchPlan? {
        guard elementSize == 2, vec == 8, !residual, threadsPerRow > 512 else { return nil }
        let tpr = ceilDiv(ceilDiv(columns / vec, 4), 32) * 32
        guard tpr <= 512 else { return nil }
        var plan = LaunchPlan(path: .registers(vectorsPerThread: 4), vectorWidth: vec, threadsPerRow: tpr, blockSize: tpr,
            sharedMemoryBytes: 0)
        plan.fusedBackward = true
        plan.fusedWide = true
        plan.persistent = false
        return plan
    }

    /// Fused backward plans of long 16-bit rows at 32 elements a thread (``fusedWide``) from
    /// `RMSNORM_BWD_FUSED_WIDE_ROWS` rows on (default 64; V43: 64–512 rows −4 to −20%, 7–16 rows +4 to +9%);
    /// `RMSNORM_BWD_FUSED_WIDE=0` turns them off.
    static let backwardFusedWide = environmentVariable("RMSNORM_BWD_FUSED_WIDE") != "0"
    static let backwardFusedWideRows: Int = environmentVariable("RMSNORM_BWD_FUSED_WIDE_ROWS").flatMap(Int.init) ?? 64
    /// `RMSNORM_BWD_ONE_ELEMENTS` (4, 8 or 16; default 8): the elements a thread of the one-row block (V44).
    static let backwardOneElements: Int = environmentVariable("RMSNORM_BWD_ONE_ELEMENTS").flatMap(Int.init)
        .flatMap { [4, 8, 16].contains($0) ? $0 : nil } ?? 8

    /// `RMSNORM_BWD_KEEP=0`: staged plans of up to 512 threads on the 64-register kernel too (for comparisons).
    static let backwardStagedKeep = environmentVariable("RMSNORM_BWD_KEEP") != "0"

    /// `RMSNORM_BWD_ONE=0`: one row's backward on column blocks too (``backwardSingleBlock``; for comparisons).
    static let backwardOneBlock = environmentVariable("RMSNORM_BWD_ONE") != "0"

    /// The most bytes of x and dy stages a staged backward block holds, though never fewer than 2 stages (V58,
    /// ours only on an H100, two alternations against the 3–4 stages that fit before: 2 stages at 4096 × 7168 bf16
    /// −8.5%, 4096 × 8192 −5.1%, where 2 blocks of 448–512 threads an SM had kept up to 8 rows of 28–32 KB staged;
    /// at N ≤ 5120 fewer than 3–4 stages was 6–14% slower, at N = 16,384 2 and 3 within ±0.5%).
    /// `RMSNORM_BWD_STAGE_KB` sets it (experiments).
    static let backwardStageBytes: Int = (environmentVariable("RMSNORM_BWD_STAGE_KB").flatMap(Int.init)
        .flatMap { $0 >= 1 ? $0 : nil } ?? 64) * 1024

    /// The staged backward over falling row ranges (``BackwardRowRanges``) for `rows` on `slots` blocks at once, or
    /// nil. Only the staged 1,024-thread kernel has the range form: one of its blocks fills an SM, and the SMs of
    /// an H100 run it at fixed, different rates (s22f: 68–98% busy under an equal split of 16,384-column rows).
    /// On from 256 rows a slot (the phases' extra partial rows then cost less than the balance gives);
    /// `RMSNORM_BWD_RANGES=0` turns it off, `1` puts every such plan on it (tests of small M), and
    /// `RMSNORM_BWD_RANGE_MIN` sets the smallest range (default 8 rows).
    public func withRowRanges(rows: Int, slots: Int) -> LaunchPlan {
        var plan = self
        plan.rowRanges = nil
        guard backwardStages > 0, !registers128, blockSize == 1024, rowsPerBlock == 1, slots > 0, rows > 0,
            let mode = LaunchPlan.backwardRowRangesSetting ?? (rows >= 256 * slots ? true : nil), mode
        else { return plan }
        plan.rowRanges = BackwardRowRanges(rows: rows, perPhase: slots, smallest: LaunchPlan.backwardRangeSmallest)
        return plan
    }
    static let backwardRowRangesSetting: Bool? = environmentVariable("RMSNORM_BWD_RANGES").flatMap {
        $0 == "0" ? false : $0 == "1" ? true : nil
    }
    static let backwardRangeSmallest: Int = environmentVariable("RMSNORM_BWD_RANGE_MIN").flatMap(Int.init)
        .flatMap { $0 >= 1 ? $0 : nil } ?? 8

    /// `RMSNORM_BWD_STAGES`: the most stages a staged backward plan takes (2–4, default 4); 0: no staged plans
    /// (the register kernels, for comparisons).
    static let backwardStageCap: Int = environmentVariable("RMSNORM_BWD_STAGES").flatMap(Int.init)
        .flatMap { $0 == 0 || (2...4).contains($0) ? $0 : nil } ?? 4

    /// Whether the fused add's loop-free register kernels with up to 2 vectors a thread store h after the row's
    /// reduction rather than as soon as it is added (`HLATE`): where the rows outnumber the SMs but fewer than
    /// twice (M = 256 on an H100). V52, ours only, three alternations on an H100 over the `llm` suite: at 256 rows
    /// the fused add 0.8–3.8% faster at every 2-vector plan (256 × 4096 bf16 7.42 → 7.23 µs, 256 × 7168 9.62 →
    /// 9.25), add + fp8 0.6–3.0%; but at 1 and 16 rows 0.7–2.7% slower, at 4096–65,536 rows up to 2.3% slower,
    /// and with 4 vectors a thread (256 × 16,384) 3–7% slower, so only there. `RMSNORM_ADD_HLATE=0` never, `1`
    /// wherever a row module has up to 2 vectors a thread (for comparisons).
    public static func storesResidualLate(rows: Int, multiprocessors: Int) -> Bool {
        switch lateResidualSetting {
        case 0: return false
        case 1: return true
        default: return rows > multiprocessors && rows < 2 * multiprocessors
        }
    }

    static let lateResidualSetting: Int? = environmentVariable("RMSNORM_ADD_HLATE").flatMap(Int.init)

    /// Whether the fused add's loop-free register kernels of 32 elements a thread (4 vectors of bf16) hold
    /// their weight, loaded with x and the residual ahead of the reduction (`WREG_ALL`), instead of reading it after
    /// the reduction: at most ``heldWeightMaxRows`` rows (where the weight's round trip after the reduction is on the
    /// critical path) or at most 64 threads a row. V93, ours only, two alternations on an H200 (s36e):
    /// 1 × 16,384 bf16 5.81 → 5.47 µs (−5.8%), 16 × 16,384 −1.3%, 4096 × 2048 21.3 → 20.8 (−2.4%); 256 × 16,384 +1.3%
    /// and 4096 × 5120 +0.2%, so not there. s36f, against `RMSNORM_ADD_WEIGHT_HELD=0`: 1 × 16,384 bf16 −8.2%,
    /// 16 × 16,384 −4.2%, 4096 × 2048 −4.5%, 16,384 and 65,536 × 2048 −0.6 and −0.3%; fp16 gained at 1 × 16,384 (−3.0%)
    /// but lost at 4096 × 2048 (+5.1%), where its kernel spills 16 bytes at 64 registers, as does bf16 with an fp32
    /// weight (32 bytes): so bf16 x and weight (fp16 only under ``fp16HeldBound(rows:threadsPerRow:multiprocessors:)``,
    /// V94), in the default casting mode with y of the input type (where it was measured). `RMSNORM_ADD_WEIGHT_HELD=0`
    /// never, `1` at every such bf16 plan (for comparisons).
    public static func fusedAddHoldsWeight(rows: Int, threadsPerRow: Int) -> Bool {
        switch heldWeightSetting {
        case 0: return false
        case 1: return true
        default: return rows <= heldWeightMaxRows || threadsPerRow <= 64
        }
    }

    /// The most rows at which bf16's fused add holds its weight on every plan of 4 × 8 elements a thread: 64 (V96; ≤ 16
    /// rows since V93; 512-thread rows up to as many rows as SMs since V99; fp16 follows
    /// ``fp16HeldBound(rows:threadsPerRow:multiprocessors:)``). `rmsnorm-bench ab` in one process with one operand set
    /// (s38f, s38g; every plan there 4 × 512), held against not: bf16 32 × 16,384 −2.6%, 48 × −0.8%, 64 × −1.1%, 64 × 14,336 −1.8%, 128 × 16,384 +0.6%,
    /// 256 × +1.3% (so not past 64); fp16 32 × 12,288 −2.8%, 32 × 16,384 ±0.0%, 48 × −1.4%, 64 × −2.2%, 64 × 12,288 −0.6%.
    /// Verified by the verify command's cases 61 × 14,336 fp16 strided and 64 × 16,384 bf16 dense (session 39).
    public static let heldWeightMaxRows = 64

    static let heldWeightSetting: Int? = environmentVariable("RMSNORM_ADD_WEIGHT_HELD").flatMap(Int.init)

    /// ``fusedAddHoldsWeight(rows:threadsPerRow:)`` for this plan of the fused add: loop-free register plans of 4 vectors
    /// of 8 (32 elements a thread), 16-bit x and weight of one type, the default casting mode, y of the input type.
    /// fp16 only at rows of 64–512 threads (one row a block), no more rows than SMs, where its module is bounded at the
    /// row's threads (``fp16HeldBound(rows:threadsPerRow:multiprocessors:)``) so the held weight does not spill
    /// (V94–V97); `RMSNORM_ADD_WEIGHT_HELD=0` never. bf16 also at rows of 512 threads up to as many rows as SMs (V99,
    /// one process each, one operand set, held against not: 80 × 16,384 −1.7%, 96 × −1.5%, 128 × −0.8% (s38g +0.6%),
    /// 128 × 12,288 −2.5%, 100 × 14,336 −1.7% (s39e); at 256 threads 132 × 8192 +0.7%, so not there).
    public func fusedAddHoldsWeight(rows: Int, input: DType, weight: DType, casting: CastingMode, fp8Output: Bool,
        multiprocessors: Int) -> Bool
    {
        guard case .registers(let npt) = path, !alignedInterior, npt * vectorWidth == 32, input == weight,
            input == .bfloat16 || input == .float16, casting == .gemma, !fp8Output
        else { return false }
        if Self.heldWeightSetting == 0 { return false }
        if input == .float16 {
            return Self.fp16HeldBound(rows: rows, threadsPerRow: threadsPerRow, multiprocessors: multiprocessors)
        }
        return Self.fusedAddHoldsWeight(rows: rows, threadsPerRow: threadsPerRow)
            || (threadsPerRow == 512 && rows <= multiprocessors)
    }

    /// Whether fp16's fused add may hold its weight (V94–V97): no more rows than SMs, 64 to 512 threads a row. Its held
    /// kernel spills 16–20 bytes under the modules' default 1,024-thread bound (64 registers); bounded at the row's
    /// threads, one row a block (76 registers at 512, none spilled), so one such block an SM — hence no more rows than
    /// SMs: at 256 × 16,384 on 132 SMs the bound lost 16.6% (s38g). H200, each against the weight read after the
    /// reduction: 1 × 16,384 fp16 −3.6% (s37b), −2.2% (s37c), −5.2% (s37d); 2, 4 and 8 × 16,384 −4.7, −2.5 and −2.4%
    /// (s37d); 1 × 12,288 −9.7%, −2.3%; inside one process (`rmsnorm-bench ab`, arms alternated): 16 × 16,384 and
    /// 16 × 12,288 −1.1% each (s38a, V95); 32 × 12,288 −2.8%, 32 × 16,384 ±0.0%, 48 × −1.4%, 64 × −2.2%, 64 × 12,288
    /// −0.6% (s38f–g, V96), and with one operand set (s39b, V97) 80 × 16,384 −2.0%, 96 × −1.1%, 128 × −2.3%,
    /// 128 × 12,288 −2.6%, 132 × 14,336 −2.9%.
    /// Not at many rows: spilled, 4096 × 2048 fp16 lost 5.1% (s36f).
    public static func fp16HeldBound(rows: Int, threadsPerRow: Int, multiprocessors: Int) -> Bool {
        rows <= multiprocessors && threadsPerRow >= 64 && threadsPerRow <= 512
    }

    /// Whether the forward stores y under an L2 `evict_last` policy and loads x (and the residual) under
    /// `evict_first`, and for what share of y: nil where not, else the shift s of the share 1/2^s (`YPOLICY=2`,
    /// `XPOLICY=1`, `YFRAC`). Where rows are short and y is from 2 MB to under 64 MB, about 8 MB of y stays in L2
    /// while x streams through: s = log2(y / 8 MB) rounded, at least 0 (all of y up to 11 MB, half at 12-22 MB, a
    /// quarter at 23-45 MB, an eighth beyond). Rows: at most 1 KB, or 3 KB of a 16-bit type in the plain forward.
    /// V66 and V67, ours only on an H100 after the benchmark's flush (s24b, s24c, s25a, s25b; two alternations,
    /// against never): 8192 × 128 fp32 −8%, 16,384 × 128 fp32 −10%, 32,768 × 64 fp32 −14%, 32,768 × 128 bf16 −14%,
    /// 16,384 × 256 bf16 −11%; with 1.5-3 KB 16-bit rows 4096 × 768 bf16 −6.5%, 4096 × 1536 bf16 −4%; at 16 MB with
    /// half of y 32,768 × 128 fp32 −7%, 65,536 × 128 bf16 −6% (all of y: −1%, +2%); at 24 MB with a quarter
    /// 49,152 × 128 fp32 −5%; 32 MB −2%, 48 MB with an eighth −2%; at 64 MB and more no share gains (±1.5%). The
    /// fused add of rows ≤ 1 KB: 16,384 × 128 fp32 −9%, 16,384 × 256 bf16 −10%, 32,768 × 128 fp32 (16 MB, half) −4%.
    /// Left out, as they lose at every share: fp32 rows of 2-8 KB (+1 to +5%), 16-bit rows of 4 KB and more and
    /// the fused add's rows of 2 KB (±2%), long rows (4096 × 4096 +2 to +7%). `RMSNORM_FWD_KEEP_Y=0` never, `1` for
    /// every plain forward and fused add at any size and row (the share by y's size, at most 1/16; for comparisons).
    public static func outputKeepShift(rows: Int, columns: Int, elementSize: Int, fusedAdd: Bool) -> Int? {
        let rowBytes = columns * elementSize
        let yBytes = rows * rowBytes
        // log2(y / 8 MB) rounded: the step to k + 1 is at y = 8 MB · 2^(k + 1/2), compared squared.
        var shift = 0
        let y2 = Double(yBytes) * Double(yBytes), unit2 = Double(8 << 20) * Double(8 << 20)
        while shift < 4 && y2 >= unit2 * Double(1 << (2 * shift + 1)) { shift += 1 }
        switch keepOutputSetting {
        case 0: return nil
        case 1: return shift
        default:
            let shortRows = rowBytes <= 1024 || (!fusedAdd && elementSize == 2 && rowBytes <= 3072)
            return shortRows && yBytes >= 2 << 20 && yBytes < 64 << 20 ? shift : nil
        }
    }

    /// ``outputKeepShift(rows:columns:elementSize:fusedAdd:)`` for this plan: register plans of aligned rows only,
    /// where it was measured (the aligned-interior kernel loads its weight one element at a time, which the policy's
    /// stores would hold back, and the other paths serve long rows).
    public func outputKeepShift(rows: Int, columns: Int, elementSize: Int, fusedAdd: Bool) -> Int? {
        guard case .registers = path, !alignedInterior else { return nil }
        return Self.outputKeepShift(rows: rows, columns: columns, elementSize: elementSize, fusedAdd: fusedAdd)
    }

    static let keepOutputSetting: Int? = environmentVariable("RMSNORM_FWD_KEEP_Y").flatMap(Int.init)

    /// Elements-per-thread cap of a forward variant's register path: fp32 x and residual slices of 32
    /// elements each do not fit the 64-register cap (ptxas: 120 bytes of stack; 70-75% of copy at
    /// N = 4096 in run V6); with 8, 65,536 × 4096 fp32 ran in 1,422 µs (100% of copy) against 1,479 µs
    /// with 16 (run V8). 16-bit types keep the forward's 32 (ptxas: 63 registers, no stack).
    /// Few rows (M < 2 × SMs) of the fp32 fused add may take 16 (ptxas, NVRTC 13: 60 registers, no stack), which
    /// the few-row rule uses only where 8 would need more than 512 threads a row (fp32 N > 4096): 1,024 threads
    /// of 8 elements fill an SM's registers. V53, ours only on an H100, three alternations: fp32 fused add
    /// 256 × 8192 17.7 → 15.3 µs, 256 × 5120 −10%, 16 × 16,384 −8%, 1 × 8192 −5%, add + fp8 −0.5 to −12%; one shape
    /// slower, 1 × 16,384 fused add +3.3% (registers instead of a cluster of 16).
    static func variantElementCap(fusedAdd: Bool, elementSize: Int, rows: Int, multiprocessors: Int) -> Int {
        variantElements ?? (fusedAdd && elementSize == 4 ? (rows < 2 * multiprocessors ? 16 : 8) : 32)
    }

    /// Whether the fused add takes 2 vectors a thread (a cap of 16 16-bit elements, instead of 32) on a high-bandwidth
    /// GPU: 16-bit rows of 16-byte vectors that fill at least 7/8 of 2 vectors × 256 or × 512 threads (3584–4096 and
    /// 7168–8192 columns), at least 30 rows an SM. V79, H200, ours only, two alternations against 4 vectors a thread:
    /// 65,536 × 8192 bf16 −2.4%, 16,384 × 8192 −1.8%, 65,536 × 7168 −2.1%, 65,536 × 4096 bf16 −1.6%, fp16 −1.5%,
    /// 16,384 × 4096 −1.2%, 4096 × 8192 −1.2%; rows that fill less of the layout lost (65,536 × 5120 at 5/8 of
    /// 2 × 512: +9.6%), as did 2 × 1024 (65,536 × 16,384: +32%) and fp32 (4 × 256 at 4096: +2.2%). The 2 × 256 rows
    /// (3584–4096 columns) only from 64 rows an SM, where they are also read twice (V98): at 4096 rows (31 an SM) 4 × 128
    /// beat 2 × 256 (H200, ours only, one operand set, two processes an arm, four timings each: 4096 × 4096 bf16 −1.0%,
    /// fp16 −1.3%; s39b), while 4096 × 7168 at 2 × 512 kept its lead over 4 × 256 (−1.5%). 16,384 × 4096 gained 1.2% from
    /// pairs (V79); the rows an SM in between were not measured.
    ///
    /// Full 2 × 128 rows (2048 columns) take pairs from ``narrowPairsRowsPerSM`` (120) rows an SM (V100, H200, ours only,
    /// across processes, 2 × 128 against 4 × 64: 65,536 × 2048 bf16 −0.75, −0.8, −0.8, −0.8% in four process pairs, fp16
    /// −0.85%, 16,384 × 2048 bf16 (124 rows an SM) −0.4, −0.5, −0.3, −0.3%; each arm's timings within 0.4%), not below
    /// (8448 × 2048, 64 rows an SM: +1.5%; 4096 × 2048: +3.7%), and not with fp8 output (not measured).
    ///
    /// With fp8 output (V83) only rows that fill the layout (4096 and 8192 columns) at 64 rows an SM or more (at 4096
    /// rows, taking pairs without reading twice, −1.2 to +1.1% with peers), which gained with
    /// ``fusedAddReadsTwice(rows:columns:input:weight:multiprocessors:highBandwidth:fp8Output:)`` (65,536 × 4096 bf16
    /// −2.3%, fp16 −2.6%, 16,384 × 4096 bf16 −2.7%, 16,384 × 8192 −2.8%), where 65,536 × 7168 lost 1.5%.
    public static func fusedAddTakesPairs(
        rows: Int, columns: Int, elementSize: Int, vectorWidth vec: Int, multiprocessors: Int, highBandwidth: Bool,
        fp8Output: Bool = false
    ) -> Bool {
        guard variantElements == nil, highBandwidth, elementSize == 2, vec * elementSize == 16, columns % vec == 0,
            rows >= 30 * multiprocessors
        else { return false }
        let vectors = columns / vec
        var threads = 1
        while threads * 2 < vectors { threads *= 2 }  // threads for 2 vectors each: the next power of two of vectors / 2
        let many = rows >= refetchRowsPerSM * multiprocessors
        switch threads {
        case 512: break
        case 256: guard many else { return false }
        case 128:  // 2048 columns (V100)
            guard rows >= narrowPairsRowsPerSM * multiprocessors && !fp8Output && vectors == 2 * threads else { return false }
        default: return false
        }
        return fp8Output ? vectors == 2 * threads && rows >= refetchRowsPerSM * multiprocessors : vectors * 8 >= 2 * threads * 7
    }

    /// Whether a forward variant's module takes the high-bandwidth row rules: the 5-block bound and x read twice
    /// (``rowBlockBound(rows:columns:input:weight:multiprocessors:highBandwidth:)``,
    /// ``refetchesRows(rows:columns:input:weight:multiprocessors:highBandwidth:fp8Output:)``, `make`'s `boundedRows` and
    /// `refetchRows`), and for the fused add 2 vectors a thread and x and the residual read twice
    /// (``fusedAddTakesPairs(rows:columns:elementSize:vectorWidth:multiprocessors:highBandwidth:fp8Output:)``,
    /// ``fusedAddReadsTwice(rows:columns:input:weight:multiprocessors:highBandwidth:fp8Output:)``). They were measured on the
    /// default casting mode with y of the input type (the plain forward, the Gemma offset, the fused add); since V82 the
    /// LLaMA casting mode without the fused add takes them all (its modules fit the same register counts: 48 at the
    /// bound, 47–48 read twice; H200, ours only, two alternations against `RMSNORM_VARIANT_ROW_RULES=0`: 65,536 × 5120
    /// bf16 −6.2%, 16,384 × 5120 −6.0%, 65,536 × 4608 bf16 −6.2%, 65,536 × 7168 −2.4%, 65,536 × 4608 fp16 −5.1%,
    /// 65,536 × 6144 fp16 −5.3%), and since V83 fp8 output in the default casting mode takes those that gained there
    /// (the `fp8Output` cases of each rule). fp32 x runs the default casting's module in every mode (65,536 × 4096 fp32
    /// LLaMA 516.1 → 499.6 µs with peers). Casting mode none read twice needs 49 registers (4 blocks of 256 an SM, not
    /// 5), and the LLaMA mode with the fused add was not measured: neither takes them. `RMSNORM_VARIANT_ROW_RULES=0`
    /// keeps them to the default casting mode with y of the input type, for comparisons.
    public static func takesRowRules(casting: CastingMode, fp8Output: Bool, fusedAdd: Bool) -> Bool {
        switch casting {
        case .gemma: return !fp8Output || variantRowRules
        case .llama: return !fp8Output && !fusedAdd && variantRowRules
        case .none: return false
        }
    }
    static let variantRowRules: Bool = environmentVariable("RMSNORM_VARIANT_ROW_RULES") != "0"

    /// `RMSNORM_VARIANT_ELEMENTS` (8, 16 or 32): the forward variants' elements-per-thread cap, for experiments.
    static let variantElements: Int? = environmentVariable("RMSNORM_VARIANT_ELEMENTS").flatMap(Int.init)
        .flatMap { [8, 16, 32].contains($0) ? $0 : nil }

    /// `RMSNORM_INTERIOR_ELEMENTS` (8, 16 or 32): the aligned-interior plans' elements-per-thread cap, for experiments.
    static let interiorElements: Int? = environmentVariable("RMSNORM_INTERIOR_ELEMENTS").flatMap(Int.init)
        .flatMap { [8, 16, 32].contains($0) ? $0 : nil }

    /// Whether a GPU takes the plan rules measured on a high-bandwidth part: theoretical DRAM bandwidth of at least
    /// 30 GB/s per SM (an H200: 4,814 GB/s over 132 SMs, 36.5 a SM; an H100 SXM: 3,352, 25.4 a SM). Such a GPU needs
    /// more bytes in flight for its bandwidth, and two rules of ``make(rows:columns:elementSize:vectorWidth:multiprocessors:maxSharedMemoryPerBlock:maxElementsPerThread:maxClusterSize:highBandwidth:allowSplit:capturing:)``
    /// differ there (session 26, ours only on an H200, two alternations; both rules cost time on the H100, where
    /// they were measured before). `RMSNORM_HIGH_BANDWIDTH=0|1` overrides the test, for comparisons.
    public static func highBandwidth(theoreticalBandwidth: Double, multiprocessors: Int) -> Bool {
        if let forced = highBandwidthSetting { return forced }
        return multiprocessors > 0 && theoreticalBandwidth / Double(multiprocessors) >= 30e9
    }
    static let highBandwidthSetting: Bool? = environmentVariable("RMSNORM_HIGH_BANDWIDTH").flatMap { v in
        v == "1" ? true : v == "0" ? false : nil
    }

    /// Threads a register-path grid should hold at M ≥ 2 × SMs (more threads a row until it does): 65,536, or
    /// 524,288 on a high-bandwidth GPU (``highBandwidth(theoreticalBandwidth:multiprocessors:)``);
    /// `RMSNORM_MIN_THREADS` (0 = no floor) for experiments.
    static func minGridThreads(highBandwidth: Bool) -> Int { minGridThreadsSetting ?? (highBandwidth ? 524_288 : 65_536) }
    static let minGridThreadsSetting: Int? = environmentVariable("RMSNORM_MIN_THREADS").flatMap(Int.init).flatMap { $0 >= 0 ? $0 : nil }

    /// Rows at least this long (bytes) take a split-row plan by default where the GPU has clusters (sm_90+,
    /// which also runs the second kernel as a programmatic dependent): 512 KB. V30, same-process A/B on an
    /// H100, event-timed: 1 × 262,144 fp32 11.95 → 9.70 µs, 4 × 262,144 bf16 10.35 → 10.16, 16 × 262,144 bf16
    /// 16.1 both ways; shorter rows stay on clusters (1 × 131,072 bf16 8.17 against 9.04, 1 × 32,768 fp32 7.57
    /// against 8.05). In CUDA graphs the split plans were faster at every one of these shapes.
    static let splitMinimumRowBytes = 512 * 1024

    /// The shortest rows any split-row plan takes, and the default's threshold while the stream is being
    /// captured into a CUDA graph: 64 KB. V31, graph mode on an H100, split against the other plans: 1 × 16,384 fp32 (64 KB) 3.55 → 2.95 µs, 1 × 65,536 fp32 4.60 → 3.04, 16 × 65,536
    /// bf16 5.39 → 4.62; but rows of 16–32 KB 30–37% slower (1 × 8192 fp32 2.51 → 3.28, 1 × 16,384 bf16 2.68 → 3.37).
    static let splitShortestRowBytes = 64 * 1024

    /// Whether the heuristic's plan at this shape depends on whether the stream is being captured into a
    /// CUDA graph (rows of 64 KB to 512 KB split over the grid only then), so that the launcher asks the
    /// driver only where the answer matters. In graphs the split plans were faster than clusters at every
    /// row length measured (V30: 1 × 32,768 fp32 4.11 → 2.95 µs, 1 × 65,536 fp32 4.60 → 3.26), in event-timed
    /// calls slower below 512 KB.
    /// Also where few rows would take 512 threads of two 16-byte vectors each (rows of 8–16 KB): 256 threads of
    /// four while capturing (``capturedFewRowsThreadCap``).
    public static func planDependsOnCapture(rows: Int, columns: Int, elementSize: Int, multiprocessors: Int, maxClusterSize: Int) -> Bool {
        guard maxClusterSize > 1 else { return false }
        let vectors = columns * elementSize / 16
        if rows < 2 * multiprocessors && nextPowerOfTwo(ceilDiv(vectors, 2)) > capturedFewRowsThreadCap
            && nextPowerOfTwo(ceilDiv(vectors, 2)) <= fewRowsThreadCap
        {
            return true
        }
        return splitSetting == nil && columns * elementSize < splitMinimumRowBytes
            && split(rows: rows, columns: columns, elementSize: elementSize, vectorWidth: 1, multiprocessors: multiprocessors) != nil
    }

    /// ``fewRowsThreadCap`` while a graph is being captured (sm_90+, 16-byte vectors, the forward's 32 elements
    /// a thread): 256. V32, `tune --graph` on an H100 (x warm in L2 between back-to-back calls, as a model's
    /// norm finds its input): rows of 10–16 KB at 1–256 rows ran fastest at 4 vectors × 256 threads, against
    /// the event-timed rule's 2 × 512: 1 × 5120 bf16 1.68 → 1.58 µs, 16 × 8192 bf16 1.95 → 1.83, 256 × 5120
    /// bf16 2.75 → 2.55, 1 × 4096 fp32 1.69 → 1.60; with programmatic launch 16 × 8192 bf16 1.69 → 1.47,
    /// 16 × 5120 bf16 1.47 → 1.29. Event-timed calls (L2 flushed) keep 512 (V28: a cap of 256 was up to 14%
    /// slower there).
    static let capturedFewRowsThreadCap = 256

    /// The most bytes of x a split-row plan takes (the second kernel re-reads x, which should still be in
    /// L2): 8 MB. V30: 32 × 131,072 fp32 (16 MB) was 4.6% slower split than over clusters.
    static let maxSplitBytes = 8 << 20

    /// `RMSNORM_WIDE_ROW_CLUSTERS=0`: rows of 32 KB to the shared memory's size at M ≥ 2 × SMs staged one a block on a
    /// high-bandwidth GPU, as before s34 (for comparisons); otherwise split over clusters in slices of at most 32 KB (V89).
    static let wideRowClusters = environmentVariable("RMSNORM_WIDE_ROW_CLUSTERS") != "0"

    /// `RMSNORM_SPLIT`: unset, the rule above; `1`, split plans for every row of at least 64 KB (any GPU);
    /// `0`, never (for comparisons).
    static let splitSetting: Int? = environmentVariable("RMSNORM_SPLIT").flatMap(Int.init)

    /// Whether a call's second kernel (a split row's, V30; the backward's dw reduction, V54) is launched as a
    /// programmatic dependent of the first (sm_90+): on unless `RMSNORM_PDL=0` (for comparisons).
    static let programmaticLaunch = environmentVariable("RMSNORM_PDL") != "0"

    /// A row split over blocks of an ordinary grid (``Path/split(blocksPerRow:)``) for few rows of huge N, or nil:
    /// M below half the SMs, rows of at least 64 KB and all of x within 8 MB (so that the second kernel
    /// finds it in L2).
    static func split(rows: Int, columns: Int, elementSize: Int, vectorWidth vec: Int, multiprocessors: Int) -> LaunchPlan? {
        let rowBytes = columns * elementSize
        guard rows < multiprocessors / 2, rowBytes >= splitShortestRowBytes, rows * rowBytes <= maxSplitBytes else { return nil }
        // Up to four blocks an SM, slices of at least 8 KB, at most 256 threads a block (one wave at the
        // kernels' 28–44 registers). V30's tune (H100, split candidates): 1 × 262,144 fp32 best at 128 blocks
        // of 256 (7.92 µs against 8.78 at 256 of 128), 16 × 262,144 bf16 at 32 of 256 (12.61 against 13.63
        // at 16 of 512).
        let blocks = min(4096, max(2, min(4 * multiprocessors / rows, rowBytes / 8192)))
        let sliceVectors = ceilDiv(columns / vec, blocks)
        let block = min(256, max(128, nextPowerOfTwo(ceilDiv(sliceVectors, 2))))
        return LaunchPlan(path: .split(blocksPerRow: blocks), vectorWidth: vec, threadsPerRow: block, blockSize: block,
            sharedMemoryBytes: 0, persistent: false)
    }

    /// Threads a row above which a few-row plan doubles its vectors a thread (once); `RMSNORM_FEW_ROWS_TPR`
    /// (128–1024, default 512) for experiments.
    static let fewRowsThreadCap: Int = environmentVariable("RMSNORM_FEW_ROWS_TPR").flatMap(Int.init)
        .flatMap { [128, 256, 512, 1024].contains($0) ? $0 : nil } ?? 512

    /// `RMSNORM_BWD_LARGE_STAGED=1`: 16-bit backward plans at ≥ 16,384 rows staged (16 elements a thread) instead
    /// of the 32-element register kernel, for comparisons.
    static let backwardLargeStaged = environmentVariable("RMSNORM_BWD_LARGE_STAGED") == "1"

    /// `RMSNORM_BWD_ELEMENTS` ("32,16,8"): the backward's elements-per-thread preference, for experiments.
    static let backwardElements: [Int]? = environmentVariable("RMSNORM_BWD_ELEMENTS").map {
        $0.split(separator: ",").compactMap { Int($0) }.filter { [1, 2, 4, 8, 16, 32].contains($0) }
    }.flatMap { $0.isEmpty ? nil : $0 }

    /// Fused backward (``fusedBackward``): rows up to which it is taken (`RMSNORM_BWD_FUSED_ROWS`, 0: never),
    /// and the most bytes of x and dy together (`RMSNORM_BWD_FUSED_MB`, default 24), which its column blocks read a
    /// second time (from L2).
    static let backwardFusedRows: Int = environmentVariable("RMSNORM_BWD_FUSED_ROWS").flatMap(Int.init) ?? 1024
    static let backwardFusedBytes: Int = (environmentVariable("RMSNORM_BWD_FUSED_MB").flatMap(Int.init) ?? 24) << 20

    /// Fused backward: the thread groups of a column block, each summing every `g`-th row (a power of two,
    /// ≤ 32), so that a thread sums about 4 rows (16 × 8192 bf16: 6.72 µs against 7.39 at 8; V34); the block's
    /// other dimension is its column vectors.
    public static func backwardColumnGroups(rows: Int) -> Int {
        min(32, nextPowerOfTwo(max(1, ceilDiv(rows, backwardRowsPerGroup))))
    }
    /// `RMSNORM_BWD_ROWS_PER_GROUP` (1–64, default 4; V34): the rows a column block's thread aims to sum, for experiments.
    static let backwardRowsPerGroup: Int = environmentVariable("RMSNORM_BWD_ROWS_PER_GROUP").flatMap(Int.init)
        .flatMap { (1...64).contains($0) ? $0 : nil } ?? 4

    /// Fused backward: row blocks (one row group each), column blocks, dynamic shared memory.
    public func fusedBackwardGrid(rows: Int, columns: Int) -> (rowBlocks: Int, columnBlocks: Int, rowGroups: Int, sharedMemoryBytes: Int) {
        let g = LaunchPlan.backwardColumnGroups(rows: rows)
        let perBlock = blockSize / g
        return (ceilDiv(rows, rowsPerBlock), ceilDiv(columns / vectorWidth, perBlock), g, g > 1 ? blockSize * vectorWidth * 4 : 0)
    }

    /// Blocks for the backward pass: persistent, and each block's dw partial row (N floats, written
    /// once and read once by the reduction) should stand for at least `backwardGroupsPerBlock` row groups,
    /// so that the partials stay a small share of the traffic; never fewer blocks than SMs while rows last.
    public func backwardGridSize(rows: Int, multiprocessors: Int, blocksPerMultiprocessor: Int) -> Int {
        let groups = ceilDiv(rows, rowsPerBlock)
        return max(1, min(groups, multiprocessors * max(1, blocksPerMultiprocessor),
            max(multiprocessors, ceilDiv(groups, backwardGroupsPerBlock))))
    }

    /// Row groups a backward block stands for at least: 32 for blocks of 256 threads or more, 16 for smaller
    /// ones. Measured on an H100 (V50, ours only, alternated twice): at 4096 rows, blocks of 256–512 threads
    /// ran 5–10% faster one an SM (32 groups) than two (4096 × 4096 bf16 53.6 → 49.4 µs, fp16 −9.6%, fp32
    /// −4.6%), while 128-thread blocks were 11% slower so (4096 × 2048 bf16); every other shape measured
    /// moved by less than 1.5%. `RMSNORM_BWD_GROUPS_PER_BLOCK` sets it for every block size (experiments).
    public var backwardGroupsPerBlock: Int {
        LaunchPlan.backwardGroupsPerBlockSetting ?? (blockSize >= 256 ? 32 : 16)
    }
    /// `RMSNORM_BWD_GROUPS_PER_BLOCK` (1–1024): the row groups every backward block should stand for, for experiments.
    static let backwardGroupsPerBlockSetting: Int? = environmentVariable("RMSNORM_BWD_GROUPS_PER_BLOCK").flatMap(Int.init)
        .flatMap { (1...1024).contains($0) ? $0 : nil }

    /// Chooses the kernel for `rows` × `columns` with the given vector width.
    ///
    /// Measured on an H100 with `rmsnorm-bench tune` (benchmarks/NOTES.md, run 2):
    /// - Rows in registers do best with the most elements a thread may hold (32) and few threads
    ///   per row (≤ 128): fp32 N = 4096 is fastest at 8 vectors × 128 threads, fp16 at 4 × 128.
    ///   Short rows want at least 16 threads each: fp32 N = 128 is 10% faster at 2 vectors × 16
    ///   threads than at 4 × 8.
    /// - When the power-of-two register layout would leave more than 3/8 of its slots idle or needs
    ///   more than 512 threads per row, the row is staged in shared memory by 256 threads: a loop
    ///   that fits any N. (The limit was 1/8 until `tune` in V13 showed registers ahead at bf16
    ///   N = 5120, 640 vectors in 1,024 slots: 452.8 against 472.7 µs at 65,536 rows, 5.6 against
    ///   6.2 µs at one row.)
    /// - One block per row group (no persistent loop) wins at large M by 2–9%.
    /// - Few rows (M < 2 × SMs): shared-memory rows get 1,024 threads, so one row's loads are
    ///   spread wide; the register path keeps its layout and shrinks its blocks instead.
    /// - Rows too long for shared memory (fp32 N > ~57,000) take two passes; with one row per
    ///   block in flight per SM the second pass mostly hits L2.
    /// - `maxElementsPerThread` 16 for the fused residual add, whose second input needs registers
    ///   of its own.
    /// - `highBandwidth` (``highBandwidth(theoreticalBandwidth:multiprocessors:)``, measured on an H200, V68): a
    ///   grid-thread floor of 512 Ki instead of 64 Ki, and 16-bit rows of 512 register threads staged in shared
    ///   memory below 70% of the layout's slots instead of 62.5%.
    /// - `boundedRows` (with `highBandwidth`; the caller's: bf16 x and weight, the plain forward or the Gemma offset):
    ///   rows of 4 vectors × 256 threads at ≥ 16 rows an SM stay in registers once they fill more than half of the
    ///   layout's slots (from 4104 columns), since the launcher bounds their module at 5 blocks an SM
    ///   (``rowBlockBound(rows:columns:input:weight:multiprocessors:highBandwidth:)``; V72, H200 `tune`: 65,536 × 4608
    ///   bf16 307.7 µs against 331.4 staged, 16,384 × 4608 81.5 against 86.9, 4096 × 4608 24.5 against 25.4; V74, from
    ///   9/16 down to just over 1/2: 65,536 × 4104 294.5 against 308.3, 65,536 × 4600 311.5 against 343.6, 16,384 × 4352
    ///   79.5 against 82.5, 4096 × 4352 23.8 against 24.2).
    /// - `refetchRows` (with `highBandwidth`; the caller's: x and weight of one type, the plain forward or the Gemma
    ///   offset), at ≥ 64 rows an SM, for rows whose module reads x twice
    ///   (``refetchesRows(rows:columns:input:weight:multiprocessors:highBandwidth:fp8Output:)``, V73, H200): fp32 rows of 1,024
    ///   vectors (4096 columns) take 2 vectors × 512 threads instead of 8 × 128 (65,536 × 4096 fp32 516.8 → 500.5 µs,
    ///   16,384 × 4096 132.5 → 129.2), and 16-bit rows over half of 4 × 256 stay in registers as under `boundedRows`
    ///   (fp16 4104–5119 columns: 65,536 × 4608 −5.6%, 16,384 × 4608 −5.7%, 65,536 × 4104 −3.8%).
    public static func make(
        rows: Int, columns: Int, elementSize: Int, vectorWidth vec: Int,
        multiprocessors: Int, maxSharedMemoryPerBlock: Int, maxElementsPerThread: Int = 32, maxClusterSize: Int = 1,
        highBandwidth: Bool = false, boundedRows: Bool = false, refetchRows: Bool = false, allowSplit: Bool = true,
        capturing: Bool = false, wideRowSplit: Bool? = nil
    ) -> LaunchPlan {
        let nv = columns / vec
        // Scalar accesses (odd N, vec = 1): at most 8 a thread. The 32-element vec-1 kernels spill
        // (ptxas) and put one warp on a row: 1021 × 769 bf16 ran at 14.5 µs against Triton's 6.0 (V17).
        let maxNpt = max(1, (vec == 1 ? min(8, maxElementsPerThread) : maxElementsPerThread) / vec)
        let fewRows = rows < 2 * multiprocessors
        // Few rows: latency-bound, so at most 2 vectors per thread and up to 1,024 threads per row
        // (1 × 4096 fp32: 5.3 µs at 2 × 512 against 8.7 µs at 8 × 128, run 3).
        var perThread = fewRows ? min(2, maxNpt) : maxNpt
        // …and 4 where 2 would take 1,024 threads a row (V28, same-process A/B on an H100: 1 × 8192 fp32
        // 5.79 → 5.47 µs, 1 × 16384 bf16 5.95 → 5.61, 16 × 16384 bf16 6.33 → 6.02; a cap of 256 threads
        // was slower where it changed the plan, up to +14% at 1 × 8192 fp32).
        // While a graph is being captured, full-vector rows on sm_90+ double at 256 threads instead (V32).
        let threadCap = capturing && maxClusterSize > 1 && vec * elementSize == 16 && maxElementsPerThread >= 32
            ? capturedFewRowsThreadCap : fewRowsThreadCap
        if fewRows && perThread < maxNpt && nextPowerOfTwo(ceilDiv(nv, perThread)) > threadCap { perThread *= 2 }
        // …except where that takes 1,024 threads a row while the rows outnumber the SMs: such a block
        // fills an SM's registers, so a second wave (256 × 16384 bf16: 12.98 µs against 11.15 at 4 × 512, V19).
        if fewRows && rows > multiprocessors && nextPowerOfTwo(ceilDiv(nv, perThread)) > 512 { perThread = maxNpt }
        var tpr = min(max(16, nextPowerOfTwo(ceilDiv(nv, perThread))), nextPowerOfTwo(nv), 1024)
        // Rows that outnumber the SMs but not by much: more threads a row (fewer vectors each) until the
        // grid holds 64 Ki threads (V28, same-process A/B on an H100: 1021 × 769 bf16 6.90 → 6.36 µs,
        // 1021 × 1001 fp16 7.46 → 6.62, 1024 × 1024 fp32 8.27 → 7.94, no changed plan slower; a floor of
        // 128 Ki was slower at 4096 × 128 fp32 and 2048 × 1024 bf16). On a high-bandwidth GPU 512 Ki (V68, H200:
        // 4096 × 2048 bf16 13.63 → 12.88 µs at 2 × 128 instead of 4 × 64, 16,384 × 128 fp32 −3.1%, 4096 × 1000
        // fp32 −1.3%, 4096 × 1024 bf16 −1.0%; the aligned-interior rows of 769 columns lost 1–2%, so `interior`
        // keeps 64 Ki).
        if !fewRows {
            let floor = minGridThreads(highBandwidth: highBandwidth)
            while rows * tpr < floor && tpr < nextPowerOfTwo(nv) && tpr < 512 { tpr *= 2 }
        }
        if highBandwidth && refetchRows && refetchWideLayout(rows: rows, columns: columns, elementSize: elementSize,
            vectorWidth: vec, multiprocessors: multiprocessors) && maxNpt >= 2
        {
            tpr = 512
        }
        let npt = nextPowerOfTwo(ceilDiv(nv, tpr))
        let capacity = tpr * npt
        // Up to 512 threads per row at large M: bf16 65536 × 16384 runs in 1,422 µs at 4 × 512 against
        // 1,621 µs for the shared-memory path (run 7, after the load-ordering fix below).
        let maxThreadsPerRow = fewRows ? 1024 : 512
        // Fewer rows than SMs where clusters exist: at most 64 bytes of x a thread in registers, longer rows
        // split over a cluster (V28, tune at 100 repetitions: 1 × 32768 fp32 8.80 µs at 8 × 1,024 threads
        // against 7.39 over a cluster of 8; 16 × 32768 fp32 9.34 against 8.51; bf16's 64-byte slices at
        // 1 × 32768 stayed best in registers).
        let byteCap = rows < multiprocessors && maxClusterSize > 1 ? 64 : Int.max
        // Few rows of at least 512 KB on sm_90+ (64 KB while a graph is being captured): split over blocks of
        // the grid (two kernels, the second a programmatic dependent of the first), which reach more SMs than
        // a cluster's 16 (V30).
        if allowSplit, let plan = split(rows: rows, columns: columns, elementSize: elementSize, vectorWidth: vec,
            multiprocessors: multiprocessors),
            splitSetting == 1 || (splitSetting == nil && maxClusterSize > 1
                && (capturing || columns * elementSize >= splitMinimumRowBytes))
        {
            return plan
        }
        // The register layout must fill 5/8 of its slots, else the row is staged in shared memory; on a
        // high-bandwidth GPU 7/10 for 16-bit rows of 512 threads at M ≥ 2 × SMs (V68, H200: 4096 × 11,008 bf16
        // 56.4 → 53.3 µs staged by 256 threads, 16,384 × 11,008 −7.2%, 4096 × 10,240 −6.6%; at 73% full,
        // 4096 × 12,000, staging lost 18%, and fp32 rows of 10,240 lost 22%).
        // Rows over half of the 4 × 256 layout stay in registers where their module holds fewer registers: bounded at
        // 5 blocks an SM (bf16, `boundedRows`), or reading x twice (other 16-bit rows, `refetchRows`, ≥ 64 rows an SM).
        let bounded = highBandwidth && (boundedRows || (refetchRows && elementSize == 2 && rows >= refetchRowsPerSM * multiprocessors))
            && boundedRowLayout(rows: rows, vectorWidth: vec, vectorsPerThread: npt, threadsPerRow: tpr,
                multiprocessors: multiprocessors) && capacity < nv * 2
        let filled = highBandwidth && !fewRows && elementSize == 2 && tpr >= 512
            ? capacity * 7 <= nv * 10 : capacity * 5 <= nv * 8 || bounded
        if npt <= maxNpt && npt * vec * elementSize <= byteCap
            && (nv <= 256 || (tpr <= maxThreadsPerRow && filled))
        {
            var block = tpr
            if tpr <= 32 {
                block = 256
                while block > 32, block > tpr, ceilDiv(rows, block / tpr) < 2 * multiprocessors { block /= 2 }
            }
            return LaunchPlan(
                path: .registers(vectorsPerThread: npt), vectorWidth: vec, threadsPerRow: tpr,
                blockSize: block, sharedMemoryBytes: 0,
                // One block per row group, unless the groups outnumber a grid's 2^31 − 1 blocks.
                persistent: ceilDiv(rows, block / tpr) > Int(Int32.max))
        }
        let rowBytes = (columns * elementSize + 15) / 16 * 16
        let threads = max(32, min(fewRows ? 1024 : 256, nextPowerOfTwo(nv)))
        // 1 KB kept back for the kernel's static shared memory (reduction scratch).
        let smemLimit = maxSharedMemoryPerBlock - 1024
        // A row split over a cluster where one block per row would leave SMs idle (M < SMs) or the row
        // does not fit one block's shared memory (x read once instead of twice). `tune` (V19): slices of
        // at most 64 KB, 1,024 threads with four vectors each while the blocks are few, 512 with eight
        // once M · size ≥ 2 × SMs. 1 × 262,144 fp32: 12.1 µs at 16 × 64 KB × 1,024 against 50.1 for
        // the two-pass loop; 64 × 262,144: 64.1 at 16 × 64 KB × 512 against 81.6; 512 × 65,536: 102.9
        // at 4 × 64 KB × 512 against 119.6 (best 101.6).
        // On a high-bandwidth GPU also rows of more than 32 KB at M ≥ 2 × SMs (where the staged plan has 256 threads), in
        // slices of at most 32 KB, 256 threads a block (V89; s34i, H200, `tune`: staged one a block, a 128 KB row held an SM
        // with 256 threads; 2048 × 65,536 bf16 299.3 µs against 151.6 over clusters of 4 × 32 KB, 1024 × 32,768 fp32 163.7
        // against 79.8, 1024 × 49,152 bf16 87.6 against 61.1 (4 × 24 KB), 4096 × 32,768 bf16 192.6 against 148.1 (2 × 32 KB),
        // 4096 × 24,576 bf16 131.9 against 110.3 (2 × 24 KB); s34j's A/B −16 to −50%). The fused add, which passes no
        // `highBandwidth`, takes it through `wideRowSplit` (s34l: −13 to −52% at the same shapes). The H100 keeps the
        // staged plan (not measured there).
        let wideRows = (wideRowSplit ?? highBandwidth) && wideRowClusters && rowBytes > 32 * 1024 && !fewRows
        if maxClusterSize > 1 && (rows < multiprocessors || rowBytes > smemLimit || wideRows) {
            let target = min(wideRows && rowBytes <= smemLimit ? 32 * 1024 : 64 * 1024, smemLimit)
            func slice(_ cs: Int) -> Int {
                clusterSliceBytes(columns: columns, elementSize: elementSize, vectorWidth: vec, clusterSize: cs)
            }
            var cs = 2
            while cs < maxClusterSize && (slice(cs) > target || rows * cs < multiprocessors) { cs *= 2 }
            if slice(cs) <= smemLimit && rows <= Int(Int32.max) / cs {
                let manyBlocks = rows * cs >= 2 * multiprocessors
                let vectors = slice(cs) / (vec * elementSize)
                let block = min(manyBlocks ? 512 : 1024, max(128, nextPowerOfTwo(ceilDiv(vectors, manyBlocks ? 8 : 4))))
                var plan = LaunchPlan(path: .sharedMemory, vectorWidth: vec, threadsPerRow: block, blockSize: block,
                    sharedMemoryBytes: slice(cs), persistent: false)
                plan.clusterSize = cs
                return plan
            }
        }
        if rowBytes <= smemLimit {
            return LaunchPlan(
                path: .sharedMemory, vectorWidth: vec, threadsPerRow: threads, blockSize: threads,
                sharedMemoryBytes: rowBytes)
        }
        return LaunchPlan(path: .loop, vectorWidth: vec, threadsPerRow: 1024, blockSize: 1024, sharedMemoryBytes: 0)
    }

    /// The aligned-interior plan for rows of `columns` elements whose accesses could not all be 16-byte
    /// vectors (the caller has found the vector width below 16 bytes and checked that x and y rows sit
    /// alike against 16-byte boundaries), or nil where the register path with 16-byte vectors does not
    /// fit (then the launcher keeps its narrower vectors). Up to 4 vectors a thread (32 elements of 16-bit
    /// types, 16 of fp32); at least 2 · VEC threads a row, so each lane holds at most one of the row's
    /// edge elements. Where `make` would leave the registers for shared memory (more than 3/8 of the slots
    /// idle), the register layout is kept up to 1,024 threads: the alternative is scalar accesses
    /// (4096 × 5001 bf16 on the vec-1 shared-memory path: 56.3 µs against Triton's 44.8, V20).
    public static func interior(
        rows: Int, columns: Int, elementSize: Int, multiprocessors: Int, maxSharedMemoryPerBlock: Int
    ) -> LaunchPlan? {
        let vec = 16 / elementSize
        guard columns >= 16 * vec else { return nil }
        let maxElements = interiorElements ?? (elementSize == 4 ? 16 : 32)
        var plan = make(rows: rows, columns: columns / vec * vec, elementSize: elementSize, vectorWidth: vec,
            multiprocessors: multiprocessors, maxSharedMemoryPerBlock: maxSharedMemoryPerBlock,
            maxElementsPerThread: maxElements)
        if plan.path == .sharedMemory || plan.path == .loop {
            let npt = maxElements / vec
            let tpr = nextPowerOfTwo(ceilDiv(columns / vec, npt))
            guard tpr <= 1024 else { return nil }
            plan = LaunchPlan(path: .registers(vectorsPerThread: npt), vectorWidth: vec, threadsPerRow: tpr,
                blockSize: tpr, sharedMemoryBytes: 0, persistent: false)
        }
        // No loop in these kernels: one grid must cover every row group.
        guard case .registers = plan.path, !plan.persistent, plan.threadsPerRow >= 2 * vec,
            ceilDiv(rows, plan.rowsPerBlock) <= Int(Int32.max)
        else { return nil }
        plan.alignedInterior = true
        return plan
    }

    /// Blocks an SM for this plan's row module (`ROW_MINB` with the weight read after the reduction), or nil for the
    /// default bound: on a high-bandwidth GPU, bf16 rows (bf16 weight) of 4 vectors × 256 threads that fill under 7/10
    /// of the layout (4104–5728 columns with `make`'s `boundedRows`), at least 16 rows an SM. 47 registers instead of
    /// 64, so 5 rows in flight an SM instead of 4, each with fewer bytes than a full row (V71, H200, two alternations:
    /// 65,536 × 5120 −7.7%, 16,384 × 5120 −6.8%, 4096 × 5120 −3.8%, 65,536 × 5632 −6.3%; V72: 4608 −7.0 / −6.9 / −9.4%
    /// at 65,536 / 16,384 / 4096 rows; full rows of 7168–8192 +0.3–1.3%, so they keep 4; fp16 spills at that bound,
    /// +16.7%, so it keeps 4 too).
    public func rowBlockBound(
        rows: Int, columns: Int, input: DType, weight: DType, multiprocessors: Int, highBandwidth: Bool
    ) -> Int? {
        guard highBandwidth, Self.boundsRows(input: input, weight: weight), case .registers(let npt) = path,
            !persistent, !alignedInterior, blockSize == threadsPerRow,
            Self.boundedRowLayout(rows: rows, vectorWidth: vectorWidth, vectorsPerThread: npt, threadsPerRow: threadsPerRow,
                multiprocessors: multiprocessors)
        else { return nil }
        let vectors = columns / vectorWidth
        return vectors * 10 < npt * threadsPerRow * 7 ? 5 : nil
    }

    /// Whether this plan's row module reads x twice (``KernelSpecialization/refetch``): on a high-bandwidth GPU, at
    /// least 64 rows an SM, x and weight of one type, 16-byte vectors, and one of
    /// - 16-bit rows that fill at least 3/4 of the 4 vectors × 256 threads layout (6144–8192 columns; 47 registers
    ///   instead of 64, so 5 rows in flight an SM instead of 4): V73, H200, two alternations, 65,536 × 8192 bf16
    ///   512.1 → 503.0 µs, 16,384 × 8192 bf16 −2.4%, 65,536 × 8192 fp16 −1.3%; at 4096 rows +0.2% (and +1.8% at
    ///   4096 × 7168), so not there. 7168 columns since V76, once both reads carry the L1 priority (V75): 65,536 ×
    ///   7168 bf16 −1.1%, 16,384 × 7168 −1.3%, 65,536 × 7168 fp16 −1.4% (±0.0% with the L2 policy alone); 3/4 to 7/8
    ///   since V78: 65,536 × 6144 bf16 −2.7%, fp16 −4.7%, 65,536 × 6656 bf16 −2.1%, 16,384 × 6144 bf16 −2.0%. Just over
    ///   7/10 (65,536 × 5736 bf16) reading twice ran 2.2% slower a column than the bounded plan at 5728, so bf16 rows
    ///   from 7/10 to 3/4 keep the plain module (unmeasured);
    /// - fp16 rows over half of that layout and under 3/4 (4104–6136 columns; below 5120 `make` keeps them in registers
    ///   only for this), where bf16 takes the 5-block bound and fp16's bounded module spills: 65,536 × 5120 fp16
    ///   355.1 → 332.0 µs, 16,384 × 5120 −6.1%, 65,536 × 4608 −5.6% (against staged);
    /// - fp32 rows of 2 vectors × 512 threads (4096 columns; `make`'s `refetchRows`): 32 registers instead of 46, so
    ///   4 blocks of 512 an SM: 65,536 × 4096 fp32 −3.2% against the 8 × 128 plan, 16,384 × 4096 −2.4%.
    /// The bf16 rows under the bound ran 3.6% slower read twice (65,536 × 5120), the 8 × 128 fp32 plan 3.3% slower.
    ///
    /// With fp8 output (V83) only the fp16 rows over half and under 5/8, which `make` would stage otherwise (65,536 ×
    /// 4608 fp16 −2.9%; 5/8 to 3/4 not measured): rows from 3/4 gained nothing (65,536 × 7168 bf16 +0.5%) and fp32 2 ×
    /// 512 lost 13.6% against 8 × 128 (the caller passes `make` no `refetchRows` for fp32 with fp8 output).
    public func refetchesRows(
        rows: Int, columns: Int, input: DType, weight: DType, multiprocessors: Int, highBandwidth: Bool,
        fp8Output: Bool = false
    ) -> Bool {
        guard let (npt, vectors, slots) = readTwiceLayout(rows: rows, columns: columns, input: input, weight: weight,
            multiprocessors: multiprocessors, highBandwidth: highBandwidth)
        else { return false }
        if fp8Output { return input == .float16 && npt == 4 && threadsPerRow == 256 && vectors * 8 < slots * 5 }
        switch (input.size, npt, threadsPerRow) {
        case (2, 4, 256): return vectors * 4 >= slots * 3 || input == .float16
        case (4, 2, 512): return vectors == slots
        default: return false
        }
    }

    /// What the read-twice rules share: a loop-free register plan of one row a block with 16-byte vectors, x and weight
    /// of one type, at least `rowsPerSM` rows an SM (64 unless given), on a high-bandwidth GPU. Returns the vectors a
    /// thread, the row's vectors and the layout's slots (vectors a thread × threads a row).
    private func readTwiceLayout(
        rows: Int, columns: Int, input: DType, weight: DType, multiprocessors: Int, highBandwidth: Bool,
        rowsPerSM: Int = Self.refetchRowsPerSM
    ) -> (npt: Int, vectors: Int, slots: Int)? {
        guard highBandwidth, input == weight, case .registers(let npt) = path, !persistent, !alignedInterior,
            blockSize == threadsPerRow, vectorWidth * input.size == 16, rows >= rowsPerSM * multiprocessors
        else { return nil }
        return (npt, columns / vectorWidth, npt * threadsPerRow)
    }

    /// Whether this plan's fused add reads x and the residual twice (``KernelSpecialization/refetch`` on a fused-add
    /// module): the first pass under `evict_last` for Σh² only, the second under `evict_first`, h recomputed and stored
    /// with y, as Inductor's kernel does (V80). On a high-bandwidth GPU, at least 64 rows an SM (30 for the 4 × 512 rows
    /// below), x and weight of one type, 16-byte vectors, and one of
    /// - 16-bit rows of 2 vectors × 256 or 512 threads filled by at least 7/8 (the plans of
    ///   ``fusedAddTakesPairs(rows:columns:elementSize:vectorWidth:multiprocessors:highBandwidth:fp8Output:)``);
    /// - fp32 rows of 2 vectors × 512 threads (4096 columns);
    /// - bf16 rows of 4 vectors × 256 threads filled by under 7/10.
    /// V80, H200, ours only, two alternations, against V79's plans read once: 65,536 × 8192 bf16 −1.1%, 16,384 × 8192
    /// −1.3%, 65,536 × 7168 −0.9%, 16,384 × 4096 bf16 −0.6%, 65,536 × 4096 fp16 −0.8%, 65,536 × 4096 bf16 ±0.0%,
    /// 65,536 × 4096 fp32 −2.4%, 65,536 × 5120 bf16 −2.4%; at 4096 rows −0.3% (× 8192) and +0.2% (× 4096), so not there.
    /// On the 4-vector plans of full rows it lost (65,536 × 4096 bf16 at 4 × 128 +4.3%, 65,536 × 8192 at 4 × 256 +0.8%),
    /// except at 512 threads:
    /// - 16-bit rows of 4 vectors × 512 threads filled by at least 7/8 (14,336–16,384 columns), from 30 rows an SM (V81,
    ///   H200, ours only, two alternations, read twice against once: 65,536 × 16,384 bf16 −3.0%, 16,384 × 16,384
    ///   −2.3%, 4096 × 16,384 −1.5%; measured on full rows only). Below 64 rows an SM the other plans stay read once:
    ///   4096 × 4096 at 2 × 256 measured +0.2% (s30) and −0.8% (s31), 4096 × 5120 bf16 −1.1%, 4096 × 2048 at 4 × 64
    ///   +4.8%.
    ///
    /// With fp8 output (V83, against read once at 4 vectors a thread) only the 16-bit rows that fill 2 vectors × 256 or
    /// 512 threads (the pairs V83 takes): 65,536 × 4096 bf16 −2.3%, fp16 −2.6%, 16,384 × 4096 −2.7%, 16,384 × 8192
    /// −2.8%. It lost at 65,536 × 7168 (7/8 of 2 × 512, +1.5%), 65,536 × 5120 bf16 (4 × 256, +3.0%), 65,536 × 4096 fp32
    /// (+2.3%), and on the 4 × 512 rows (with peers: 4096 × 16,384 +5.3%, 16,384 × 16,384 +2.2%).
    public func fusedAddReadsTwice(
        rows: Int, columns: Int, input: DType, weight: DType, multiprocessors: Int, highBandwidth: Bool,
        fp8Output: Bool = false
    ) -> Bool {
        guard let (npt, vectors, slots) = readTwiceLayout(rows: rows, columns: columns, input: input, weight: weight,
            multiprocessors: multiprocessors, highBandwidth: highBandwidth, rowsPerSM: 30)
        else { return false }
        let many = rows >= Self.refetchRowsPerSM * multiprocessors
        switch (input.size, npt, threadsPerRow) {
        case (2, 2, 256), (2, 2, 512): return many && (fp8Output ? vectors == slots : vectors * 8 >= slots * 7)
        case (2, 4, 512): return !fp8Output && vectors * 8 >= slots * 7
        case (4, 2, 512): return !fp8Output && many && vectors == slots
        case (2, 4, 256): return !fp8Output && many && input == .bfloat16 && vectors * 10 < slots * 7
        default: return false
        }
    }

    /// Whether this plan's fused add takes h = x + residual as one packed add a pair of bf16 elements (``KernelSpecialization/packedSum``,
    /// `HADD_PACKED`): the bf16 rows of 4 vectors × 512 threads read twice
    /// (``fusedAddReadsTwice(rows:columns:input:weight:multiprocessors:highBandwidth:fp8Output:)``, V81). V102, H200, ours
    /// only, in-process A/B in two processes: 4096 × 16,384 −1.8 / −1.3%, 4096 × 14,336 −4.2 / −4.1%, 16,384 × 16,384
    /// ±0.1% (s40e). Not the 2-vector read-twice plans, which lost with it (65,536 × 4096 bf16 +2.9%, 65,536 × 8192 +1.4%,
    /// s40d), nor fp16 (±0.1%).
    public func fusedAddPacksSum(
        rows: Int, columns: Int, input: DType, weight: DType, multiprocessors: Int, highBandwidth: Bool,
        fp8Output: Bool = false
    ) -> Bool {
        guard input == .bfloat16, case .registers(let npt) = path, npt == 4, threadsPerRow == 512 else { return false }
        return fusedAddReadsTwice(rows: rows, columns: columns, input: input, weight: weight,
            multiprocessors: multiprocessors, highBandwidth: highBandwidth, fp8Output: fp8Output)
    }

    /// Rows an SM from which ``refetchesRows(rows:columns:input:weight:multiprocessors:highBandwidth:fp8Output:)`` applies (64:
    /// 8,448 rows on 132 SMs; measured at 16,384 and 65,536 rows, and no gain at 4096).
    static let refetchRowsPerSM = 64

    /// Rows an SM from which full 2 × 128 fused-add rows take pairs (V100: 16,384 rows on 132 SMs, 124 an SM, gained
    /// 0.3–0.5%; 8448, 64 an SM, lost 1.5%).
    static let narrowPairsRowsPerSM = 120

    /// The fp32 rows that `make` plans at 2 vectors × 512 threads when the caller allows the refetch module
    /// (`refetchRows`): 1,024 vectors of 4, at least 64 rows an SM.
    static func refetchWideLayout(rows: Int, columns: Int, elementSize: Int, vectorWidth vec: Int, multiprocessors: Int) -> Bool {
        elementSize == 4 && vec == 4 && columns / vec == 1024 && rows >= refetchRowsPerSM * multiprocessors
    }

    /// The element types whose row modules take the 5-block bound: bf16 x with a bf16 weight (fp16's module spills
    /// at that bound, V71). Callers of `make` pass it (with the variant's own conditions) as `boundedRows`.
    public static func boundsRows(input: DType, weight: DType) -> Bool { input == .bfloat16 && weight == .bfloat16 }

    /// The register layout whose row module may be bounded at 5 blocks an SM (V71): 4 vectors of 8 × 256 threads,
    /// at least 16 rows an SM.
    static func boundedRowLayout(rows: Int, vectorWidth: Int, vectorsPerThread: Int, threadsPerRow: Int, multiprocessors: Int) -> Bool {
        vectorWidth == 8 && vectorsPerThread == 4 && threadsPerRow == 256 && rows >= 16 * multiprocessors
    }

    /// Blocks to launch: enough to cover the rows, at most what fits on the GPU at once
    /// (a persistent grid that strides over the rest; no tail wave).
    public func gridSize(rows: Int, multiprocessors: Int, blocksPerMultiprocessor: Int) -> Int {
        if clusterSize > 1 { return rows * clusterSize }  // make and check keep it within Int32
        if case .split(let blocks) = path { return rows * blocks }
        let groups = min(ceilDiv(rows, rowsPerBlock), Int(Int32.max))
        guard persistent else { return max(1, groups) }
        return max(1, min(groups, multiprocessors * max(1, blocksPerMultiprocessor)))
    }
}

extension LaunchPlan {
    /// Refuses a hand-made plan that would not cover the row or would misalign an access.
    func check(
        rows: Int, columns: Int, elementSize: Int, alignedVectorWidth: Int, maxSharedMemoryPerBlock: Int, maxClusterSize: Int
    ) throws(RMSNormError) {
        let vec = vectorWidth
        guard vec >= 1, vec * elementSize <= 16, alignedVectorWidth % vec == 0 else {
            throw .invalidArgument("plan vector width \(vec) is not allowed here (aligned width is \(alignedVectorWidth))")
        }
        guard !alignedInterior else {
            throw .invalidArgument("aligned-interior plans are the launcher's own; give a plan without it")
        }
        guard blockSize >= 32, blockSize <= 1024, blockSize % 32 == 0, threadsPerRow >= 1 else {
            throw .invalidArgument("plan block size \(blockSize) must be a multiple of 32 up to 1024")
        }
        switch path {
        case .registers(let npt):
            guard [1, 2, 4, 8, 16, 32].contains(npt), npt * vec <= 32 else {
                throw .invalidArgument("plan holds \(npt) vectors of \(vec) per thread; at most 32 elements, a power of two")
            }
            guard threadsPerRow & (threadsPerRow - 1) == 0, threadsPerRow <= 1024,
                threadsPerRow <= 32 ? blockSize % threadsPerRow == 0 : blockSize == threadsPerRow
            else { throw .invalidArgument("plan threads per row \(threadsPerRow) does not fit block \(blockSize)") }
            guard npt * threadsPerRow * vec >= columns else {
                throw .invalidArgument("plan covers \(npt * threadsPerRow * vec) columns, fewer than N = \(columns)")
            }
        case .sharedMemory:
            guard clusterSize == 1 || ([2, 4, 8, 16].contains(clusterSize) && clusterSize <= maxClusterSize) else {
                throw .invalidArgument(
                    "plan cluster size \(clusterSize) is not available here (1, or a power of two from 2 to \(maxClusterSize) on sm_90 and later)")
            }
            guard !persistent || clusterSize == 1, rows <= Int(Int32.max) / clusterSize else {
                throw .invalidArgument("plan with a cluster of \(clusterSize) needs one cluster per row (persistent: false) and M · \(clusterSize) < 2^31")
            }
            let need = clusterSize == 1 ? columns * elementSize
                : clusterSliceBytes(columns: columns, elementSize: elementSize, vectorWidth: vec, clusterSize: clusterSize)
            guard sharedMemoryBytes >= need, sharedMemoryBytes <= maxSharedMemoryPerBlock - 1024 else {
                throw .invalidArgument("plan shared memory \(sharedMemoryBytes) B does not hold a row (or cluster slice) of \(need) B")
            }
        case .loop:
            break
        case .split(let blocks):
            guard blocks >= 2, blocks <= 4096, blocks * vec <= columns, rows <= Int(Int32.max) / blocks,
                clusterSize == 1, !persistent, sharedMemoryBytes == 0
            else {
                throw .invalidArgument(
                    "plan split over \(blocks) blocks a row needs 2 to 4,096 blocks of at least one vector each, M · blocks < 2^31, no cluster, persistent: false and no shared memory")
            }
        }
    }

    /// Candidate plans for an exhaustive search at this shape (the tuner times each). `includeSplit`: the
    /// split-row plans too (verified on an H100 in session 10, V30; every caller takes them).
    public static func candidates(
        rows: Int, columns: Int, elementSize: Int, vectorWidth vec: Int, maxSharedMemoryPerBlock: Int, maxClusterSize: Int = 1,
        includeSplit: Bool = true
    ) -> [LaunchPlan] {
        var list: [LaunchPlan] = []
        let nv = columns / vec
        for npt in [1, 2, 4, 8, 16, 32] where npt * vec <= 32 {
            let tpr = nextPowerOfTwo(ceilDiv(nv, npt))
            guard tpr <= 1024, tpr / 2 * npt < nv || tpr == 1 else { continue }  // skip plans with idle halves
            let blocks = tpr <= 32 ? [32, 64, 128, 256, 512].filter { $0 >= tpr } : [tpr]
            for b in blocks where b >= 32 {
                for persistent in [true, false] {
                    list.append(LaunchPlan(path: .registers(vectorsPerThread: npt), vectorWidth: vec, threadsPerRow: tpr,
                        blockSize: b, sharedMemoryBytes: 0, persistent: persistent))
                }
            }
        }
        let rowBytes = (columns * elementSize + 15) / 16 * 16
        for b in [256, 512, 1024] {
            if rowBytes <= maxSharedMemoryPerBlock - 1024 && columns > 1024 {
                list.append(LaunchPlan(path: .sharedMemory, vectorWidth: vec, threadsPerRow: b, blockSize: b, sharedMemoryBytes: rowBytes))
            }
            // The two-pass loop, persistent or one block a row, from 8 KB rows (V70 on an H200: torch.compile's
            // kernel is such a loop; ours with LOOP_HINTS was the tuner's best at 3 of 10 large shapes).
            if columns > 4096 || columns * elementSize >= 8192 {
                for persistent in [true, false] {
                    list.append(LaunchPlan(path: .loop, vectorWidth: vec, threadsPerRow: b, blockSize: b, sharedMemoryBytes: 0,
                        persistent: persistent))
                }
            }
        }
        // Rows split over blocks of the grid (two kernels): rows of at least 16 KB, x within 16 MB, slices of
        // at least 2 KB.
        let rowSize = columns * elementSize
        if includeSplit && rowSize >= 16 * 1024 && rows * rowSize <= 16 << 20 {
            for blocks in [8, 16, 32, 64, 128, 256] where rowSize / blocks >= 2048 && rows <= Int(Int32.max) / blocks {
                let slice = ceilDiv(columns / vec, blocks) * vec * elementSize
                for b in [128, 256, 512] where b * vec * elementSize <= 2 * slice {
                    list.append(LaunchPlan(path: .split(blocksPerRow: blocks), vectorWidth: vec, threadsPerRow: b,
                        blockSize: b, sharedMemoryBytes: 0, persistent: false))
                }
            }
        }
        // Rows split over clusters: every size whose slice fits, slices of at least 2 KB.
        var cs = 2
        while cs <= maxClusterSize && columns * elementSize >= 2048 * cs && rows <= Int(Int32.max) / cs {
            let slice = clusterSliceBytes(columns: columns, elementSize: elementSize, vectorWidth: vec, clusterSize: cs)
            if slice <= maxSharedMemoryPerBlock - 1024 {
                for b in [128, 256, 512, 1024] where b * vec * elementSize <= 2 * slice {
                    var plan = LaunchPlan(path: .sharedMemory, vectorWidth: vec, threadsPerRow: b, blockSize: b,
                        sharedMemoryBytes: slice, persistent: false)
                    plan.clusterSize = cs
                    list.append(plan)
                }
            }
            cs *= 2
        }
        return list
    }
}

/// Shared memory of one block of a cluster of `clusterSize` that splits a row: its slice of
/// ceil(N / vec / clusterSize) vectors, rounded up to 16 bytes.
func clusterSliceBytes(columns: Int, elementSize: Int, vectorWidth vec: Int, clusterSize: Int) -> Int {
    (ceilDiv(columns / vec, clusterSize) * vec * elementSize + 15) / 16 * 16
}

func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
func nextPowerOfTwo(_ n: Int) -> Int {
    var p = 1
    while p < n { p <<= 1 }
    return p
}

/// Falling row ranges for the staged backward (`rmsnorm_bwd_async_npt2_rng`): phase 0 is `perPhase` blocks of
/// `first` rows, each later phase `perPhase` blocks of half as many rows as the phase before (at least
/// `smallest`), until the rows run out; the last phase has only the blocks it needs. Block b's rows are
/// `range(ofBlock: b)`. The kernel walks the same phases from its block index; ``blocks`` is the grid, and every
/// block has at least one row. The ranges are a function of the shape only, so each block's dw partial row sums
/// the same rows on every run.
public struct BackwardRowRanges: Sendable, Equatable {
    public var rows: Int
    public var perPhase: Int
    public var first: Int
    public var smallest: Int
    /// Blocks of the schedule (the grid), each with at least one row.
    public private(set) var blocks: Int

    /// `first` defaults to rows ÷ (2 · perPhase), so that the halving phases take about all the rows.
    public init(rows: Int, perPhase: Int, smallest: Int, first: Int? = nil) {
        precondition(rows >= 1 && perPhase >= 1 && smallest >= 1)
        self.rows = rows
        self.perPhase = perPhase
        self.smallest = smallest
        self.first = max(smallest, first ?? rows / (2 * perPhase))
        var start = 0, c = self.first, n = 0
        while true {
            if start + perPhase * c >= rows {
                n += (rows - start + c - 1) / c
                break
            }
            n += perPhase
            start += perPhase * c
            c = max(smallest, c / 2)
        }
        blocks = n
    }

    /// The rows of block `b` (empty past ``blocks``): the kernel's walk over the phases, in Swift.
    public func range(ofBlock block: Int) -> Range<Int> {
        var start = 0, c = first, b = block
        while b >= perPhase && start + perPhase * c < rows {
            start += perPhase * c
            b -= perPhase
            c = max(smallest, c / 2)
        }
        let lo = start + b * c
        return min(lo, rows)..<min(lo + c, rows)
    }
}
