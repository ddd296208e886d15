import FoundationEssentials
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opt-in autotuning of the forward's launch plan on the GPU.
///
/// The launcher's heuristic plan reaches ~97% of the best plan an exhaustive search finds on average,
/// but not at every shape (`rmsnorm-bench tune` reports both). ``tune(_:weight:into:eps:repetitions:force:stream:)``
/// times every candidate plan (each with and without streaming cache hints, L2 flushed before each
/// repetition, median), times the three fastest again against the heuristic in five interleaved rounds, and
/// keeps one only if it beats the heuristic by 2%; it stores the choice — per GPU (name and arch), dtype
/// pair, N, vector width and row class (M rounded up to a power of two) — in memory and in
/// `autotune-v1.json` beside the kernel cache (`RMSNORM_CACHE_DIR`). While ``isEnabled`` is true
/// (default: the environment variable `RMSNORM_AUTOTUNE=1`), the device-matrix forward
/// (``rmsNorm(_:weight:eps:into:rstd:stream:)``) uses a stored plan for its shape class when there is
/// one, and the heuristic otherwise; nothing is ever tuned implicitly.
public enum Autotune {
    /// A stored winner.
    public struct Entry: Codable, Sendable, Equatable {
        /// "registers", "smem" or "loop".
        public var path: String
        public var vectorsPerThread: Int
        public var vectorWidth: Int
        public var threadsPerRow: Int
        public var blockSize: Int
        public var sharedMemoryBytes: Int
        public var persistent: Bool
        public var cacheHints: Bool
        /// Blocks per row of a shared-memory plan (absent in entries written before clusters: 1).
        public var clusterSize: Int?
        /// Median time of the winner and of the heuristic plan when tuned (µs).
        public var microseconds: Double
        public var heuristicMicroseconds: Double
        /// Candidates timed.
        public var candidates: Int

        public var plan: LaunchPlan {
            let p: LaunchPlan.Path
            switch path {
            case "smem": p = .sharedMemory
            case "loop": p = .loop
            case "split": p = .split(blocksPerRow: vectorsPerThread)
            default: p = .registers(vectorsPerThread: vectorsPerThread)
            }
            var plan = LaunchPlan(path: p, vectorWidth: vectorWidth, threadsPerRow: threadsPerRow, blockSize: blockSize,
                sharedMemoryBytes: sharedMemoryBytes, persistent: persistent)
            plan.clusterSize = clusterSize ?? 1
            return plan
        }

        init(plan: LaunchPlan, cacheHints: Bool, microseconds: Double, heuristicMicroseconds: Double, candidates: Int) {
            switch plan.path {
            case .registers(let npt): path = "registers"; vectorsPerThread = npt
            case .sharedMemory: path = "smem"; vectorsPerThread = 0
            case .loop: path = "loop"; vectorsPerThread = 0
            case .split(let blocks): path = "split"; vectorsPerThread = blocks
            }
            vectorWidth = plan.vectorWidth
            threadsPerRow = plan.threadsPerRow
            blockSize = plan.blockSize
            sharedMemoryBytes = plan.sharedMemoryBytes
            persistent = plan.persistent
            clusterSize = plan.clusterSize > 1 ? plan.clusterSize : nil
            self.cacheHints = cacheHints
            self.microseconds = microseconds
            self.heuristicMicroseconds = heuristicMicroseconds
            self.candidates = candidates
        }
    }

    /// The shape class a tuned plan stands for.
    struct Key: Hashable, Sendable {
        /// The GPU's name as the driver reports it (a stored String: building the key formats nothing,
        /// since the lookup runs on every call while tuning is on — V13c measured its cost).
        var deviceName: String
        var arch: Int
        var input: DType
        var weight: DType
        var columns: Int
        var vectorWidth: Int
        var rowClass: Int

        init(deviceName: String, arch: Int, input: DType, weight: DType, columns: Int, vectorWidth: Int, rows: Int) {
            self.deviceName = deviceName
            self.arch = arch
            self.input = input
            self.weight = weight
            self.columns = columns
            self.vectorWidth = vectorWidth
            rowClass = nextPowerOfTwo(max(1, rows))
        }

        var text: String { "\(deviceName) sm_\(arch)|\(input)|\(weight)|N=\(columns)|vec=\(vectorWidth)|M<=\(rowClass)" }
    }

    private static let enabled = Atomic<Bool>(environmentVariable("RMSNORM_AUTOTUNE") == "1")

    /// Whether the forward on device matrices uses stored plans (default: `RMSNORM_AUTOTUNE=1`).
    public static var isEnabled: Bool {
        get { enabled.load(ordering: .relaxed) }
        set { enabled.store(newValue, ordering: .relaxed) }
    }

