import Foundation
import Testing
@testable import RMSNormBenchKit

/// The per-suite summary of ours against the fastest peer.
@Suite struct PeerComparisonTests {
    func row(_ suite: String, _ m: Int, _ method: String, _ us: Double) -> ResultRow {
        ResultRow(suite: suite, M: m, N: 4096, dtype: "bf16", method: method, median_us: us, min_us: us, max_us: us,
            reps: 50, gbps: 1, pct_peak: 1, pct_copy: 1, max_error: nil)
    }

    @Test func ratiosUseTheFastestPeerAndIgnoreCopies() {
        let rows = [
            // ours 2× faster than the fastest peer; the copies, faster still, are references, not peers.
            row("llm", 1, "ours", 5), row("llm", 1, "copy", 1), row("llm", 1, "torch_copy", 1),
            row("llm", 1, "triton_simple", 10), row("llm", 1, "liger", 20),
            // ours half as fast.
            row("llm", 16, "ours", 10), row("llm", 16, "torch_compile", 5),
            // a tie (0.5%).
            row("llm", 256, "ours", 10), row("llm", 256, "torch_native", 10.05),
            // no peer: not counted.
            row("llm", 4096, "ours", 10), row("llm", 4096, "copy", 9),
            row("awkward", 7, "ours", 4), row("awkward", 7, "numpy", 8),
        ]
        let c = PeerComparison.summarize(rows)
        #expect(c.map(\.suite) == ["llm", "awkward"])
        #expect(c[0].shapes == 3 && c[0].ahead == 1 && c[0].ties == 1)
        #expect(abs(c[0].geometricMean - pow3(2.0 * 0.5 * 1.005)) < 1e-12)
        #expect(c[0].worst == 0.5 && c[0].best == 2 && c[0].worstShape == "16x4096:bf16")
        #expect(c[1].geometricMean == 2 && c[1].shapes == 1)
        #expect(c[0].line.contains("ahead at 1, tied (±1%) at 1, behind at 1"))
    }

    /// With ours timed twice, a tie is a difference within that shape's spread, and never more than 1%.
    @Test func tiesFollowTheSpreadOfOursTimedTwice() {
        func ours(_ m: Int, _ first: Double, _ second: Double) -> ResultRow {
            var r = row("llm", m, "ours", first)
            r.repeat_us = second
            return r
        }
        let rows = [
            // spread 0.2%, ours 0.5% ahead: ahead (a tie under a fixed ±1%).
            ours(1, 10, 10.02), row("llm", 1, "liger", 10.05),
            // spread 5%, ours 0.5% behind: a tie.
            ours(16, 10, 10.5), row("llm", 16, "triton_simple", 9.95),
            // spread 3%, ours 2% behind: behind (never a tie beyond 1%).
            ours(256, 10, 10.3), row("llm", 256, "torch_compile", 9.8),
            // spread 1.01%, ours 0.8% ahead: a tie (the threshold is capped at 1%).
            ours(4096, 10, 9.9), row("llm", 4096, "liger", 10.08),
        ]
        #expect(abs(PeerComparison.spread(rows[0])! - 0.002) < 1e-12)
        #expect(PeerComparison.spread(row("llm", 1, "ours", 10)) == nil)
        let c = PeerComparison.summarize(rows)
        #expect(c.count == 1)
        #expect(c[0].ahead == 1 && c[0].ties == 2)
        #expect(c[0].aheadFixed == 0 && c[0].tiesFixed == 3)
        #expect(abs(c[0].spreadMedian! - (0.1 / 9.9 + 0.03) / 2) < 1e-12)
        #expect(c[0].spreadMax == 0.05 && c[0].spreadMaxShape == "16x4096:bf16")
        #expect(c[0].line.contains("ahead at 1, tied at 2, behind at 1 (tie: within the spread of ours timed twice"))
        #expect(c[0].line.contains("median 2.01%, largest 5.00% at 16x4096:bf16; with a fixed ±1%: ahead at 0, tied at 3, behind at 1"))
    }

    /// The ceiling: what the geometric mean would be with ours at exactly our copy's speed, only where every counted
    /// shape has a copy.
    @Test func copyCeilingNeedsACopyAtEveryShape() {
        let rows = [
            row("llm", 1, "ours", 5), row("llm", 1, "copy", 4), row("llm", 1, "liger", 4.4),
            row("llm", 16, "ours", 10), row("llm", 16, "copy", 10), row("llm", 16, "torch_compile", 10),
            row("seed", 1, "ours", 5), row("seed", 1, "copy", 4), row("seed", 1, "liger", 4.4),
            row("seed", 16, "ours", 10), row("seed", 16, "torch_compile", 10),
        ]
        let c = PeerComparison.summarize(rows)
        #expect(abs(c[0].copyCeiling! - (1.1 * 1.0).squareRoot()) < 1e-12)
        #expect(c[0].line.hasPrefix("llm: geometric mean 0.938 [1.049 at our copy's speed] over 2 shapes"))
        #expect(c[1].copyCeiling == nil && c[1].line.hasPrefix("seed: geometric mean 0.938 over 2 shapes"))
    }

    @Test func noPeersNoSummary() {
        #expect(PeerComparison.summarize([row("seed", 1, "ours", 5), row("seed", 1, "copy", 4)]).isEmpty)
    }

    /// Cube root, for the geometric mean of three ratios.
    func pow3(_ x: Double) -> Double { exp(log(x) / 3) }
}
