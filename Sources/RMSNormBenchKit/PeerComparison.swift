#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ours against the fastest peer, per suite: the numbers the speed issue is judged by, computed from the
/// rows of one run (the same as the CSV and JSON hold).
///
/// A tie: ours and the fastest peer differ by less than the spread of timing ours twice in the run (the two
/// medians of the shape, `median_us` and `repeat_us`), and never by more than 1%. Rows without a repeat (runs
/// with `--no-repeat`, the CPU backend, older reports) fall back to ±1%.
struct PeerComparison: Equatable {
    var suite: String
    /// Shapes where ours and at least one peer have a time.
    var shapes: Int
    /// Geometric mean of (fastest peer's median ÷ ours'): > 1 means ours is faster.
    var geometricMean: Double
    var worst: Double
    var best: Double
    /// Ours faster by more than the shape's tie threshold.
    var ahead: Int
    /// Within the shape's tie threshold either way.
    var ties: Int
    /// The shape with the lowest ratio, e.g. "1021x769:bf16".
    var worstShape: String
    /// The same counts with a fixed ±1% threshold (the rule of the runs before the repeat existed).
    var aheadFixed: Int
    var tiesFixed: Int
    /// The spread of ours timed twice (|first − second| ÷ the faster of the two) over the suite's shapes with a
    /// repeat: median, largest, and where the largest was; nil without repeats.
    var spreadMedian: Double?
    var spreadMax: Double?
    var spreadMaxShape: String?
    /// The geometric mean ours would reach running at exactly our same-size copy's speed (the fastest peer's median ÷
    /// the copy's, over the same shapes): the ceiling a memory-bound kernel has in this run. Nil unless every counted
    /// shape has a copy timing.
    var copyCeiling: Double? = nil

    /// Methods that are not competitors: our own same-size copy and the peers' harness copying.
    static let references: Set<String> = ["ours", "copy", "torch_copy"]

    /// The relative spread of a row of ours timed twice, or nil without a repeat.
    static func spread(_ ours: ResultRow) -> Double? {
        guard let again = ours.repeat_us, again > 0, ours.median_us > 0 else { return nil }
        return abs(ours.median_us - again) / min(ours.median_us, again)
    }

    static func summarize(_ rows: [ResultRow]) -> [PeerComparison] {
        var suites: [String] = []
        for r in rows where !suites.contains(r.suite) { suites.append(r.suite) }
        var out: [PeerComparison] = []
        for suite in suites {
            // (ratio, shape, tie threshold)
            var ratios: [(Double, String, Double)] = []
            var ceilings: [Double] = []  // fastest peer ÷ our copy, where the shape has one
            var spreads: [(Double, String)] = []
            var shapes: [String] = []
            var byShape: [String: [ResultRow]] = [:]
            for r in rows where r.suite == suite {
                let key = "\(r.M)x\(r.N):\(r.dtype)"
                if byShape[key] == nil { shapes.append(key) }
                byShape[key, default: []].append(r)
            }
            for key in shapes {
                let group = byShape[key]!
                guard let ours = group.first(where: { $0.method == "ours" }), ours.median_us > 0 else { continue }
                let s = spread(ours)
                if let s { spreads.append((s, key)) }
                guard let peer = group.filter({ !references.contains($0.method) && $0.median_us > 0 }).map(\.median_us).min()
                else { continue }
                ratios.append((peer / ours.median_us, key, min(0.01, s ?? 0.01)))
                if let copy = group.first(where: { $0.method == "copy" }), copy.median_us > 0 { ceilings.append(peer / copy.median_us) }
            }
            guard !ratios.isEmpty else { continue }
            let logs = ratios.map { log($0.0) }.reduce(0, +)
            let worst = ratios.min { $0.0 < $1.0 }!
            let sorted = spreads.map(\.0).sorted()
            let largest = spreads.max { $0.0 < $1.0 }
            out.append(PeerComparison(
                suite: suite, shapes: ratios.count, geometricMean: exp(logs / Double(ratios.count)), worst: worst.0,
                best: ratios.map(\.0).max()!, ahead: ratios.filter { $0.0 - 1 > $0.2 }.count,
                ties: ratios.filter { abs($0.0 - 1) <= $0.2 }.count, worstShape: worst.1,
                aheadFixed: ratios.filter { $0.0 > 1.01 }.count, tiesFixed: ratios.filter { abs($0.0 - 1) <= 0.01 }.count,
                spreadMedian: sorted.isEmpty ? nil : sorted.count % 2 == 1 ? sorted[sorted.count / 2]
                    : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2,
                spreadMax: largest?.0, spreadMaxShape: largest?.1,
                copyCeiling: ceilings.count == ratios.count ? exp(ceilings.map(log).reduce(0, +) / Double(ceilings.count)) : nil))
        }
        return out
    }

    var line: String {
        let ceiling = copyCeiling.map { format(" [%.3f at our copy's speed]", $0) } ?? ""
        let head = "\(suite): " + format("geometric mean %.3f", geometricMean) + ceiling
            + format(" over %d shapes (range %.2f–%.2f); ", shapes, worst, best)
        guard let spreadMedian, let spreadMax, let spreadMaxShape else {
            return head + format("ahead at %d, tied (±1%%) at %d, behind at %d", ahead, ties, shapes - ahead - ties)
                + "; lowest at \(worstShape)"
        }
        return head + format("ahead at %d, tied at %d, behind at %d (tie: within the spread of ours timed twice, at most 1%%)",
            ahead, ties, shapes - ahead - ties) + "; lowest at \(worstShape)\n    "
            + format("spread of ours timed twice: median %.2f%%, largest %.2f%% at ", 100 * spreadMedian, 100 * spreadMax)
            + spreadMaxShape + format("; with a fixed ±1%%: ahead at %d, tied at %d, behind at %d",
                aheadFixed, tiesFixed, shapes - aheadFixed - tiesFixed)
    }
}
