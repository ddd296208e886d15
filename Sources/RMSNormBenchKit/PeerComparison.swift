#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ours against the fastest peer, per suite: the numbers the speed issue is judged by, computed from the
/// rows of one run (the same as the CSV holds).
struct PeerComparison: Equatable {
    var suite: String
    /// Shapes where ours and at least one peer have a time.
    var shapes: Int
    /// Geometric mean of (fastest peer's median ÷ ours'): > 1 means ours is faster.
    var geometricMean: Double
    var worst: Double
    var best: Double
    /// Ours faster by more than 1%.
    var ahead: Int
    /// Within 1% either way (a tie: smaller than run-to-run spread of the same method).
    var ties: Int
    /// The shape with the lowest ratio, e.g. "1021x769:bf16".
    var worstShape: String

    /// Methods that are not competitors: our own same-size copy and the peers' harness copying.
    static let references: Set<String> = ["ours", "copy", "torch_copy"]

    static func summarize(_ rows: [ResultRow]) -> [PeerComparison] {
        var suites: [String] = []
        for r in rows where !suites.contains(r.suite) { suites.append(r.suite) }
        var out: [PeerComparison] = []
        for suite in suites {
            var ratios: [(Double, String)] = []
            var shapes: [String] = []
            var byShape: [String: [ResultRow]] = [:]
            for r in rows where r.suite == suite {
                let key = "\(r.M)x\(r.N):\(r.dtype)"
                if byShape[key] == nil { shapes.append(key) }
                byShape[key, default: []].append(r)
            }
            for key in shapes {
                let group = byShape[key]!
                guard let ours = group.first(where: { $0.method == "ours" }), ours.median_us > 0,
                    let peer = group.filter({ !references.contains($0.method) && $0.median_us > 0 }).map(\.median_us).min()
                else { continue }
                ratios.append((peer / ours.median_us, key))
            }
            guard !ratios.isEmpty else { continue }
            let logs = ratios.map { log($0.0) }.reduce(0, +)
            let worst = ratios.min { $0.0 < $1.0 }!
            out.append(PeerComparison(
                suite: suite, shapes: ratios.count, geometricMean: exp(logs / Double(ratios.count)), worst: worst.0,
                best: ratios.map(\.0).max()!, ahead: ratios.filter { $0.0 > 1.01 }.count,
                ties: ratios.filter { abs($0.0 - 1) <= 0.01 }.count, worstShape: worst.1))
        }
        return out
    }

    var line: String {
        "\(suite): " + format("geometric mean %.3f over %d shapes (range %.2f–%.2f); ahead at %d, tied (±1%%) at %d, behind at %d",
            geometricMean, shapes, worst, best, ahead, ties, shapes - ahead - ties) + "; lowest at \(worstShape)"
    }
}
