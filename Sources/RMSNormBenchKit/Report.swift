#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FoundationEssentials

/// One measured (shape, method) pair: a CSV row and a JSON record.
public struct ResultRow: Codable, Sendable {
    public var suite: String
    public var M: Int
    public var N: Int
    public var dtype: String
    public var method: String
    public var median_us: Double
    public var min_us: Double
    public var max_us: Double
    public var reps: Int
    public var gbps: Double
    public var pct_peak: Double
    public var pct_copy: Double
    public var max_error: Double?
    /// Paced runs (see `PacedEnqueue`): late repetitions kept, late ones run again, the slowest kept enqueue
    /// (µs); JSON only.
    public var late: Int? = nil
    public var retimed: Int? = nil
    public var enqueue_max_us: Double? = nil
    /// The first and third quartiles of the repetitions (µs; ``Timing/p25Microseconds``); JSON only.
    public var p25_us: Double? = nil
    public var p75_us: Double? = nil
    /// Ours only: the median of a second timing of the same shape later in the run (fresh operands), whose
    /// difference from `median_us` is the spread that decides ties against the peers (``PeerComparison``); JSON only.
    public var repeat_us: Double? = nil
    /// Ours and our copy: the SM clock (MHz) during the repetitions' holds (``Timing/holdClockMHz``); JSON only.
    public var hold_mhz: Double? = nil
}

public struct VerifyRow: Codable, Sendable {
    public var method: String
    public var shape: String
    public var max_error: Double?
    public var unit: String
    public var passed: Bool
    public var note: String?
}

public struct ReportHeader: Codable, Sendable {
    public var backend: String
    public var device: String
    public var compute_capability: String?
    public var multiprocessors: Int?
    public var l2_bytes: Int?
    public var theoretical_gbps: Double?
    public var copy_gbps: Double
    public var copy_method: String
    public var driver: String?
    public var nvrtc: String?
    public var torch: String?
    public var triton: String?
    public var liger: String?
    public var quack: String?
    public var numpy: String?
    public var timing: String
    public var bytes_formula: String
    public var date: String
    public var gpu_unavailable_reason: String?
    /// Paced runs: the hold's measured duration (µs) and the check of every timing's enqueue against it.
    public var hold_us: Double? = nil
    public var paced_check: String? = nil
}

public struct BenchReport: Codable, Sendable {
    public var header: ReportHeader
    public var verification: [VerifyRow]
    public var results: [ResultRow]
}

enum Output {
    static let csvColumns = "suite,M,N,dtype,method,median_us,min_us,max_us,reps,gbps,pct_peak,pct_copy,max_error"

