#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RMSNorm

/// Which operation a benchmark run times (`--variant`).
public enum BenchVariant: String, CaseIterable, Sendable, Codable {
    case forward, add, gemma, llama, fp8, addFP8 = "add-fp8", backward
    /// The fused add's backward: the gradient of h = x + residual (dx, the same for x and the residual) from h, the
    /// forward's rstd, dy and the gradient arriving at the new residual (dres), and dw.
    case addBackward = "add-backward"

    /// Bytes one call must move (read + written), the GB/s numerator; s = element size, M·N elements.
    public func bytes(rows m: Int, columns n: Int, size s: Int) -> Int {
        switch self {
        case .forward, .gemma, .llama: return 2 * m * n * s + n * s            // x, weight → y
        case .add: return 4 * m * n * s + n * s                                // x, residual, weight → h, y
        case .fp8: return m * n * s + m * n + n * s                            // x, weight → y (1 byte)
        case .addFP8: return 3 * m * n * s + m * n + n * s                     // x, residual, weight → h, y (1 byte)
        case .backward: return 3 * m * n * s + 2 * n * s + 4 * m               // x, dy, weight, rstd → dx, dw
        case .addBackward: return 4 * m * n * s + 2 * n * s + 4 * m            // h, dy, dres, weight, rstd → dx, dw
        }
    }

    public var formula: String {
        switch self {
        case .forward, .gemma, .llama: return "bytes = read x (M·N·size) + read weight (N·size) + write y (M·N·size)"
        case .add: return "bytes = read x and residual (2·M·N·size) + read weight (N·size) + write h and y (2·M·N·size)"
        case .fp8: return "bytes = read x (M·N·size) + read weight (N·size) + write y in fp8 (M·N·1)"
        case .addFP8: return "bytes = read x and residual (2·M·N·size) + read weight + write h (M·N·size) + write y in fp8 (M·N·1)"
        case .backward:
            return "bytes = read x and dy (2·M·N·size) + read weight (N·size) + read rstd (M·4) + write dx (M·N·size) + write dw (N·size)"
        case .addBackward:
            return "bytes = read h, dy and dres (3·M·N·size) + read weight (N·size) + read rstd (M·4) + write dx (M·N·size) + write dw (N·size)"
        }
    }

    /// The unit of ours' error in the verification table, where it is not the forward's rel / ulp.
    public var errorUnit: String? {
        switch self {
        case .backward, .addBackward: return "×tol"
        case .fp8, .addFP8: return "e4m3 ulp"
        default: return nil
        }
    }

    /// The rule ours is checked by (peers: max |out − ref| / max |ref|, reported, not judged, for variants).
    public var toleranceText: String {
        switch self {
        case .forward, .gemma, .add: return "fp32: rel ≤ 1e-5, fp16/bf16: ≤ 1 ulp"
        case .llama: return "≤ 1 ulp of the mode's result for rstd within 1e-5"
        case .fp8, .addFP8: return "≤ 1 step of the e4m3 grid"
        case .backward, .addBackward: return "|err| ≤ 1e-5·(|ref| + cancelling terms) + 1 rounding step: ×tol ≤ 1"
        }
    }

    /// The peers that have this operation.
    public var peers: [String] {
        switch self {
        case .forward: return ["torch_native", "torch_compile", "torch_unfused", "triton_simple", "liger", "quack"]
        case .add, .gemma, .llama, .backward, .addBackward: return ["torch_native", "torch_compile", "liger"]
        case .fp8, .addFP8: return ["torch_native", "torch_compile"]
        }
    }

    /// The casting-mode and offset options of ours for this operation (the peers' definitions).
    public var options: RMSNormOptions {
        switch self {
        case .gemma: return .gemma()
        case .llama: return RMSNormOptions(casting: .llama)
        default: return RMSNormOptions()
        }
    }
}

/// One benchmark shape: M rows × N columns of `dtype` (weight of the same type).
public struct BenchShape: Hashable, Sendable, Codable, CustomStringConvertible {
    public var suite: String
    public var rows: Int
    public var columns: Int
    public var dtype: String
    public var variant: BenchVariant = .forward

    public init(suite: String, rows: Int, columns: Int, dtype: DType) {
        self.suite = suite
        self.rows = rows
        self.columns = columns
        self.dtype = dtype.rawValue
    }

    public var type: DType { DType(rawValue: dtype)! }
    /// Bytes moved by one call of the shape's variant (forward: read x, read the weight, write y).
    public var bytes: Int { variant.bytes(rows: rows, columns: columns, size: type.size) }
    public var description: String { "\(rows)x\(columns):\(dtype)" }

