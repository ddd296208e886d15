#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RMSNorm

/// One benchmark shape: M rows × N columns of `dtype` (weight of the same type).
public struct BenchShape: Hashable, Sendable, Codable, CustomStringConvertible {
    public var suite: String
    public var rows: Int
    public var columns: Int
    public var dtype: String

    public init(suite: String, rows: Int, columns: Int, dtype: DType) {
        self.suite = suite
        self.rows = rows
        self.columns = columns
        self.dtype = dtype.rawValue
    }

    public var type: DType { DType(rawValue: dtype)! }
    /// Bytes moved by one forward call: read x, read the weight, write y.
    public var bytes: Int { 2 * rows * columns * type.size + columns * type.size }
    public var description: String { "\(rows)x\(columns):\(dtype)" }
}

public enum Suites {
    public static let names = ["seed", "llm", "all"]

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

    public static func shapes(suite: String) throws(BenchOptionError) -> [BenchShape] {
        switch suite {
        case "seed": return seed
        case "llm": return llm
        case "all": return seed + llm
        default: throw BenchOptionError("unknown suite '\(suite)'; choose one of: seed, llm, all")
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

    public init(samples: [Double]) {
        let s = samples.sorted()
        let n = s.count
        precondition(n > 0)
        medianMicroseconds = n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2])
        minMicroseconds = s[0]
        maxMicroseconds = s[n - 1]
        repetitions = n
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
