import Testing
@testable import RMSNorm
@testable import _CUDA

/// Calls the raw CPU entry point and checks that a refused call wrote nothing.
func expectRefused(
    x: [Float], rows: Int, columns: Int, rowStride: Int? = nil, weight: [Float], eps: Float = 1e-6,
    yCount: Int? = nil, outputRowStride: Int? = nil, rstdCount: Int? = nil, contains text: String
) {
    var y = [Float](repeating: 42, count: yCount ?? x.count)
    var rstd = [Float](repeating: 42, count: rstdCount ?? 0)
    do {
        try x.withUnsafeBufferPointer { (xb) throws(RMSNormError) in
            try y.withUnsafeMutableBufferPointer { (yb) throws(RMSNormError) in
                try weight.withUnsafeBufferPointer { (wb) throws(RMSNormError) in
                    try rstd.withUnsafeMutableBufferPointer { (rb) throws(RMSNormError) in
                        try rmsNorm(xb, rows: rows, columns: columns, rowStride: rowStride, weight: wb, eps: eps,
                            into: yb, outputRowStride: outputRowStride, rstd: rstdCount == nil ? nil : rb)
                    }
                }
            }
        }
        Issue.record("accepted: expected an error containing '\(text)'")
    } catch {
        #expect(error.description.contains(text), "\(error)")
    }
    #expect(y.allSatisfy { $0 == 42 }, "output written by a refused call")
    #expect(rstd.allSatisfy { $0 == 42 }, "rstd written by a refused call")
}

@Suite struct BadInputTests {
    let x = [Float](repeating: 1, count: 64)
    let w = [Float](repeating: 1, count: 8)

    @Test func weightLengthMismatch() {
        expectRefused(x: x, rows: 8, columns: 8, weight: [1, 2, 3], contains: "weight has 3 elements")
    }
    @Test func zeroColumns() {
        expectRefused(x: x, rows: 8, columns: 0, weight: [], contains: "N (columns) is 0")
    }
    @Test func strideSmallerThanN() {
        expectRefused(x: x, rows: 4, columns: 8, rowStride: 4, weight: w, contains: "input row stride 4")
        expectRefused(x: x, rows: 4, columns: 8, weight: w, outputRowStride: 7, contains: "output row stride 7")
    }
    @Test func shortBuffers() {
        expectRefused(x: x, rows: 9, columns: 8, weight: w, yCount: 100, contains: "x holds 64")
        expectRefused(x: x, rows: 8, columns: 8, weight: w, yCount: 63, contains: "y holds 63")
        expectRefused(x: x, rows: 8, columns: 8, weight: w, rstdCount: 7, contains: "rstd holds 7")
    }
    @Test(arguments: [Float(-1e-6), .nan, .infinity, -.infinity])
    func badEpsilon(eps: Float) {
        expectRefused(x: x, rows: 8, columns: 8, weight: w, eps: eps, contains: "eps is")
    }
    @Test func overflowingShape() {
        expectRefused(x: x, rows: Int.max / 2, columns: 8, rowStride: 8, weight: w, contains: "overflow")
    }
    @Test func partialOverlapIsRefused() throws {
        var buffer = [Float](repeating: 1, count: 80)
        let before = buffer
        do {
            try buffer.withUnsafeMutableBufferPointer { (b) throws(RMSNormError) in
                try w.withUnsafeBufferPointer { (wb) throws(RMSNormError) in
                    let x = UnsafeBufferPointer(rebasing: UnsafeBufferPointer(b)[0..<64])
                    let y = UnsafeMutableBufferPointer(rebasing: b[8..<72])
                    try rmsNorm(x, rows: 8, columns: 8, weight: wb, into: y)
                }
            }
            Issue.record("partial overlap accepted")
        } catch {
            #expect(error.description.contains("overlap"))
        }
        #expect(buffer == before)
    }
    @Test func zeroRowsIsANoOp() throws {
        let y = try rmsNorm([Float](), weight: w, backend: .cpu)
        #expect(y.isEmpty)
    }
    @Test func arrayNotWholeRows() {
        #expect(throws: RMSNormError.self) { try rmsNorm([Float](repeating: 1, count: 10), weight: w, backend: .cpu) }
    }
}