    /// The shape timing `variant` (its suite named "suite/variant"); the forward leaves it as it is.
    public func `as`(_ variant: BenchVariant) -> BenchShape {
        guard variant != .forward else { return self }
        var s = self
        s.variant = variant
        s.suite += "/" + variant.rawValue
        return s
    }
}

public enum Suites {
    public static let names = ["seed", "llm", "awkward", "all"]

    /// The original study's sweep: fp32, N = 128, M = 1,024 … 1,048,576.
    public static var seed: [BenchShape] {
        (10...20).map { BenchShape(suite: "seed", rows: 1 << $0, columns: 128, dtype: .float32) }
    }

    /// Hidden sizes of real models in bf16 over decode-to-prefill M, plus fp16 and fp32 at 4096.
    public static var llm: [BenchShape] {
        let ms = [1, 16, 256, 4096, 16384, 65536]
        var list: [BenchShape] = []
        for n in [2048, 4096, 5120, 7168, 8192, 16384] {
            for m in ms { list.append(.init(suite: "llm", rows: m, columns: n, dtype: .bfloat16)) }
        }
        for dtype in [DType.float16, .float32] {
            for m in ms { list.append(.init(suite: "llm", rows: m, columns: 4096, dtype: dtype)) }
        }
        return list
    }

    /// Shapes that defeat power-of-two layouts: odd N (96, 769, 1000, 5120, 11008), huge N (65,536,
    /// 262,144), prime and odd M.
    public static var awkward: [BenchShape] {
        let list: [(Int, Int, DType)] = [
            (65535, 96, .float32), (4096, 769, .float32), (4096, 1000, .float32), (199, 1000, .float16),
            (7, 7168, .bfloat16), (3000, 7168, .bfloat16), (4093, 5120, .bfloat16), (4096, 11008, .bfloat16),
            (8191, 4096, .bfloat16), (1021, 769, .bfloat16), (512, 65536, .float32), (64, 262144, .float32),
            (1, 262144, .float32),
        ]
        return list.map { BenchShape(suite: "awkward", rows: $0.0, columns: $0.1, dtype: $0.2) }
    }

    public static func shapes(suite: String) throws(BenchOptionError) -> [BenchShape] {
        switch suite {
        case "seed": return seed
        case "llm": return llm
        case "awkward": return awkward
        case "all": return seed + llm + awkward
        default: throw BenchOptionError("unknown suite '\(suite)'; choose one of: seed, llm, awkward, all")
        }
    }

    /// Parses `4096x7168:bf16,1x4096:fp16,...` (dtype optional, default `defaultType`).
    public static func parse(_ text: String, defaultType: DType) throws(BenchOptionError) -> [BenchShape] {
        var list: [BenchShape] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let part = item.trimmingCharacters(in: " ")
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let dims = pieces.first else {
                throw BenchOptionError("malformed shape '\(part)'; write MxN or MxN:dtype, e.g. 4096x7168:bf16")
            }
            let mn = dims.lowercased().split(separator: "x", omittingEmptySubsequences: false)
            guard mn.count == 2, let m = Int(mn[0]), let n = Int(mn[1]) else {
                throw BenchOptionError("malformed shape '\(part)'; write MxN or MxN:dtype, e.g. 4096x7168:bf16")
            }
            guard m > 0, n > 0 else {
                throw BenchOptionError("shape '\(part)': M and N must both be at least 1")
            }
            guard m <= 1 << 31, n <= 1 << 30, m.multipliedReportingOverflow(by: n).overflow == false,
                m * n <= 1 << 40
            else {
                throw BenchOptionError("shape '\(part)' is too large to benchmark")
            }
            var dtype = defaultType
            if pieces.count == 2 {
                guard let d = DType(parsing: String(pieces[1])) else {
                    throw BenchOptionError("shape '\(part)': unknown dtype '\(pieces[1])'; use fp32, fp16 or bf16")
                }
                dtype = d
            }
            list.append(BenchShape(suite: "custom", rows: m, columns: n, dtype: dtype))
        }
        return list
    }
}

/// A bad command-line option: the message says what is wrong and what to write instead.
public struct BenchOptionError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ message: String) { description = message }
}

extension StringProtocol {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}

/// Median, min and max of repeated timings (microseconds).
public struct Timing: Sendable, Codable, Equatable {
    public var medianMicroseconds: Double
    public var minMicroseconds: Double
    public var maxMicroseconds: Double
    public var repetitions: Int
    /// Paced runs only (`PacedEnqueue`): late repetitions kept, late ones run again, and the slowest kept
    /// enqueue (µs). nil when not paced.
    public var late: Int? = nil
    public var retimed: Int? = nil
    public var enqueueMaxMicroseconds: Double? = nil
    /// The first and third quartiles of the samples (µs; linear between the closest ranks, as numpy's default):
    /// whether a median's move is the whole distribution shifting or a mixture of two states changing weight
    /// (the 1–256-row state of session 32). nil where only a summary was given.
    public var p25Microseconds: Double? = nil
    public var p75Microseconds: Double? = nil
    /// The SM clock (MHz) while the repetitions waited in their hold: the hold's cycles over the median time between
    /// an event before it and the start event (`GPUTimer`, ours only; nil without a hold). The few-row medians of a
    /// process (session 38) are checked against it.
    public var holdClockMHz: Double? = nil

