import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import RMSNorm

/// One line of the peer script's JSON output.
struct PeerMessage: Decodable {
    var type: String
    var method: String?
    var M: Int?
    var N: Int?
    var dtype: String?
    var median_us: Double?
    var min_us: Double?
    var max_us: Double?
    var reps: Int?
    var max_error: Double?
    var late: Int?
    var retimed: Int?
    var enqueue_max_us: Double?
    var p25_us: Double?
    var p75_us: Double?
    var passed: Bool?
    var message: String?
    var torch: String?
    var triton: String?
    var cuda: String?
    var device: String?
    var liger: String?
    var quack: String?
    var numpy: String?
}

extension PeerMessage {
    /// A result message's timing as the report keeps it (median, min, max, repetitions, the paced check, quartiles);
    /// nil without a median.
    var timing: Timing? {
        guard let med = median_us else { return nil }
        var t = Timing(median: med, min: min_us ?? med, max: max_us ?? med, repetitions: reps ?? 0)
        t.late = late
        t.retimed = retimed
        t.enqueueMaxMicroseconds = enqueue_max_us
        t.p25Microseconds = p25_us
        t.p75Microseconds = p75_us
        return t
    }
}

/// Runs `peers/rmsnorm_peers.py` (embedded in the binary) under a Python interpreter.
struct PeerRunner {
    var python: String
    var logPath: String?

    /// The interpreter to use: `--python`, else `python3` on PATH; nil when none runs.
    static func findPython(explicit: String?) -> String? {
        if let explicit { return explicit }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Sends `request` as JSON on stdin; calls `onMessage` for each JSON line as it arrives.
    func run(request: PeerRequest, onMessage: (PeerMessage) -> Void) throws {
        let script = "/tmp/rmsnorm_peers_\(getpid()).py"
        try Data(PackageResources.peers_py).write(to: URL(fileURLWithPath: script))
        defer { try? FileManager.default.removeItem(atPath: script) }
        setenv("PYTHONUNBUFFERED", "1", 1)
        let body = try JSONEncoder().encode(request)
        let decoder = JSONDecoder()
        let status = try runSubprocess(python, [script], input: Array(body), stderrPath: logPath) { line in
            if let message = try? decoder.decode(PeerMessage.self, from: Data(line.utf8)) { onMessage(message) }
        }
        if status != 0 { throw SubprocessError(description: "\(python) exited with status \(status)") }
    }
}

struct PeerShape: Encodable {
    var M: Int
    var N: Int
    var dtype: String
    var reps: Int? = nil
}

/// What the peer script is asked to do (see peers/rmsnorm_peers.py).
struct PeerRequest: Encodable {
    var mode: String
    var eps: Double
    var methods: [String]? = nil
    var reps: Int? = nil
    var graph: Bool? = nil
    var graph_k: Int? = nil
    /// Input sets a small forward shape is timed over (see `GPUBench.placements`).
    var placements: Int? = nil
    var verify: [PeerShape]? = nil
    var shapes: [PeerShape]
    /// "forward" or a variant (see peers/rmsnorm_peers.py).
    var variant: String? = nil
}