@Suite struct LaunchPlanTests {
    @Test func vectorWidthFollowsAlignment() {
        #expect(LaunchPlan.vectorWidth(columns: 4096, elementSize: 2, weightSize: 2, xAddress: 0x1000, yAddress: 0x2000,
            weightAddress: 0x3000, xRowStride: 4096, yRowStride: 4096) == 8)
        #expect(LaunchPlan.vectorWidth(columns: 4096, elementSize: 2, weightSize: 2, xAddress: 0x1002, yAddress: 0x2000,
            weightAddress: 0x3000, xRowStride: 4096, yRowStride: 4096) == 1)
        #expect(LaunchPlan.vectorWidth(columns: 769, elementSize: 4, weightSize: 4, xAddress: 0, yAddress: 0,
            weightAddress: 0, xRowStride: 769, yRowStride: 769) == 1)
        #expect(LaunchPlan.vectorWidth(columns: 98, elementSize: 4, weightSize: 4, xAddress: 0, yAddress: 0,
            weightAddress: 0, xRowStride: 98, yRowStride: 98) == 2)
        #expect(LaunchPlan.vectorWidth(columns: 4096, elementSize: 2, weightSize: 4, xAddress: 0, yAddress: 0,
            weightAddress: 0x3010, xRowStride: 4104, yRowStride: 4096) == 8)
    }

    /// Long rows split over clusters where one block per row would idle SMs or not hold the row; no
    /// clusters where the GPU has none; odd N (scalar accesses) at most 8 elements a thread.
    @Test func clusterAndScalarHeuristics() throws {
        func plan(_ m: Int, _ n: Int, _ size: Int, _ vec: Int, clusters: Int = 16) -> LaunchPlan {
            LaunchPlan.make(rows: m, columns: n, elementSize: size, vectorWidth: vec, multiprocessors: 132,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: clusters)
        }
        // One row of 1 MB: split over 256 blocks of the grid (rows ≥ 512 KB on sm_90+, V30); of 256 KB, a cluster.
        #expect(plan(1, 262_144, 4, 4).path == .split(blocksPerRow: 128) && plan(1, 262_144, 4, 4).blockSize == 256)
        #expect(plan(4, 262_144, 2, 8).path == .split(blocksPerRow: 64), "512 KB rows")
        #expect(plan(16, 262_144, 2, 8).path == .split(blocksPerRow: 33) && plan(16, 262_144, 2, 8).blockSize == 256)
        #expect(plan(32, 131_072, 4, 4).clusterSize > 1, "16 MB of x: beyond the split rule's 8 MB")
        #expect(plan(1, 262_144, 4, 4, clusters: 1).clusterSize == 1 && plan(1, 262_144, 4, 4, clusters: 1).path != .split(blocksPerRow: 256),
            "no split by default without clusters (not measured there)")
        // While a graph is being captured, rows from 64 KB split too (faster in graphs at every length measured, V30);
        // only those shapes make the launcher ask the driver.
        let captured = LaunchPlan.make(rows: 1, columns: 32_768, elementSize: 4, vectorWidth: 4, multiprocessors: 132,
            maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16, capturing: true)
        #expect(captured.path == .split(blocksPerRow: 16) && plan(1, 32_768, 4, 4).clusterSize > 1)
        #expect(LaunchPlan.planDependsOnCapture(rows: 1, columns: 32_768, elementSize: 4, multiprocessors: 132, maxClusterSize: 16))
        #expect(!LaunchPlan.planDependsOnCapture(rows: 1, columns: 262_144, elementSize: 4, multiprocessors: 132, maxClusterSize: 16),
            "split either way")
        #expect(!LaunchPlan.planDependsOnCapture(rows: 1, columns: 8192, elementSize: 4, multiprocessors: 132, maxClusterSize: 16))
        #expect(!LaunchPlan.planDependsOnCapture(rows: 4096, columns: 32_768, elementSize: 4, multiprocessors: 132, maxClusterSize: 16))
        #expect(!LaunchPlan.planDependsOnCapture(rows: 1, columns: 32_768, elementSize: 4, multiprocessors: 108, maxClusterSize: 1),
            "no clusters: not measured, never split by default")
        let one = plan(1, 65_536, 4, 4)
        #expect(one.kernelName == "rmsnorm_fwd_smem_c16" && one.blockSize == 256 && one.sharedMemoryBytes == 16384)
        #expect(one.gridSize(rows: 1, multiprocessors: 132, blocksPerMultiprocessor: 1) == 16)
        let many = plan(64, 262_144, 4, 4)
        #expect(many.clusterSize == 16 && many.blockSize == 512)
        let medium = plan(512, 65536, 4, 4)
        #expect(medium.clusterSize == 4 && medium.sharedMemoryBytes == 65536 && medium.blockSize == 512)
        // Exactly 48 KB of dynamic shared memory, which with the kernels' static scratch needs the raised limit (s34g):
        // a cluster's slice (verify's 64 × 196,608 case) and a row staged one a block (264 × 24,576 bf16; 24,575 at vec 1),
        // as the H100 and the fused add plan them (a high-bandwidth GPU splits such rows over clusters since s34i).
        let edge = plan(64, 196_608, 4, 4)
        #expect(edge.clusterSize == 16 && edge.sharedMemoryBytes == 48 * 1024)
        for (n, vec) in [(24_576, 8), (24_575, 1)] {
            let staged = plan(264, n, 2, vec)
            #expect(staged.path == .sharedMemory && staged.clusterSize == 1 && staged.sharedMemoryBytes == 48 * 1024, "\(n): \(staged)")
        }
        // Uneven slices: 40,001 fp16 elements over 16 blocks of 2,501 (the last one shorter), 16-byte rounded.
        let odd = plan(1, 40_001, 2, 1)
        #expect(odd.clusterSize == 16 && odd.sharedMemoryBytes == 5008)
        #expect(plan(1, 262_144, 4, 4, clusters: 1).path == .loop)
        #expect(plan(4096, 32768, 4, 4).clusterSize == 1, "rows that fit one block, and M ≥ SMs: no cluster")
        #expect(plan(1021, 769, 2, 1).path == .registers(vectorsPerThread: 8))
        // Odd N: the aligned-interior kernels, 16-byte vectors, in modules that have them.
        if let ai = LaunchPlan.interior(rows: 1021, columns: 769, elementSize: 2, multiprocessors: 132,
            maxSharedMemoryPerBlock: 232_448)
        {
            #expect(ai.alignedInterior && ai.vectorWidth == 8 && ai.threadsPerRow >= 16 && !ai.persistent)
            #expect(ai.kernelName.hasPrefix("rmsnorm_fwd_ai_npt"))
            let spec = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8)
            #expect(spec.kernelNames.contains(ai.kernelName))
            #expect(!KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, residual: true)
                .kernelNames.contains(ai.kernelName))
            #expect(throws: RMSNormError.self) {
                try ai.check(rows: 1021, columns: 769, elementSize: 2, alignedVectorWidth: 1,
                    maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16)
            }
        } else {
            Issue.record("no aligned-interior plan for 1021 x 769 bf16")
        }
        let wideOdd = LaunchPlan.interior(rows: 4096, columns: 5001, elementSize: 2, multiprocessors: 132,
            maxSharedMemoryPerBlock: 232_448)
        #expect(wideOdd?.path == .registers(vectorsPerThread: 4) && wideOdd?.threadsPerRow == 256)
        #expect(LaunchPlan.interior(rows: 4096, columns: 40001, elementSize: 2, multiprocessors: 132,
            maxSharedMemoryPerBlock: 232_448) == nil, "beyond 1,024 threads of 4 vectors: the vec-1 paths")
        #expect(LaunchPlan.interior(rows: 7, columns: 100, elementSize: 2, multiprocessors: 132,
            maxSharedMemoryPerBlock: 232_448) == nil, "rows under 16 vectors keep scalar accesses")
        #expect(CUDABackend.interiorAllowed(x: 0x1000, ldx: 769, y: 0x2000, ldy: 769))
        #expect(!CUDABackend.interiorAllowed(x: 0x1000, ldx: 769, y: 0x2002, ldy: 769))
        #expect(!CUDABackend.interiorAllowed(x: 0x1000, ldx: 769, y: 0x2000, ldy: 772))
        // More row groups than a grid holds: the persistent kernels, and no aligned interior (it has no loop).
        #expect(plan(3_000_000_000, 4096, 2, 8).persistent)
        #expect(!plan(4096, 4096, 2, 8).persistent)
        #expect(LaunchPlan.interior(rows: 20_000_000_000, columns: 769, elementSize: 2, multiprocessors: 132,
            maxSharedMemoryPerBlock: 232_448) == nil)
        // Few rows, but more than SMs: no 1,024-thread blocks (one per SM would take two waves).
        let wide = plan(256, 16384, 2, 8)
        #expect(wide.path == .registers(vectorsPerThread: 4) && wide.threadsPerRow == 512)
        // Fewer rows than SMs: 2 vectors a thread, or 4 where 2 would take 1,024 threads a row (V28).
        #expect(plan(16, 16384, 2, 8) == plan(256, 16384, 2, 8))
        #expect(plan(1, 8192, 4, 4).path == .registers(vectorsPerThread: 4) && plan(1, 8192, 4, 4).threadsPerRow == 512)
        #expect(plan(1, 4096, 4, 4).path == .registers(vectorsPerThread: 2) && plan(1, 4096, 4, 4).threadsPerRow == 512)
        #expect(plan(1, 16384, 4, 4).path == .registers(vectorsPerThread: 4) && plan(1, 16384, 4, 4).threadsPerRow == 1024)
        // …and no more than 64 bytes of x a thread while clusters can take the row (V28).
        #expect(plan(1, 32768, 4, 4).path == .sharedMemory && plan(1, 32768, 4, 4).clusterSize > 1)
        #expect(plan(16, 32768, 4, 4).path == .sharedMemory && plan(16, 32768, 4, 4).clusterSize > 1)
        #expect(plan(1, 32768, 4, 4, clusters: 1).path == .registers(vectorsPerThread: 8))
        #expect(plan(1, 32768, 2, 8).path == .registers(vectorsPerThread: 4))
        // Split rows (two kernels; the heuristic's at rows ≥ 512 KB on sm_90+, `RMSNORM_SPLIT=1`, or a plan given by hand): the rule's choice, its kernels in
        // the full module, the grid, and the check's refusals.
        let split = try #require(LaunchPlan.split(rows: 1, columns: 262_144, elementSize: 4, vectorWidth: 4, multiprocessors: 132))
        #expect(split.path == .split(blocksPerRow: 128) && split.blockSize == 256 && !split.persistent)
        #expect(split.gridSize(rows: 1, multiprocessors: 132, blocksPerMultiprocessor: 8) == 128)
        #expect(LaunchPlan.split(rows: 66, columns: 262_144, elementSize: 4, vectorWidth: 4, multiprocessors: 132) == nil)
        #expect(LaunchPlan.split(rows: 1, columns: 8192, elementSize: 4, vectorWidth: 4, multiprocessors: 132) == nil)
        #expect(LaunchPlan.split(rows: 32, columns: 262_144, elementSize: 4, vectorWidth: 4, multiprocessors: 132) == nil,
            "32 MB of x: beyond what the second kernel would find in L2")
        #expect(LaunchPlan.split(rows: 32, columns: 131_072, elementSize: 4, vectorWidth: 4, multiprocessors: 132) == nil)
        let module = KernelSpecialization(input: .float32, weight: .float32, vectorWidth: 4)
        #expect(module.kernelNames.contains(split.kernelName) && module.kernelNames.contains("rmsnorm_fwd_split_sum"))
        #expect(module.rowModule(for: split) == nil)
        #expect(throws: Never.self) {
            try split.check(rows: 1, columns: 262_144, elementSize: 4, alignedVectorWidth: 4,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: 1)
        }
        // Refused: one block a row, more than 4,096, persistent, and (N = 200) more blocks than vectors.
        var refused: [(LaunchPlan, Int)] = []
        for bad in [LaunchPlan.Path.split(blocksPerRow: 1), .split(blocksPerRow: 8192)] {
            var p = split
            p.path = bad
            refused.append((p, 262_144))
        }
        var persistentSplit = split
        persistentSplit.persistent = true
        refused += [(persistentSplit, 262_144), (split, 200)]
        for (p, n) in refused {
            #expect(throws: RMSNormError.self, "\(p) at N = \(n)") {
                try p.check(rows: 1, columns: n, elementSize: 4, alignedVectorWidth: 4,
                    maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16)
            }
        }
        // A cluster plan is refused where the GPU has no clusters, or when persistent.
        #expect(throws: RMSNormError.self) {
            try one.check(rows: 1, columns: 65_536, elementSize: 4, alignedVectorWidth: 4,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: 1)
        }
        var persistent = one
        persistent.persistent = true
        #expect(throws: RMSNormError.self) {
            try persistent.check(rows: 1, columns: 65_536, elementSize: 4, alignedVectorWidth: 4,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16)
        }
        var small = one
        small.sharedMemoryBytes = 16368
        #expect(throws: RMSNormError.self) {
            try small.check(rows: 1, columns: 65_536, elementSize: 4, alignedVectorWidth: 4,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16)
        }
        #expect(throws: Never.self) {
            try one.check(rows: 1, columns: 65_536, elementSize: 4, alignedVectorWidth: 4,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16)
        }
    }

    /// While a graph is captured, few rows of 8–16 KB take 256 threads of four 16-byte vectors instead of 512
    /// of two (V32); only there: not for narrower vectors, the fused add's element cap, or GPUs without clusters.
    @Test func capturedFewRowsTakeFewerThreads() {
        func plan(_ rows: Int, _ columns: Int, _ size: Int, vec: Int, cap: Int = 32, clusters: Int = 16, capturing: Bool)
            -> LaunchPlan
        {
            LaunchPlan.make(rows: rows, columns: columns, elementSize: size, vectorWidth: vec, multiprocessors: 132,
                maxSharedMemoryPerBlock: 232_448, maxElementsPerThread: cap, maxClusterSize: clusters, capturing: capturing)
        }
        for (rows, columns, size) in [(1, 8192, 2), (16, 5120, 2), (256, 7168, 2), (1, 4096, 4)] {
            let vec = 16 / size
            let eager = plan(rows, columns, size, vec: vec, capturing: false)
            let captured = plan(rows, columns, size, vec: vec, capturing: true)
            #expect(eager.threadsPerRow == 512 && eager.path == .registers(vectorsPerThread: 2), "\(eager)")
            #expect(captured.threadsPerRow == 256 && captured.path == .registers(vectorsPerThread: 4), "\(captured)")
            #expect(plan(rows, columns, size, vec: vec, clusters: 1, capturing: true) == eager)
            #expect(plan(rows, columns, size, vec: vec, cap: 16, capturing: true)
                == plan(rows, columns, size, vec: vec, cap: 16, capturing: false))
        }
        // Rows of 8 KB or less, and rows that already take four vectors, are the same either way.
        for (rows, columns, size) in [(1, 4096, 2), (16, 2048, 4), (1, 16_384, 2), (4096, 8192, 2)] {
            let vec = 16 / size
            #expect(plan(rows, columns, size, vec: vec, capturing: true) == plan(rows, columns, size, vec: vec, capturing: false))
        }
        // Narrower vectors (a row stride that is not a multiple of 16 bytes) keep the event-timed rule.
        #expect(plan(16, 8192, 2, vec: 2, capturing: true) == plan(16, 8192, 2, vec: 2, capturing: false))
    }

    /// The launcher asks the driver whether the stream is capturing only where `planDependsOnCapture` says
    /// so: wherever the captured plan differs from the ordinary one, that must be true (else a captured
    /// call would silently take the ordinary plan).
    @Test func captureQueryCoversEveryShapeWhosePlanDependsOnIt() {
        var differing = 0
        for sms in [108, 132] {
            let clusters = sms == 132 ? 16 : 1
            for size in [2, 4] {
                for rows in [1, 2, 3, 7, 16, 33, 65, 66, 67, 128, 4096] {
                    for columns in [1000, 2048, 4096, 5120, 7168, 8192, 16_384, 16_385, 32_768, 65_536, 131_072, 262_144, 1 << 20] {
                        var vec = 16 / size
                        while columns % vec != 0 { vec /= 2 }
                        func plan(_ capturing: Bool) -> LaunchPlan {
                            LaunchPlan.make(rows: rows, columns: columns, elementSize: size, vectorWidth: vec, multiprocessors: sms,
                                maxSharedMemoryPerBlock: 232_448, maxClusterSize: clusters, capturing: capturing)
                        }
                        let depends = LaunchPlan.planDependsOnCapture(
                            rows: rows, columns: columns, elementSize: size, multiprocessors: sms, maxClusterSize: clusters)
                        if plan(true) != plan(false) {
                            differing += 1
                            #expect(depends, "\(rows) x \(columns), \(size)-byte elements, \(sms) SMs")
                        }
                    }
                }
            }
        }
        #expect(differing > 0, "some shapes take another plan while capturing")
    }

    /// The rules of a high-bandwidth GPU (V68): which GPUs take them, and the plans they change. A grid-thread floor
    /// of 512 Ki at M ≥ 2 × SMs (4096 × 2048 bf16: 2 × 128 instead of 4 × 64), and 16-bit rows of 512 register threads
    /// staged in shared memory by 256 below 70% of the layout's slots (11,008 and 10,240 columns; not 12,000, not fp32,
    /// not at few rows). Everything else is the same plan either way.
    /// Rows of more than 32 KB that fit the shared memory, at M ≥ 2 × SMs, on a high-bandwidth GPU: split over a cluster
    /// in slices of at most 32 KB (s34i), not staged one a block; elsewhere the plans stay as they were.
    @Test func wideRowsSplitOverClustersOnHighBandwidthGPUs() {
        func plan(_ rows: Int, _ columns: Int, _ size: Int, high: Bool = true, vec: Int? = nil) -> LaunchPlan {
            LaunchPlan.make(rows: rows, columns: columns, elementSize: size, vectorWidth: vec ?? 16 / size, multiprocessors: 132,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16, highBandwidth: high)
        }
        let cases: [(Int, Int, Int, cluster: Int, slice: Int)] = [
            (2048, 65_536, 2, 4, 32_768), (1024, 32_768, 4, 4, 32_768), (1024, 49_152, 2, 4, 24_576),
            (4096, 32_768, 2, 2, 32_768), (4096, 24_576, 2, 2, 24_576), (264, 65_536, 2, 4, 32_768), (264, 57_344, 4, 8, 28_672),
        ]
        for (m, n, size, cluster, slice) in cases {
            let p = plan(m, n, size)
            #expect(p.path == .sharedMemory && p.clusterSize == cluster && p.sharedMemoryBytes == slice && p.blockSize == 256,
                "\(m) × \(n): \(p)")
            let before = plan(m, n, size, high: false)
            #expect(before.path == .sharedMemory && before.clusterSize == 1 && before.sharedMemoryBytes == n * size, "\(before)")
        }
        // Unchanged: rows of 32 KB or less, rows in registers, few rows, rows beyond the shared memory (64 KB slices).
        #expect(plan(4096, 16_384, 2).path == .registers(vectorsPerThread: 4))
        #expect(plan(4096, 16_384, 4).path == .registers(vectorsPerThread: 8))
        #expect(plan(4096, 11_008, 2).clusterSize == 1 && plan(4096, 12_000, 2).clusterSize == 1)
        #expect(plan(263, 65_536, 2).clusterSize == 1 && plan(263, 65_536, 2).blockSize == 1024, "fewer than 2 × SMs: staged by 1,024 threads")
        #expect(plan(512, 65_536, 4).clusterSize == 4 && plan(512, 65_536, 4).sharedMemoryBytes == 65_536)
        // One element at a time (odd N): rows of 32 KB (16-byte rounded) stay staged, longer ones split.
        #expect(plan(264, 16_383, 2, vec: 1).clusterSize == 1 && plan(264, 16_383, 2, vec: 1).sharedMemoryBytes == 32_768)
        #expect(plan(264, 24_575, 2, vec: 1).clusterSize == 2 && plan(264, 24_575, 2, vec: 1).sharedMemoryBytes == 24_576)
        #expect(plan(264, 32_769, 2, vec: 1).clusterSize == 4)
    }

    /// Cluster plans whose slices give each thread 128 bytes or more run the `_b2` kernel (the last pass two vectors at a
    /// time, V90); smaller shares, staged rows one a block and the other paths keep their kernels.
    @Test func clusterLastPassPairsRule() {
        func cluster(_ size: Int, block: Int, slice: Int) -> LaunchPlan {
            var p = LaunchPlan(path: .sharedMemory, vectorWidth: 8, threadsPerRow: block, blockSize: block, sharedMemoryBytes: slice,
                persistent: false)
            p.clusterSize = size
            return p
        }
        for size in [2, 4, 8, 16] {
            let pairs = cluster(size, block: 256, slice: 32_768)
            #expect(pairs.lastPassPairs && pairs.kernelName == "rmsnorm_fwd_smem_c\(size)_b2" && pairs.description.hasSuffix("pairs grid=all"))
            let single = cluster(size, block: 256, slice: 32_768 - 16)
            #expect(!single.lastPassPairs && single.kernelName == "rmsnorm_fwd_smem_c\(size)" && !single.description.contains("pairs"))
        }
        #expect(cluster(16, block: 512, slice: 65_536).lastPassPairs, "64 × 262,144 fp32: 16 × 64 KB by 512 threads")
        #expect(!cluster(2, block: 256, slice: 24_576).lastPassPairs, "4096 × 24,576 bf16: 6 vectors a thread")
        #expect(!cluster(16, block: 1024, slice: 65_536).lastPassPairs)
        let staged = LaunchPlan(path: .sharedMemory, vectorWidth: 8, threadsPerRow: 256, blockSize: 256, sharedMemoryBytes: 65_536)
        #expect(!staged.lastPassPairs && staged.kernelName == "rmsnorm_fwd_smem")
        // The launcher's own plans on an H200 (V89's shapes): 32 KB slices of 256 threads pair, 24 KB ones do not.
        func plan(_ rows: Int, _ columns: Int, _ size: Int) -> LaunchPlan {
            LaunchPlan.make(rows: rows, columns: columns, elementSize: size, vectorWidth: 16 / size, multiprocessors: 132,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16, highBandwidth: true)
        }
        #expect(plan(2048, 65_536, 2).lastPassPairs && plan(1024, 32_768, 4).lastPassPairs && plan(264, 65_536, 2).lastPassPairs)
        #expect(!plan(4096, 24_576, 2).lastPassPairs && !plan(1024, 49_152, 2).lastPassPairs)
        #expect(!plan(4096, 16_384, 2).lastPassPairs, "registers")
        // Every _b2 name a plan can give is in the forward modules.
        let names = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8).kernelNames
        for size in [2, 4, 8, 16] { #expect(names.contains(cluster(size, block: 128, slice: 16_384).kernelName)) }
    }

    @Test func highBandwidthRules() {
        #expect(LaunchPlan.highBandwidth(theoreticalBandwidth: 4814e9, multiprocessors: 132))  // H200
        #expect(!LaunchPlan.highBandwidth(theoreticalBandwidth: 3352e9, multiprocessors: 132))  // H100 SXM
        #expect(!LaunchPlan.highBandwidth(theoreticalBandwidth: 4814e9, multiprocessors: 0))
        func plan(_ rows: Int, _ columns: Int, _ size: Int, _ high: Bool) -> LaunchPlan {
            LaunchPlan.make(rows: rows, columns: columns, elementSize: size, vectorWidth: 16 / size, multiprocessors: 132,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16, highBandwidth: high)
        }
        let floor = plan(4096, 2048, 2, true), old = plan(4096, 2048, 2, false)
        #expect(floor.path == .registers(vectorsPerThread: 2) && floor.threadsPerRow == 128, "\(floor)")
        #expect(old.path == .registers(vectorsPerThread: 4) && old.threadsPerRow == 64, "\(old)")
        #expect(plan(16_384, 128, 4, true).threadsPerRow == 32 && plan(16_384, 128, 4, false).threadsPerRow == 16)
        for columns in [11_008, 10_240] {
            for rows in [1024, 4096, 16_384] {
                let staged = plan(rows, columns, 2, true)
                #expect(staged.path == .sharedMemory && staged.blockSize == 256 && staged.clusterSize == 1, "\(staged)")
                #expect(plan(rows, columns, 2, false).path == .registers(vectorsPerThread: 4))
            }
        }
        // Unchanged: rows full enough or at few rows, fp32 rows, rows whose grid already holds 512 Ki threads.
        for (rows, columns, size) in [(4096, 12_000, 2), (4096, 16_384, 2), (199, 11_008, 2), (4096, 10_240, 4),
            (65_536, 2048, 2), (4096, 4096, 2), (32_768, 128, 4), (65_535, 96, 4), (4096, 7168, 2), (4096, 5120, 2)]
        {
            #expect(plan(rows, columns, size, true) == plan(rows, columns, size, false), "\(rows)x\(columns) size \(size)")
        }
    }

    /// V71: the row modules bounded at 5 blocks an SM, for half-full 256-thread bf16 rows at many rows on a
    /// high-bandwidth GPU only; the bound reaches the module's options.
    @Test func rowBlockBoundRule() {
        func bound(_ rows: Int, _ columns: Int, _ input: DType = .bfloat16, _ weight: DType = .bfloat16, high: Bool = true) -> Int? {
            let p = LaunchPlan.make(rows: rows, columns: columns, elementSize: input.size, vectorWidth: 16 / input.size,
                multiprocessors: 132, maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16, highBandwidth: high,
                boundedRows: true)
            return p.rowBlockBound(rows: rows, columns: columns, input: input, weight: weight, multiprocessors: 132,
                highBandwidth: high)
        }
        for (rows, columns) in [(65_536, 5120), (16_384, 5120), (4096, 5120), (65_536, 5632), (2112, 5728), (65_536, 4608),
            (4096, 4608), (65_536, 4600), (65_536, 4104), (2112, 4352)]
        {
            #expect(bound(rows, columns) == 5, "\(rows)x\(columns)")
        }
        // Full rows, few rows, another GPU class, fp16 (it spills at that bound), an fp32 weight, other layouts.
        for (rows, columns) in [(65_536, 8192), (65_536, 7168), (65_536, 5736), (2111, 5120), (256, 5120), (65_536, 4096),
            (65_536, 4000), (2111, 4608), (65_536, 11_008), (65_536, 16_384)]
        {
            #expect(bound(rows, columns) == nil, "\(rows)x\(columns)")
        }
        // V72, V74: once such rows fill more than half of the layout (4104 columns) they stay in registers instead of
        // being staged, for the bf16 forward on a high-bandwidth GPU at ≥ 16 rows an SM only.
        func make(_ rows: Int, _ columns: Int, high: Bool = true, bounded: Bool = true) -> LaunchPlan {
            LaunchPlan.make(rows: rows, columns: columns, elementSize: 2, vectorWidth: 8, multiprocessors: 132,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16, highBandwidth: high, boundedRows: bounded)
        }
        for (rows, columns) in [(65_536, 4608), (4096, 4608), (2112, 5000), (65_536, 4600), (65_536, 4104), (2112, 4352)] {
            #expect(make(rows, columns).path == .registers(vectorsPerThread: 4) && make(rows, columns).threadsPerRow == 256)
            #expect(make(rows, columns, bounded: false).path == .sharedMemory)
            #expect(make(rows, columns, high: false).path == .sharedMemory)
        }
        for (rows, columns) in [(65_536, 4000), (2111, 4352), (256, 4608)] {
            #expect(make(rows, columns) == make(rows, columns, bounded: false), "\(rows)x\(columns)")
        }
        #expect(bound(65_536, 5120, high: false) == nil)
        #expect(bound(65_536, 5120, .float16, .float16) == nil)
        #expect(bound(65_536, 5120, .bfloat16, .float32) == nil)
        var spec = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8)
        spec.rowMinBlocks = 5
        #expect(!spec.compileOptions(arch: 90).flags.contains { $0.hasPrefix("-DROW_MINB") })  // not the full module
        spec.rowThreads = 256
        let flags = spec.compileOptions(arch: 90).flags
        #expect(flags.contains("-DROW_MINB=5") && flags.contains("-DROW_MINB_TPR=256") && flags.contains("-DPACKED32=0"))
    }

    /// V73: the row modules that read x twice: full 4 × 256 16-bit rows, fp16 rows over 1/2 and under 7/10 of it, and fp32
    /// rows of 4096 columns, which `make` plans at 2 × 512 for it; at ≥ 64 rows an SM on a high-bandwidth GPU only.
    @Test func refetchRowsRule() {
        func plan(_ rows: Int, _ columns: Int, _ t: DType, high: Bool = true, refetch: Bool = true) -> LaunchPlan {
            LaunchPlan.make(rows: rows, columns: columns, elementSize: t.size, vectorWidth: 16 / t.size,
                multiprocessors: 132, maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16, highBandwidth: high,
                boundedRows: LaunchPlan.boundsRows(input: t, weight: t), refetchRows: refetch)
        }
        func refetches(_ rows: Int, _ columns: Int, _ t: DType, _ w: DType? = nil, high: Bool = true) -> Bool {
            plan(rows, columns, t, high: high).refetchesRows(rows: rows, columns: columns, input: t, weight: w ?? t,
                multiprocessors: 132, highBandwidth: high)
        }
        for (rows, columns, t) in [(65_536, 8192, DType.bfloat16), (8448, 8192, .bfloat16), (65_536, 8192, .float16),
            (65_536, 5120, .float16), (16_384, 5632, .float16), (65_536, 4096, .float32), (16_384, 4096, .float32),
            (65_536, 4104, .float16), (8448, 4608, .float16), (65_536, 7168, .bfloat16), (16_384, 7168, .float16),
            (8448, 7176, .bfloat16), (65_536, 7160, .bfloat16), (65_536, 6144, .float16), (65_536, 6144, .bfloat16),
            (16_384, 6656, .bfloat16), (8448, 5736, .float16)]
        {
            #expect(refetches(rows, columns, t), "\(rows)x\(columns) \(t)")
        }
        // Fewer rows, bf16 under the 5-block bound (under 7/10 full: 5728 columns is 716 of 1,024 slots) and from 7/10
        // to under 3/4 (5736, 6136), other layouts and types, a weight of another type, another GPU class.
        for (rows, columns, t) in [(8447, 8192, DType.bfloat16), (4096, 8192, .float16), (65_536, 5120, .bfloat16),
            (65_536, 5728, .bfloat16), (65_536, 5736, .bfloat16), (65_536, 6136, .bfloat16), (8447, 6144, .float16),
            (4096, 7168, .bfloat16), (65_536, 4096, .bfloat16), (65_536, 16_384, .bfloat16),
            (65_536, 2048, .float32), (65_536, 8192, .float32), (4096, 4096, .float32)]
        {
            #expect(!refetches(rows, columns, t), "\(rows)x\(columns) \(t)")
        }
        #expect(!refetches(65_536, 8192, .bfloat16, .float32))
        #expect(!refetches(65_536, 8192, .bfloat16, high: false))
        // fp32 rows of 4096 columns: 2 × 512 only where the caller allows the module, on a high-bandwidth GPU, at
        // ≥ 64 rows an SM; 8 × 128 otherwise.
        #expect(plan(65_536, 4096, .float32).path == .registers(vectorsPerThread: 2) && plan(65_536, 4096, .float32).threadsPerRow == 512)
        for p in [plan(65_536, 4096, .float32, refetch: false), plan(65_536, 4096, .float32, high: false), plan(8447, 4096, .float32)] {
            #expect(p.path == .registers(vectorsPerThread: 8) && p.threadsPerRow == 128, "\(p)")
        }
        #expect(plan(65_536, 8192, .bfloat16) == plan(65_536, 8192, .bfloat16, refetch: false))
        // fp16 rows over half of 4 × 256 stay in registers where they are read twice (≥ 64 rows an SM), else staged.
        #expect(plan(65_536, 4352, .float16).path == .registers(vectorsPerThread: 4))
        for p in [plan(65_536, 4352, .float16, refetch: false), plan(8447, 4352, .float16), plan(65_536, 4352, .float16, high: false)] {
            #expect(p.path == .sharedMemory, "\(p)")
        }
        // fp8 output (V83): only fp16 rows over half and under 5/8 of 4 × 256 (staged otherwise).
        func refetchesFP8(_ rows: Int, _ columns: Int, _ t: DType) -> Bool {
            plan(rows, columns, t, refetch: t == .float16).refetchesRows(rows: rows, columns: columns, input: t, weight: t,
                multiprocessors: 132, highBandwidth: true, fp8Output: true)
        }
        #expect(refetchesFP8(65_536, 4608, .float16) && refetchesFP8(8448, 4104, .float16))
        for (rows, columns, t) in [(65_536, 5120, DType.float16), (65_536, 6144, .float16), (65_536, 8192, .float16),
            (65_536, 7168, .bfloat16), (65_536, 8192, .bfloat16), (65_536, 4096, .float32), (8447, 4608, .float16)]
        {
            #expect(!refetchesFP8(rows, columns, t), "fp8 \(rows)x\(columns) \(t)")
        }
        // Only a row module takes the define (the fused add's too, V80), not the backward.
        var spec = KernelSpecialization(input: .float32, weight: .float32, vectorWidth: 4)
        spec.refetch = true
        #expect(!spec.compileOptions(arch: 90).flags.contains("-DREFETCH=1"))
        spec.rowThreads = 512
        #expect(spec.compileOptions(arch: 90).flags.contains("-DREFETCH=1") && spec.description.hasSuffix(" refetch"))
        spec.residual = true
        #expect(spec.compileOptions(arch: 90).flags.contains("-DREFETCH=1"))
        spec.residual = false
        spec.backward = true
        #expect(!spec.compileOptions(arch: 90).flags.contains("-DREFETCH=1"))
    }

    /// The fused add's 16-bit rows that fill 2 vectors × 256 or 512 threads by 7/8 or more, at ≥ 30 rows an SM on a
    /// high-bandwidth GPU (2 × 256 from 64 rows an SM, V98; full 2 × 128 rows from 120 rows an SM, V100), take 2 vectors
    /// a thread (V79); the plan `make` gives them under that cap.
    @Test func fusedAddPairsRule() {
        func pairs(_ rows: Int, _ columns: Int, _ t: DType = .bfloat16, vec: Int? = nil, high: Bool = true) -> Bool {
            LaunchPlan.fusedAddTakesPairs(rows: rows, columns: columns, elementSize: t.size, vectorWidth: vec ?? 16 / t.size,
                multiprocessors: 132, highBandwidth: high)
        }
        for (rows, columns, t) in [(65_536, 8192, DType.bfloat16), (65_536, 4096, .float16), (16_384, 7168, .bfloat16),
            (8448, 4096, .bfloat16), (3960, 7168, .bfloat16), (4096, 8192, .float16), (65_536, 3584, .bfloat16),
            (65_536, 7680, .float16),
            // Full 2 × 128 rows from 120 rows an SM (V100).
            (65_536, 2048, .bfloat16), (15_840, 2048, .float16)]
        {
            #expect(pairs(rows, columns, t), "\(rows)x\(columns) \(t)")
        }
        // With fp8 output (V83): full rows only, at ≥ 64 rows an SM.
        func pairsFP8(_ rows: Int, _ columns: Int, _ t: DType = .bfloat16) -> Bool {
            LaunchPlan.fusedAddTakesPairs(rows: rows, columns: columns, elementSize: t.size, vectorWidth: 16 / t.size,
                multiprocessors: 132, highBandwidth: true, fp8Output: true)
        }
        #expect(pairsFP8(65_536, 4096) && pairsFP8(8448, 8192) && pairsFP8(16_384, 4096, .float16))
        #expect(!pairsFP8(65_536, 7168) && !pairsFP8(8447, 4096) && !pairsFP8(4096, 8192) && !pairsFP8(65_536, 3584))
        #expect(!pairsFP8(65_536, 2048))
        // Rows under 7/8 of the layout (5120: 640 of 1,024 slots; 3576: 447 of 512), 2 × 1,024 threads, 2 × 128 under
        // 120 rows an SM or not full, 2 × 64, fp32, 8-byte vectors, fewer rows, another GPU class.
        for (rows, columns, t) in [(65_536, 5120, DType.bfloat16), (65_536, 3576, .bfloat16), (65_536, 16_384, .bfloat16),
            (15_839, 2048, .bfloat16), (8448, 2048, .bfloat16), (4096, 2048, .bfloat16), (65_536, 2040, .bfloat16), (65_536, 1024, .bfloat16),
            (65_536, 4096, .float32), (3959, 7168, .bfloat16),
            // 2 × 256 under 64 rows an SM (V98): 4 × 128.
            (8447, 4096, .bfloat16), (4096, 4096, .bfloat16), (4096, 4096, .float16), (4096, 3584, .bfloat16)]
        {
            #expect(!pairs(rows, columns, t), "\(rows)x\(columns) \(t)")
        }
        #expect(!pairs(65_536, 4096, vec: 4))
        #expect(!pairs(65_536, 4096, high: false))
        for (columns, threads) in [(4096, 256), (8192, 512), (7168, 512), (2048, 128)] {
            let p = LaunchPlan.make(rows: 65_536, columns: columns, elementSize: 2, vectorWidth: 8, multiprocessors: 132,
                maxSharedMemoryPerBlock: 232_448, maxElementsPerThread: 16, maxClusterSize: 16)
            #expect(p.path == .registers(vectorsPerThread: 2) && p.threadsPerRow == threads, "\(columns): \(p)")
        }
    }

    /// The fused add's plan on 132 SMs with 16-byte vectors, as the launcher makes it: 2 vectors a thread where
    /// ``LaunchPlan/fusedAddTakesPairs(rows:columns:elementSize:vectorWidth:multiprocessors:highBandwidth:fp8Output:)``
    /// says so, else the variants' element cap.
    static func fusedAddPlan(_ rows: Int, _ columns: Int, _ t: DType, high: Bool, fp8: Bool) -> LaunchPlan {
        let vec = 16 / t.size
        let pairs = LaunchPlan.fusedAddTakesPairs(rows: rows, columns: columns, elementSize: t.size, vectorWidth: vec,
            multiprocessors: 132, highBandwidth: high, fp8Output: fp8)
        return LaunchPlan.make(rows: rows, columns: columns, elementSize: t.size, vectorWidth: vec, multiprocessors: 132,
            maxSharedMemoryPerBlock: 232_448,
            maxElementsPerThread: pairs ? 16 : LaunchPlan.variantElementCap(fusedAdd: true, elementSize: t.size,
                rows: rows, multiprocessors: 132), maxClusterSize: 16)
    }

    /// The fused add reads x and the residual twice (V80) on V79's 2-vector plans, fp32 2 × 512 and bf16 4 × 256 under
    /// 7/10 full, at ≥ 64 rows an SM on a high-bandwidth GPU.
    @Test func fusedAddReadsTwiceRule() {
        func twice(_ rows: Int, _ columns: Int, _ t: DType, high: Bool = true, w: DType? = nil, fp8: Bool = false) -> Bool {
            Self.fusedAddPlan(rows, columns, t, high: high, fp8: fp8).fusedAddReadsTwice(rows: rows, columns: columns,
                input: t, weight: w ?? t, multiprocessors: 132, highBandwidth: high, fp8Output: fp8)
        }
        for (rows, columns, t) in [(65_536, 8192, DType.bfloat16), (16_384, 8192, .bfloat16), (65_536, 7168, .bfloat16),
            (65_536, 4096, .bfloat16), (65_536, 4096, .float16), (8448, 4096, .bfloat16), (65_536, 4096, .float32),
            (65_536, 5120, .bfloat16),
            // 4 × 512 filled by at least 7/8, from 30 rows an SM (V81).
            (65_536, 16_384, .bfloat16), (4096, 16_384, .bfloat16), (3960, 16_384, .float16), (65_536, 14_336, .bfloat16)]
        {
            #expect(twice(rows, columns, t), "\(rows)x\(columns) \(t)")
        }
        // Fewer rows, fp16 at 4 × 256, rows of 4 × 256 from 7/10, 4 × 512 under 7/8 or under 30 rows an SM, 4 × 64,
        // another weight type, another GPU class.
        for (rows, columns, t) in [(8447, 4096, DType.bfloat16), (4096, 8192, .bfloat16), (4096, 5120, .bfloat16),
            (65_536, 5120, .float16), (65_536, 6144, .bfloat16), (65_536, 12_288, .bfloat16), (3959, 16_384, .bfloat16),
            (65_536, 2048, .bfloat16), (4096, 2048, .bfloat16)]
        {
            #expect(!twice(rows, columns, t), "\(rows)x\(columns) \(t)")
        }
        #expect(!twice(65_536, 4096, .bfloat16, w: .float32))
        #expect(!twice(65_536, 4096, .bfloat16, high: false))
        #expect(!twice(65_536, 16_384, .bfloat16, high: false))
        // With fp8 output (V83): the full rows of 2 × 256 / 2 × 512 at ≥ 64 rows an SM only.
        for (rows, columns, t) in [(65_536, 4096, DType.bfloat16), (65_536, 4096, .float16), (16_384, 8192, .bfloat16)] {
            #expect(twice(rows, columns, t, fp8: true), "fp8 \(rows)x\(columns) \(t)")
        }
        for (rows, columns, t) in [(65_536, 7168, DType.bfloat16), (65_536, 5120, .bfloat16), (65_536, 4096, .float32),
            (65_536, 16_384, .bfloat16), (4096, 16_384, .bfloat16), (4096, 4096, .bfloat16)]
        {
            #expect(!twice(rows, columns, t, fp8: true), "fp8 \(rows)x\(columns) \(t)")
        }
    }

    /// The fused add's bf16 rows of 4 × 512 read twice take h as one packed add a pair (V102, `HADD_PACKED`); no other plan.
    @Test func fusedAddPacksSumRule() {
        func packs(_ rows: Int, _ columns: Int, _ t: DType, high: Bool = true, fp8: Bool = false) -> Bool {
            Self.fusedAddPlan(rows, columns, t, high: high, fp8: fp8).fusedAddPacksSum(rows: rows, columns: columns,
                input: t, weight: t, multiprocessors: 132, highBandwidth: high, fp8Output: fp8)
        }
        for (rows, columns) in [(4096, 16_384), (4096, 14_336), (65_536, 16_384), (3960, 16_384)] {
            #expect(packs(rows, columns, .bfloat16), "\(rows)x\(columns)")
        }
        // fp16, the 2-vector plans read twice (2 × 256, 2 × 512), 4 × 512 under 30 rows an SM or under 7/8 full, fp8
        // output, another GPU class.
        #expect(!packs(4096, 16_384, .float16) && !packs(65_536, 4096, .bfloat16) && !packs(65_536, 8192, .bfloat16))
        #expect(!packs(3959, 16_384, .bfloat16) && !packs(65_536, 12_288, .bfloat16))
        #expect(!packs(4096, 16_384, .bfloat16, fp8: true) && !packs(4096, 16_384, .bfloat16, high: false))
        // The define reaches only the fused add's modules.
        var spec = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8)
        spec.packedSum = true
        spec.rowThreads = 512
        #expect(!spec.compileOptions(arch: 90).flags.contains("-DHADD_PACKED=1"))
        spec.residual = true
        #expect(spec.compileOptions(arch: 90).flags.contains("-DHADD_PACKED=1") && spec.description.hasSuffix(" packed-sum"))
    }

    /// Which forward variants take the high-bandwidth row rules (V82, V83): the default casting mode with y of the input
    /// type or fp8, and the LLaMA mode without the fused add or fp8; never casting mode none.
    @Test func variantsTakingRowRules() {
        for fusedAdd in [false, true] {
            #expect(LaunchPlan.takesRowRules(casting: .gemma, fp8Output: false, fusedAdd: fusedAdd))
            #expect(LaunchPlan.takesRowRules(casting: .gemma, fp8Output: true, fusedAdd: fusedAdd))
            #expect(!LaunchPlan.takesRowRules(casting: .none, fp8Output: false, fusedAdd: fusedAdd))
            #expect(!LaunchPlan.takesRowRules(casting: .llama, fp8Output: true, fusedAdd: fusedAdd))
        }
        #expect(LaunchPlan.takesRowRules(casting: .llama, fp8Output: false, fusedAdd: false))
        #expect(!LaunchPlan.takesRowRules(casting: .llama, fp8Output: false, fusedAdd: true))
    }

    /// Every plan the launcher can make names a kernel that exists in its module, and covers the row.
    @Test func plansAreConsistent() {
        for dtype in DType.allCases {
            var vec = 1
            while vec * dtype.size <= 16 {
                let spec = KernelSpecialization(input: dtype, weight: dtype, vectorWidth: vec)
                for n in [1, 3, 8, 96, 128, 769, 1000, 2048, 4096, 5120, 7168, 8192, 11008, 16384, 32768, 65536, 262_144]
                where n % vec == 0 {
                    for m in [1, 7, 199, 4096, 1_048_576] { for highBandwidth in [false, true] {
                        let p = LaunchPlan.make(rows: m, columns: n, elementSize: dtype.size, vectorWidth: vec,
                            multiprocessors: 132, maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16,
                            highBandwidth: highBandwidth, boundedRows: highBandwidth, refetchRows: highBandwidth)
                        #expect(spec.kernelNames.contains(p.kernelName), "\(p) for \(m)x\(n) \(dtype)")
                        #expect(p.blockSize % 32 == 0 && p.blockSize <= 1024, "\(p)")
                        if case .registers(let npt) = p.path {
                            #expect(npt * p.threadsPerRow * vec >= n, "\(p) does not cover N=\(n)")
                            #expect(p.threadsPerRow <= 32 || p.rowsPerBlock == 1)
                        }
                        if p.path == .sharedMemory {
                            #expect(p.sharedMemoryBytes * p.clusterSize >= n * dtype.size, "\(p) for \(m)x\(n) \(dtype)")
                            #expect(p.sharedMemoryBytes <= 232_448 - 1024, "\(p)")
                            #expect(p.clusterSize == 1 || (!p.persistent && p.clusterSize <= 16), "\(p)")
                            #expect(p.gridSize(rows: m, multiprocessors: 132, blocksPerMultiprocessor: 1) == m * p.clusterSize
                                || p.clusterSize == 1)
                        }
                    } }
                }
                vec *= 2
            }
        }
    }
}

