import FoundationEssentials
import Testing
@testable import RMSNorm

/// The autotuner's store and keys (the timing itself needs a GPU: `rmsnorm-bench run --autotune`).
@Suite struct AutotuneTests {
    func tempDir() -> String {
        let dir = "/tmp/rmsnorm-autotune-test-\(UInt64.random(in: 0...UInt64.max))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func key(rows: Int, columns: Int = 4096) -> Autotune.Key {
        Autotune.Key(deviceName: "NVIDIA H100 80GB HBM3", arch: 90, input: .bfloat16, weight: .float32, columns: columns,
            vectorWidth: 8, rows: rows)
    }

    func entry(_ plan: LaunchPlan, hints: Bool = true) -> Autotune.Entry {
        Autotune.Entry(plan: plan, cacheHints: hints, microseconds: 5.5, heuristicMicroseconds: 6.25, candidates: 37)
    }

    /// The tuner's candidates are built at the operands' aligned width and every one passes the launcher's
    /// check there; the aligned-interior heuristic of an odd N does not (16-byte vectors on rows whose
    /// aligned width is 1), which is why the tuners time it without a plan (`tune --suite awkward` threw
    /// at 4096 × 769 fp32 before).
    @Test func candidatesPassTheCheckAtTheAlignedWidth() throws {
        var splits = 0
        for (m, n, size) in [(4096, 769, 4), (1021, 769, 2), (7, 1000, 2), (65535, 96, 4), (1, 262_144, 4), (199, 7168, 2), (1, 40_001, 2)] {
            var vec = 16 / size
            while n % vec != 0 { vec /= 2 }
            let list = LaunchPlan.candidates(rows: m, columns: n, elementSize: size, vectorWidth: vec,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16, includeSplit: true)
            #expect(!list.isEmpty)
            // The API's tuner takes the split-row plans too (its default), and a shape without them gets none.
            #expect(LaunchPlan.candidates(rows: m, columns: n, elementSize: size, vectorWidth: vec,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16) == list)
            #expect(LaunchPlan.candidates(rows: m, columns: n, elementSize: size, vectorWidth: vec,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16, includeSplit: false)
                == list.filter { if case .split = $0.path { false } else { true } })
            for plan in list {
                if case .split = plan.path { splits += 1 }
                #expect(throws: Never.self, "\(plan) at \(m)x\(n)") {
                    try plan.check(rows: m, columns: n, elementSize: size, alignedVectorWidth: vec,
                        maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16)
                }
            }
        }
        #expect(splits > 0, "split-row candidates at 1 x 262,144 and 1 x 40,001")
        let interior = try #require(LaunchPlan.interior(rows: 4096, columns: 769, elementSize: 4, multiprocessors: 132,
            maxSharedMemoryPerBlock: 232_448))
        #expect(interior.vectorWidth == 4)
        #expect(throws: RMSNormError.self) {
            try interior.check(rows: 4096, columns: 769, elementSize: 4, alignedVectorWidth: 1,
                maxSharedMemoryPerBlock: 232_448, maxClusterSize: 16)
        }
    }

    @Test func rowsShareAClassUpToThePowerOfTwo() {
        #expect(key(rows: 129) == key(rows: 256))
        #expect(key(rows: 256) != key(rows: 257))
        #expect(key(rows: 1) != key(rows: 2))
        #expect(key(rows: 256, columns: 4096) != key(rows: 256, columns: 4097))
    }

    @Test func keysRoundTripThroughText() {
        for k in [key(rows: 1), key(rows: 1000), key(rows: 1 << 20, columns: 7)] {
            #expect(Autotune.Key(text: k.text) == k)
        }
        for bad in ["", "a|b", "x|bf16|fp32|N=4096|vec=8|M<=2", "x sm_|bf16|fp32|N=4096|vec=8|M<=2", "x sm_90|bf16|fp32|N=4096|vec=8|M<=0", "x sm_90|bf17|fp32|N=4096|vec=8|M<=2", "x sm_90|bf16|fp32|N=-1|vec=8|M<=2",
            "x sm_90|bf16|fp32|N=4096|vec=8|M<=2|extra", "x sm_90|bf16|fp32|4096|vec=8|M<=2"]
        {
            #expect(Autotune.Key(text: bad) == nil, "\(bad)")
        }
    }

    @Test func entriesKeepTheirPlan() {
        let plans = [
            LaunchPlan(path: .registers(vectorsPerThread: 4), vectorWidth: 8, threadsPerRow: 128, blockSize: 128,
                sharedMemoryBytes: 0, persistent: false),
            LaunchPlan(path: .sharedMemory, vectorWidth: 8, threadsPerRow: 256, blockSize: 256, sharedMemoryBytes: 8192),
            LaunchPlan(path: .loop, vectorWidth: 4, threadsPerRow: 1024, blockSize: 1024, sharedMemoryBytes: 0),
        ]
        for p in plans { #expect(entry(p).plan == p) }
        var cluster = LaunchPlan(path: .sharedMemory, vectorWidth: 4, threadsPerRow: 1024, blockSize: 1024,
            sharedMemoryBytes: 65536, persistent: false)
        cluster.clusterSize = 16
        #expect(entry(cluster).plan == cluster)
        #expect(entry(cluster).plan.kernelName == "rmsnorm_fwd_smem_c16")
        let split = LaunchPlan(path: .split(blocksPerRow: 128), vectorWidth: 4, threadsPerRow: 256, blockSize: 256,
            sharedMemoryBytes: 0, persistent: false)
        #expect(entry(split).plan == split)
    }

    /// Entries written before clusters (no `clusterSize` field) still decode, as one block per row.
    @Test func entriesFromBeforeClustersDecode() throws {
        let json = """
            {"path": "smem", "vectorsPerThread": 0, "vectorWidth": 8, "threadsPerRow": 256, "blockSize": 256,
             "sharedMemoryBytes": 8192, "persistent": true, "cacheHints": false, "microseconds": 5.5,
             "heuristicMicroseconds": 6.0, "candidates": 30}
            """
        let e = try JSONDecoder().decode(Autotune.Entry.self, from: Data(json.utf8))
        #expect(e.clusterSize == nil && e.plan.clusterSize == 1 && e.plan.kernelName == "rmsnorm_fwd_smem")
    }

    @Test func storeSurvivesAReload() throws {
        let dir = tempDir()
        let path = dir + "/autotune-v1.json"
        let plan = LaunchPlan(path: .sharedMemory, vectorWidth: 8, threadsPerRow: 256, blockSize: 256, sharedMemoryBytes: 8192)
        let a = Autotune.Store(path: path)
        #expect(a.entry(for: key(rows: 256)) == nil)
        #expect(a.store(entry(plan), for: key(rows: 256)))
        #expect(a.store(entry(plan, hints: false), for: key(rows: 4096)))
        let b = Autotune.Store(path: path)  // a new process's view
        #expect(b.count == 2)
        #expect(b.entry(for: key(rows: 200)) == entry(plan))
        #expect(b.entry(for: key(rows: 4096))?.cacheHints == false)
        #expect(b.entry(for: key(rows: 8192)) == nil)
        try? FileManager.default.removeItem(atPath: dir)
    }

    @Test func corruptOrForeignFilesMeanNoEntries() throws {
        let dir = tempDir()
        let path = dir + "/autotune-v1.json"
        for content in ["", "{", "[1, 2]", "{\"garbage key\": {\"path\": \"smem\"}}", "\u{0}\u{1}binary"] {
            #expect(FileManager.default.createFile(atPath: path, contents: Data(content.utf8)))
            let s = Autotune.Store(path: path)
            #expect(s.count == 0, "\(content)")
            // A store over a corrupt file still takes new entries (and rewrites the file).
            #expect(s.store(entry(LaunchPlan(path: .loop, vectorWidth: 1, threadsPerRow: 256, blockSize: 256,
                sharedMemoryBytes: 0)), for: key(rows: 7)))
            #expect(Autotune.Store(path: path).count == 1)
        }
        try? FileManager.default.removeItem(atPath: dir)
    }

    @Test func unwritableFolderKeepsEntriesInMemory() {
        let s = Autotune.Store(path: "/proc/rmsnorm-no-such-folder/autotune-v1.json")
        let plan = LaunchPlan(path: .loop, vectorWidth: 1, threadsPerRow: 256, blockSize: 256, sharedMemoryBytes: 0)
        #expect(!s.store(entry(plan), for: key(rows: 3)))
        #expect(s.entry(for: key(rows: 4)) == entry(plan))
    }

    @Test func offUnlessAskedFor() {
        // Nothing is tuned or looked up implicitly: the switch is off by default (RMSNORM_AUTOTUNE unset in tests).
        if environmentVariable("RMSNORM_AUTOTUNE") == nil { #expect(!Autotune.isEnabled) }
    }
}