    /// The store shared by the process: the file in the kernel cache's folder.
    static let shared = Store(path: KernelCache.shared.directory + "/autotune-v1.json")

    /// Tuned entries in memory, backed by a JSON file (read once; rewritten atomically on each new entry).
    /// A missing, unreadable or corrupt file means no entries; an unwritable folder keeps them in memory.
    final class Store: Sendable {
        let path: String
        private let entries: Mutex<[Key: Entry]?> = Mutex(nil)

        init(path: String) { self.path = path }

        private func loaded(_ table: inout [Key: Entry]?) -> [Key: Entry] {
            if let table { return table }
            var result: [Key: Entry] = [:]
            if let bytes = readWholeFile(path), !bytes.isEmpty,
                let file = try? JSONDecoder().decode([String: Entry].self, from: Data(bytes))
            {
                for (text, entry) in file { if let key = Key(text: text) { result[key] = entry } }
            }
            table = result
            return result
        }

        func entry(for key: Key) -> Entry? { entries.withLock { loaded(&$0)[key] } }

        var count: Int { entries.withLock { loaded(&$0).count } }

        @discardableResult
        func store(_ entry: Entry, for key: Key) -> Bool {
            let snapshot: [Key: Entry] = entries.withLock { table in
                var t = loaded(&table)
                t[key] = entry
                table = t
                return t
            }
            var file: [String: Entry] = [:]
            for (k, e) in snapshot { file[k.text] = e }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            guard let data = try? encoder.encode(file) else { return false }
            let fm = FileManager.default
            let folder = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
            if !folder.isEmpty { try? fm.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            let temp = path + ".tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
            guard fm.createFile(atPath: temp, contents: data) else { return false }
            if rename(temp, path) != 0 {
                unlink(temp)
                return false
            }
            return true
        }
    }

    /// The stored plan and cache-hint choice for these operands' shape class, when enabled and tuned.
    static func tunedPlan(device: CUDADevice, input: DType, weight: DType, rows: Int, columns: Int, vectorWidth: Int)
        -> (LaunchPlan, Bool)?
    {
        guard isEnabled else { return nil }
        let key = Key(deviceName: device.name, arch: device.arch, input: input, weight: weight, columns: columns,
            vectorWidth: vectorWidth, rows: rows)
        guard let e = shared.entry(for: key) else { return nil }
        let plan = e.plan
        // A hand-edited or stale entry that does not fit these operands is ignored.
        do throws(RMSNormError) {
            try plan.check(rows: rows, columns: columns, elementSize: input.size, alignedVectorWidth: vectorWidth,
                maxSharedMemoryPerBlock: device.maxSharedMemoryPerBlockOptin,
                maxClusterSize: LaunchPlan.maxClusterSize(arch: device.arch))
        } catch { return nil }
        return (plan, e.cacheHints)
    }