    static func csv(_ rows: [ResultRow]) -> String {
        var lines = [csvColumns]
        for r in rows {
            let err = r.max_error.map { format("%.4g", $0) } ?? ""
            lines.append(
                "\(r.suite),\(r.M),\(r.N),\(r.dtype),\(r.method),"
                    // Bandwidth to 6 significant digits: a debug build of the CPU path moves a few MB/s at tiny
                    // shapes, which two decimals wrote as 0.
                    + format("%.3f,%.3f,%.3f,%d,%.6g,%.2f,%.2f,", r.median_us, r.min_us, r.max_us, r.reps,
                        r.gbps, r.pct_peak, r.pct_copy) + err)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func write(report: BenchReport, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try csv(report.results).write(toFile: directory + "/benchmark.csv", atomically: true, encoding: .utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(report).write(to: URL(fileURLWithPath: directory + "/benchmark.json"))
        try SVGChart.render(report).write(toFile: directory + "/benchmark.svg", atomically: true, encoding: .utf8)
    }
}

/// GB/s against M (log2 axis), one line per method, one panel per (suite, dtype, N);
/// dashed lines for the theoretical peak and the measured copy limit.
enum SVGChart {
    static let palette: [String: String] = [
        "ours": "#d62728", "copy": "#7f7f7f", "torch_native": "#1f77b4", "torch_compile": "#ff7f0e",
        "torch_unfused": "#8c564b", "triton_simple": "#2ca02c", "liger": "#9467bd", "quack": "#e377c2",
        "numpy": "#17becf", "torch_copy": "#c7c7c7",
    ]
    static let extraColors = ["#bcbd22", "#17becf", "#aec7e8", "#98df8a"]

    static func escape(_ s: String) -> String {
        s.replacing("&", with: "&amp;").replacing("<", with: "&lt;")
            .replacing(">", with: "&gt;").replacing("\"", with: "&quot;")
    }

    static func render(_ report: BenchReport) -> String {
        struct Group: Hashable { var suite: String; var dtype: String; var n: Int }
        var groups: [Group] = []
        var byGroup: [Group: [ResultRow]] = [:]
        for r in report.results {
            let g = Group(suite: r.suite, dtype: r.dtype, n: r.N)
            if byGroup[g] == nil { groups.append(g) }
            byGroup[g, default: []].append(r)
        }
        var methods: [String] = []
        for r in report.results where !methods.contains(r.method) { methods.append(r.method) }
        func color(_ m: String) -> String {
            palette[m] ?? extraColors[(methods.firstIndex(of: m) ?? 0) % extraColors.count]
        }
        let panelW = 440.0, panelH = 300.0, columns = max(1, min(3, groups.count))
        let rows = (groups.count + columns - 1) / columns
        let legendH = 30.0 + 18.0 * Double((methods.count + 2 + 3) / 4)
        let titleH = 56.0
        let width = Double(columns) * panelW + 20
        let height = titleH + Double(rows) * panelH + legendH + 10
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="24" text-anchor="middle" font-size="18" font-weight="bold">RMSNorm forward: \
            \(escape(report.header.device))</text>
            <text x="\(width / 2)" y="44" text-anchor="middle" font-size="12" fill="#444">GB/s = (read x + read weight + \
            write y) / median time; \(escape(report.header.timing))</text>

            """
        let peak = report.header.theoretical_gbps
        let copyLimit = report.header.copy_gbps
        for (index, g) in groups.enumerated() {
            let ox = 10 + Double(index % columns) * panelW
            let oy = titleH + Double(index / columns) * panelH
            let left = ox + 58, right = ox + panelW - 16, top = oy + 28, bottom = oy + panelH - 44
            let rowsInGroup = byGroup[g]!
            let ms = Set(rowsInGroup.map(\.M)).sorted()
            let lo = log2(Double(ms.first!)), hi = log2(Double(ms.last!))
            let span = max(hi - lo, 1)
            let yMaxData = rowsInGroup.map(\.gbps).max() ?? 1
            let yMax = niceCeiling(max(yMaxData, peak ?? 0, copyLimit) * 1.05)
            func px(_ m: Int) -> Double {
                ms.count == 1 ? (left + right) / 2 : left + (log2(Double(m)) - lo) / span * (right - left)
            }
            func py(_ v: Double) -> Double { bottom - v / yMax * (bottom - top) }
            s += "<g>\n<text x=\"\((left + right) / 2)\" y=\"\(oy + 18)\" text-anchor=\"middle\" font-size=\"13\" "
                + "font-weight=\"bold\">\(escape(g.suite)): \(escape(g.dtype)), N = \(g.n)</text>\n"
            s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(right - left)\" height=\"\(bottom - top)\" fill=\"none\" stroke=\"#999\"/>\n"
            for i in 0...4 {
                let v = yMax * Double(i) / 4
                s += "<line x1=\"\(left)\" x2=\"\(right)\" y1=\"\(py(v))\" y2=\"\(py(v))\" stroke=\"#eee\"/>"
                s += "<text x=\"\(left - 6)\" y=\"\(py(v) + 4)\" text-anchor=\"end\" font-size=\"10\">\(Int(v))</text>\n"
            }
            for m in ms {
                s += "<text x=\"\(px(m))\" y=\"\(bottom + 14)\" text-anchor=\"middle\" font-size=\"9\">\(compactCount(m))</text>\n"
            }
            s += "<text x=\"\((left + right) / 2)\" y=\"\(bottom + 30)\" text-anchor=\"middle\" font-size=\"11\">M (rows, log₂ scale)</text>\n"
            s += "<text x=\"\(ox + 14)\" y=\"\((top + bottom) / 2)\" text-anchor=\"middle\" font-size=\"11\" "
                + "transform=\"rotate(-90 \(ox + 14) \((top + bottom) / 2))\">GB/s</text>\n"
            if let peak {
                s += "<line x1=\"\(left)\" x2=\"\(right)\" y1=\"\(py(peak))\" y2=\"\(py(peak))\" stroke=\"#000\" stroke-dasharray=\"6 4\"/>\n"
            }
            s += "<line x1=\"\(left)\" x2=\"\(right)\" y1=\"\(py(copyLimit))\" y2=\"\(py(copyLimit))\" stroke=\"#7f7f7f\" stroke-dasharray=\"2 3\"/>\n"
            for method in methods {
                let pts = rowsInGroup.filter { $0.method == method }.sorted { $0.M < $1.M }
                guard !pts.isEmpty else { continue }
                let c = color(method)
                let widthAttr = method == "ours" ? "3" : "1.6"
                let dash = method == "copy" ? " stroke-dasharray=\"5 3\"" : ""
                let path = pts.map { "\(px($0.M)),\(py($0.gbps))" }.joined(separator: " ")
                s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(c)\" stroke-width=\"\(widthAttr)\"\(dash)>"
                    + "<title>\(escape(method))</title></polyline>\n"
                for p in pts {
                    s += "<circle cx=\"\(px(p.M))\" cy=\"\(py(p.gbps))\" r=\"2.5\" fill=\"\(c)\">"
                        + "<title>\(escape(method)) M=\(p.M): \(format("%.0f", p.gbps)) GB/s</title></circle>\n"
                }
            }
            s += "</g>\n"
        }
        // Legend
        var lx = 20.0, ly = titleH + Double(rows) * panelH + 24
        var entries = methods.map { ($0, color($0), $0 == "copy" ? "5 3" : "") }
        if let peak { entries.append((format("theoretical peak %.0f GB/s", peak), "#000", "6 4")) }
        entries.append((report.header.copy_method + format(" %.0f GB/s", copyLimit), "#7f7f7f", "2 3"))
        for (i, e) in entries.enumerated() {
            if i > 0 && i % 4 == 0 { lx = 20; ly += 18 }
            let dash = e.2.isEmpty ? "" : " stroke-dasharray=\"\(e.2)\""
            s += "<line x1=\"\(lx)\" x2=\"\(lx + 24)\" y1=\"\(ly - 4)\" y2=\"\(ly - 4)\" stroke=\"\(e.1)\" stroke-width=\"\(e.0 == "ours" ? 3 : 2)\"\(dash)/>"
            s += "<text x=\"\(lx + 30)\" y=\"\(ly)\" font-size=\"12\">\(escape(e.0))</text>\n"
            lx += width / 4 - 5
        }
        s += "</svg>\n"
        return s
    }

    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        let p = pow(10, floor(log10(v)))
        for m in [1.0, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10] where m * p >= v { return m * p }
        return 10 * p
    }

    static func compactCount(_ m: Int) -> String {
        if m >= 1 << 20 && m % (1 << 20) == 0 { return "\(m >> 20)Mi" }
        if m >= 1024 && m % 1024 == 0 { return "\(m >> 10)Ki" }
        return "\(m)"
    }
}
