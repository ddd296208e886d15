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

    @Test func noPeersNoSummary() {
        #expect(PeerComparison.summarize([row("seed", 1, "ours", 5), row("seed", 1, "copy", 4)]).isEmpty)
    }

    /// Cube root, for the geometric mean of three ratios.
    func pow3(_ x: Double) -> Double { exp(log(x) / 3) }
}