    /// Times every candidate plan for the shape class of these operands and stores the fastest (see the
    /// type's documentation). Returns the stored entry without timing anything when one exists and
    /// `force` is false. y holds the forward's result afterwards (computed with the winning plan);
    /// x and the weight are only read. Temporary device memory: 256 MB (at least 4 × the L2 size), for the flushes.
    @discardableResult
    public static func tune<T: RMSNormElement, W: RMSNormElement>(
        _ x: DeviceMatrix<T>, weight: DeviceBuffer<W>, into y: DeviceMatrix<T>, eps: Float = defaultEpsilon,
        repetitions: Int = 30, force: Bool = false, stream: CUDAStream? = nil
    ) throws(RMSNormError) -> Entry {
        let device = x.device
        let heuristic = launchPlan(for: x, weight: weight, into: y, consultingAutotune: false)
        // The key and the candidates take the operands' aligned width (what the launcher looks plans up by); an
        // aligned-interior heuristic (rows off 16-byte boundaries) is the launcher's own and runs without a plan.
        let vec = alignedVectorWidth(x, weight: weight, y: y)
        let key = Key(deviceName: device.name, arch: device.arch, input: T.dtype, weight: W.dtype, columns: x.columns,
            vectorWidth: vec, rows: x.rows)
        func run(_ plan: LaunchPlan, _ hints: Bool) throws(RMSNormError) {
            try CUDABackend.forward(x: x, weight: weight, y: y, rstd: nil, eps: eps, stream: stream,
                plan: plan.alignedInterior ? nil : plan, cacheHints: hints)
        }
        if !force, let e = shared.entry(for: key) {
            try run(e.plan, e.cacheHints)
            return e
        }
        guard repetitions >= 1 else { throw .invalidArgument("repetitions must be at least 1") }
        // The benchmark's flush: 256 MB (at least 4 × L2). With 2 × L2 (V13b) the tuner's times disagreed
        // with the benchmark's for the same plan, enough to pick plans 5–7% slower there.
        let flush = try DeviceBuffer<UInt8>(device: device, count: max(4 * device.l2CacheBytes, 256 << 20) / 16 * 16)
        func cuda<R>(_ body: () throws(CUDAError) -> R) throws(RMSNormError) -> R {
            do { return try body() } catch { throw .cuda(error) }
        }
        let events = try cuda { () throws(CUDAError) in try (0..<(2 * repetitions)).map { _ throws(CUDAError) in try CUDAEvent(device: device) } }
        func time(_ plan: LaunchPlan, _ hints: Bool) throws(RMSNormError) -> Double {
            for _ in 0..<2 { try run(plan, hints) }
            for i in 0..<repetitions {
                try DeviceRandom.overwrite(flush.memory, value: UInt32(truncatingIfNeeded: i), stream: stream)
                try cuda { () throws(CUDAError) in try events[2 * i].record(on: stream) }
                try run(plan, hints)
                try cuda { () throws(CUDAError) in try events[2 * i + 1].record(on: stream) }
            }
            try cuda { () throws(CUDAError) in try events[2 * repetitions - 1].synchronize() }
            var samples: [Double] = []
            for i in 0..<repetitions {
                samples.append(try cuda { () throws(CUDAError) in
                    try CUDAEvent.elapsedMilliseconds(from: events[2 * i], to: events[2 * i + 1]) * 1000
                })
            }
            samples.sort()
            return samples[samples.count / 2]
        }
        // Screening: every candidate once (after one discarded round, so clocks and caches are warm).
        // Finalists: the three fastest and the heuristic, timed again in five interleaved rounds (drift
        // hits all alike); the winner must beat the heuristic by 2%, else the heuristic is kept — at small
        // M, plans differ by less than the run-to-run spread (V13 in benchmarks/NOTES.md).
        let heuristicHints = LaunchPlan.defaultCacheHints
        _ = try time(heuristic, heuristicHints)
        let candidates = LaunchPlan.candidates(
            rows: x.rows, columns: x.columns, elementSize: T.dtype.size, vectorWidth: vec,
            maxSharedMemoryPerBlock: device.maxSharedMemoryPerBlockOptin,
            maxClusterSize: LaunchPlan.maxClusterSize(arch: device.arch))
        var screened: [(Double, LaunchPlan, Bool)] = []
        for hints in [false, true] {
            for plan in candidates where !(plan == heuristic && hints == heuristicHints) {
                screened.append((try time(plan, hints), plan, hints))
            }
        }
        screened.sort { $0.0 < $1.0 }
        let finalists: [(LaunchPlan, Bool)] = [(heuristic, heuristicHints)] + screened.prefix(3).map { ($0.1, $0.2) }
        // Each round starts with the next finalist, so that no plan is always timed first.
        var rounds = [[Double]](repeating: [], count: finalists.count)
        for round in 0..<5 {
            for j in 0..<finalists.count {
                let i = (j + round) % finalists.count
                rounds[i].append(try time(finalists[i].0, finalists[i].1))
            }
        }
        let scores = rounds.map { $0.sorted()[2] }  // median of the five rounds
        let heuristicTime = scores[0]
        var best = (heuristicTime, heuristic, heuristicHints)
        for i in 1..<finalists.count where scores[i] < 0.98 * heuristicTime && scores[i] < best.0 {
            best = (scores[i], finalists[i].0, finalists[i].1)
        }
        let entry = Entry(plan: best.1, cacheHints: best.2, microseconds: best.0, heuristicMicroseconds: heuristicTime,
            candidates: screened.count + 1)
        shared.store(entry, for: key)
        try run(best.1, best.2)
        return entry
    }

    /// Entries stored (in memory and on disk) for this process's store.
    public static var storedCount: Int { shared.count }
    /// The file the entries are kept in.
    public static var storePath: String { shared.path }
}

extension Autotune.Key {
    /// Parses `text` (the file's keys); nil for anything malformed.
    init?(text: String) {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, let space = parts[0].lastIndex(of: " "), parts[0][space...].hasPrefix(" sm_"),
            let arch = Int(parts[0][parts[0].index(space, offsetBy: 4)...]), arch > 0, let input = DType(rawValue: parts[1]), let weight = DType(rawValue: parts[2]),
            parts[3].hasPrefix("N="), let n = Int(parts[3].dropFirst(2)), n > 0,
            parts[4].hasPrefix("vec="), let vec = Int(parts[4].dropFirst(4)), vec > 0,
            parts[5].hasPrefix("M<="), let m = Int(parts[5].dropFirst(3)), m > 0
        else { return nil }
        deviceName = String(parts[0][..<space])
        self.arch = arch
        self.input = input
        self.weight = weight
        columns = n
        vectorWidth = vec
        rowClass = m
    }
}