/// `.automatic` hands a call that ran the GPU out of memory to the CPU; nothing else falls back.
@Suite struct OutOfMemoryFallbackTests {
    static let oom = RMSNormError.cuda(.driver(CUDADriverError(
        code: CUDADriverError.outOfMemory, call: "cuMemAlloc_v2(1 bytes)", name: "CUDA_ERROR_OUT_OF_MEMORY", message: "out of memory")))

    @Test func automaticFallsBackToTheCPU() throws {
        let r = try fallingBackOnOutOfMemory(.automatic, gpu: { () throws(RMSNormError) -> String in throw Self.oom },
            cpu: { () throws(RMSNormError) -> String in "cpu" })
        #expect(r == "cpu")
    }

    @Test func explicitGPUReportsOutOfMemory() {
        #expect(throws: Self.oom) {
            try fallingBackOnOutOfMemory(.cuda(device: 0), gpu: { () throws(RMSNormError) -> String in throw Self.oom },
                cpu: { () throws(RMSNormError) -> String in "cpu" })
        }
    }

    @Test func otherErrorsAreNotHidden() {
        let other = RMSNormError.cuda(.driver(CUDADriverError(
            code: 700, call: "cuCtxSynchronize", name: "CUDA_ERROR_ILLEGAL_ADDRESS", message: "illegal address")))
        #expect(throws: other) {
            try fallingBackOnOutOfMemory(.automatic, gpu: { () throws(RMSNormError) -> String in throw other },
                cpu: { () throws(RMSNormError) -> String in "cpu" })
        }
    }

    @Test func successIsKept() throws {
        let r = try fallingBackOnOutOfMemory(.automatic, gpu: { () throws(RMSNormError) -> String in "gpu" },
            cpu: { () throws(RMSNormError) -> String in "cpu" })
        #expect(r == "gpu")
    }
}