    public init(samples: [Double]) {
        let s = samples.sorted()
        let n = s.count
        precondition(n > 0)
        medianMicroseconds = n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2])
        minMicroseconds = s[0]
        maxMicroseconds = s[n - 1]
        repetitions = n
        p25Microseconds = Self.quantile(s, 0.25)
        p75Microseconds = Self.quantile(s, 0.75)
    }

    /// The `q` quantile of sorted `s`, linear between the closest ranks (position q · (n − 1)).
    static func quantile(_ s: [Double], _ q: Double) -> Double {
        let position = q * Double(s.count - 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, s.count - 1)
        return s[below] + (s[above] - s[below]) * (position - Double(below))
    }

    public init(median: Double, min: Double, max: Double, repetitions: Int) {
        medianMicroseconds = median
        minMicroseconds = min
        maxMicroseconds = max
        self.repetitions = repetitions
    }

    /// GB/s for `bytes` moved at the median time.
    public func gigabytesPerSecond(bytes: Int) -> Double { Double(bytes) / (medianMicroseconds * 1e-6) / 1e9 }
}

/// A paced run's check that every timed call was enqueued while the hold still ran: the host's time from the
/// flush's end to the end event's record, per repetition, against a budget of 3/4 of the hold. A late
/// repetition may have timed host time (the GPU idle between the start event and the call), so it is run
/// again while retries last; one kept late (retries used up) is counted as such, and the report names every
/// timing that had one. peers.py counts the same way.
public struct PacedEnqueue: Sendable, Equatable {
    public var budgetMicroseconds: Double
    /// Late repetitions run again.
    public private(set) var retimed = 0
    /// Late repetitions kept (no retry left).
    public private(set) var keptLate = 0
    /// The slowest enqueue among the kept repetitions (µs).
    public private(set) var maxMicroseconds = 0.0

    public init(budgetMicroseconds: Double) { self.budgetMicroseconds = budgetMicroseconds }

    /// Whether a repetition whose enqueue took `microseconds` is kept: yes if on time, or if late with no
    /// retry left.
    public mutating func admit(_ microseconds: Double, retriesLeft: Bool) -> Bool {
        let late = microseconds > budgetMicroseconds
        if late && retriesLeft {
            retimed += 1
            return false
        }
        if late { keptLate += 1 }
        maxMicroseconds = max(maxMicroseconds, microseconds)
        return true
    }

    public func record(in timing: inout Timing) {
        timing.late = keptLate
        timing.retimed = retimed
        timing.enqueueMaxMicroseconds = maxMicroseconds
    }
}

/// The report's line on a paced run's enqueue check over every timing (ours, the copy, each peer).
public enum PacedCheck {
    public static func summary(_ rows: [ResultRow], holdMicroseconds: Double) -> String {
        let checked = rows.filter { $0.late != nil }
        guard let slowest = checked.max(by: { ($0.enqueue_max_us ?? 0) < ($1.enqueue_max_us ?? 0) }) else {
            return "no timing reported its enqueue"
        }
        func name(_ r: ResultRow) -> String { "\(r.method) at \(r.M)x\(r.N):\(r.dtype)" }
        let unchecked = rows.count - checked.count
        let retimed = checked.reduce(0) { $0 + ($1.retimed ?? 0) }
        var text = format("%d timings checked against the %.0f µs hold; slowest kept enqueue %.0f µs",
            checked.count, holdMicroseconds, slowest.enqueue_max_us ?? 0) + " (\(name(slowest)))"
        if unchecked > 0 { text += "; \(unchecked) timings not checked (no enqueue report)" }
        if retimed > 0 {
            let worst = checked.filter { ($0.retimed ?? 0) > 0 }.sorted { ($0.retimed ?? 0) > ($1.retimed ?? 0) }.prefix(5)
            text += "; \(retimed) late repetitions run again (most: "
                + worst.map { "\(name($0)) \($0.retimed!)" }.joined(separator: ", ") + ")"
        }
        let late = checked.filter { ($0.late ?? 0) > 0 }
        if late.isEmpty { return text + "; no late repetition kept" }
        return text + "; LATE, kept with no retry left (enqueue > 3/4 of the hold, host time may be timed): "
            + late.map { "\(name($0)) \($0.late!)/\($0.reps)" }.joined(separator: ", ")
    }
}
