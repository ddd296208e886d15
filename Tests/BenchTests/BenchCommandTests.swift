import ArgumentParser
import Foundation
import FoundationXML
import Testing
@testable import RMSNormBenchKit
@testable import RMSNorm

func scratchFolder() -> String {
    let path = NSTemporaryDirectory() + "rmsnorm-bench-test-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct ShapeParsingTests {
    /// The kernel-cache line reports disk hits also when nothing was compiled (a C-vararg typing slip
    /// once printed "0 compiled … 0 loaded from disk" for a run served entirely from disk).
    @Test func kernelCacheLineCounts() {
        var stats = KernelCacheStatistics()
        stats.diskHits = 15
        #expect(kernelCacheLine(stats, directory: "/c") == "Kernel cache: 0 compiled (0.00 s in NVRTC, 0 ms each), 15 loaded from disk (/c)")
        stats.compiles = 4
        stats.compileSeconds = 2
        stats.diskHits = 3
        #expect(kernelCacheLine(stats, directory: "/c") == "Kernel cache: 4 compiled (2.00 s in NVRTC, 500 ms each), 3 loaded from disk (/c)")
    }

    @Test func customShapes() throws {
        let s = try Suites.parse("4096x7168:bf16,1x4096:fp16, 7X3", defaultType: .float32)
        #expect(s.map(\.description) == ["4096x7168:bf16", "1x4096:fp16", "7x3:fp32"])
        #expect(s[0].bytes == 2 * 4096 * 7168 * 2 + 7168 * 2)
    }

    @Test(arguments: ["4096", "4096x", "x7", "0x5", "5x0", "-1x4", "3x4:int8", "3x4:bf16:x", "axb", "", "1x4,,2x2"])
    func malformedShapesAreRefused(text: String) {
        #expect(throws: BenchOptionError.self) { try Suites.parse(text, defaultType: .float32) }
    }

    @Test func suites() throws {
        #expect(Suites.seed.count == 11 && Suites.seed.first?.rows == 1024 && Suites.seed.last?.rows == 1_048_576)
        #expect(Suites.llm.count == 48)
        #expect(Set(Suites.llm.map(\.columns)) == [2048, 4096, 5120, 7168, 8192, 16384])
        #expect(try Suites.shapes(suite: "all").count == 72)
        #expect(try Suites.shapes(suite: "awkward").count == 13)
        #expect(throws: BenchOptionError.self) { try Suites.shapes(suite: "nope") }
    }
}

@Suite struct OptionTests {
    @Test func defaults() throws {
        let o = try BenchOptions.parse([])
        #expect(o.suite == "all" && o.reps == 50 && o.output == "outputs" && !o.graph && !o.noPeers && !o.pdl)
        let pdl = try BenchOptions.parse(["--graph", "--pdl"])
        #expect(pdl.graph && pdl.pdl)
        let variantGraph = try BenchOptions.parse(["--graph", "--variant", "add", "--no-peers"])
        #expect(variantGraph.graph && variantGraph.benchVariant == .add)
    }

    @Test(arguments: [
        (["--dtype", "int8"], "unknown dtype"),
        (["--suite", "huge"], "unknown suite"),
        (["--shapes", "12x"], "malformed shape"),
        (["--shapes", "0x12"], "at least 1"),
        (["--methods", "ours,magic"], "unknown method"),
        (["--reps", "0"], "--reps"),
        (["--autotune", "--variant", "backward"], "tunes the forward only"),
        (["--graph", "--variant", "add"], "times ours only"),
    ])
    func badOptionsGiveAClearMessage(arguments: [String], message: String) {
        do {
            _ = try BenchOptions.parse(arguments)
            Issue.record("accepted \(arguments)")
        } catch {
            let text = BenchOptions.message(for: error)
            #expect(text.contains(message), "\(arguments): \(text)")
        }
    }

    @Test func dtypeFiltersSuites() throws {
        let o = try BenchOptions.parse(["--suite", "llm", "--dtype", "fp16"])
        let shapes = try o.resolvedShapes()
        #expect(shapes.count == 6 && shapes.allSatisfy { $0.type == .float16 })
    }
}

/// The whole command on the CPU backend (CI has no GPU), into a scratch folder.
@Suite(.serialized) struct EndToEndTests {
    func run(_ arguments: [String]) throws -> String {
        let folder = scratchFolder()
        var command = try RMSNormBench.parseAsRoot(arguments + ["--output", folder])
        try command.run()
        return folder
    }

    @Test func cpuRunWritesCSVJSONAndSVG() throws {
        let folder = try run(["run", "--cpu", "--no-peers", "--shapes", "64x128,8x96:bf16,3x1000:fp16", "--reps", "3"])
        let csv = try String(contentsOfFile: folder + "/benchmark.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.first.map(String.init) == Output.csvColumns)
        #expect(lines.count == 4, "\(csv)")
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(cells.count == 13)
            #expect(cells[4] == "ours")
            #expect((Double(cells[9]) ?? 0) > 0, "GB/s must be positive: \(line)")
        }
        let report = try JSONDecoder().decode(BenchReport.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/benchmark.json")))
        #expect(report.header.backend == "cpu")
        #expect(report.results.count == 3)
        #expect(report.verification.allSatisfy(\.passed) && report.verification.count >= 5)
        #expect(report.header.bytes_formula.contains("read x"))
        try checkSVG(folder + "/benchmark.svg", methods: ["ours"])
    }

    /// `--variant` on the CPU times that variant (its bytes formula, its suite label) and verifies it against the
    /// fp64 reference through the conformance checks; no numpy peer (it has the forward only).
    @Test(arguments: BenchVariant.allCases.filter { $0 != .forward })
    func cpuRunTimesTheVariant(variant: BenchVariant) throws {
        let folder = try run(["run", "--cpu", "--variant", variant.rawValue, "--shapes", "16x256:bf16,3x1000:fp16", "--reps", "3"])
        let report = try JSONDecoder().decode(BenchReport.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/benchmark.json")))
        #expect(report.header.bytes_formula == variant.formula)
        #expect(report.results.count == 2 && report.results.allSatisfy { $0.method == "ours" && $0.suite == "custom/" + variant.rawValue })
        for r in report.results {
            let bytes = Double(variant.bytes(rows: r.M, columns: r.N, size: r.dtype == "fp32" ? 4 : 2))
            #expect(abs(r.gbps - bytes / (r.median_us * 1e3)) <= 1e-3 * r.gbps, "\(r)")
        }
        #expect(report.verification.count >= 5 && report.verification.allSatisfy(\.passed), "\(report.verification)")
        if let unit = variant.errorUnit { #expect(report.verification.allSatisfy { $0.unit == unit }) }
    }

    @Test(.enabled(if: numpyAvailable()))
    func cpuRunWithTheNumpyPeer() throws {
        let folder = try run(["run", "--cpu", "--shapes", "256x128,16x64", "--reps", "3"])
        let report = try JSONDecoder().decode(BenchReport.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/benchmark.json")))
        #expect(Set(report.results.map(\.method)) == ["ours", "numpy"])
        #expect(report.header.numpy != nil)
        try checkSVG(folder + "/benchmark.svg", methods: ["ours", "numpy"])
    }

    @Test func badShapeStopsTheRun() {
        #expect(throws: (any Error).self) { try RMSNormBench.parseAsRoot(["run", "--shapes", "5x"]) }
        #expect(throws: (any Error).self) { try RMSNormBench.parseAsRoot(["run", "--suite", "x"]) }
    }

    @Test func verifyWithoutAGPUFailsClearly() throws {
        guard cudaUnavailableReason() != nil else { return }
        var command = try RMSNormBench.parseAsRoot(["verify", "--quick"])
        #expect(throws: ExitCode.self) { try command.run() }
    }

    /// Well-formed XML, one polyline per method per panel, a legend entry for each method.
    func checkSVG(_ path: String, methods: [String]) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let parser = XMLParser(data: data)
        #expect(parser.parse(), "SVG is not well-formed: \(String(describing: parser.parserError))")
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix("<svg"))
        for m in methods {
            #expect(text.contains("<title>\(m)</title></polyline>"), "no line for \(m)")
            #expect(text.contains(">\(m)</text>"), "no legend entry for \(m)")
        }
        #expect(text.contains("512 MiB memcpy") || text.contains("copy"))
    }
}

func numpyAvailable() -> Bool {
    guard let python = PeerRunner.findPython(explicit: nil) else { return false }
    let status = try? runSubprocess(python, ["-c", "import numpy"], input: [], stderrPath: nil) { _ in }
    return status == 0
}

@Suite struct SVGTests {
    @Test func escapesAndScales() {
        #expect(SVGChart.escape("a<b>&\"") == "a&lt;b&gt;&amp;&quot;")
        #expect(SVGChart.niceCeiling(2870) == 3000)
        #expect(SVGChart.niceCeiling(3352 * 1.05) == 4000)
        #expect(SVGChart.compactCount(1_048_576) == "1Mi" && SVGChart.compactCount(4096) == "4Ki" && SVGChart.compactCount(199) == "199")
    }
}

@Suite struct BenchEnvironmentTests {
    func check(_ env: [String: String]) throws(BenchOptionError) {
        try BenchEnvironment.validate { env[$0] }
    }

    @Test func unsetAndDocumentedValuesPass() throws {
        try check([:])
        try check(["RMSNORM_BENCH_HOLD": "0", "RMSNORM_BENCH_PLACEMENTS": "1", "RMSNORM_BENCH_EPS": "0",
                   "RMSNORM_BENCH_STATE": "readback", "RMSNORM_BENCH_COPY": "kernel", "RMSNORM_BENCH_STREAM": "created",
                   "RMSNORM_BENCH_Y": "sets", "RMSNORM_BENCH_DATA": "host", "RMSNORM_BENCH_RECOMPUTE": "1",
                   "RMSNORM_BENCH_GRAPH_PREPASS": "0", "RMSNORM_BENCH_POOL": "1", "RMSNORM_BENCH_NEW_FLUSH": "1"])
        try check(["RMSNORM_BENCH_HOLD": "400000", "RMSNORM_BENCH_EPS": "1e-6", "RMSNORM_BENCH_PLACEMENTS": "64"])
        #expect(BenchEnvironment.holdCycles(parsing: "123") == 123)
        #expect(BenchEnvironment.defaultHoldCycles == 400_000)
        // Paced by default (V49), holding ~1 ms unless told otherwise (V48); unpaced only with PACE=0, then
        // ~0.2 ms; an explicit hold wins either way.
        #expect(BenchEnvironment.paced(pace: nil) && BenchEnvironment.paced(pace: "1") && !BenchEnvironment.paced(pace: "0"))
        #expect(BenchEnvironment.holdCycles(hold: nil, pace: nil) == 2_000_000)
        #expect(BenchEnvironment.holdCycles(hold: nil, pace: "0") == 400_000)
        #expect(BenchEnvironment.holdCycles(hold: nil, pace: "1") == 2_000_000)
        #expect(BenchEnvironment.holdCycles(hold: "123", pace: "1") == 123)
        #expect(BenchEnvironment.holdCycles(hold: "0", pace: nil) == 0)
    }

    /// A mistyped switch stops the run and the message names the variable, the value and what it takes.
    @Test(arguments: [
        ("RMSNORM_BENCH_HOLD", "-1"), ("RMSNORM_BENCH_HOLD", "2e5"), ("RMSNORM_BENCH_HOLD", "off"),
        ("RMSNORM_BENCH_PLACEMENTS", "0"), ("RMSNORM_BENCH_PLACEMENTS", "65"), ("RMSNORM_BENCH_EPS", "-1"),
        ("RMSNORM_BENCH_EPS", "nan"), ("RMSNORM_BENCH_STATE", "read-back"), ("RMSNORM_BENCH_COPY", "Kernel"),
        ("RMSNORM_BENCH_STREAM", "new"), ("RMSNORM_BENCH_Y", "set"), ("RMSNORM_BENCH_DATA", "gpu"),
        ("RMSNORM_BENCH_RECOMPUTE", "yes"), ("RMSNORM_BENCH_PACE", "off"), ("RMSNORM_BENCH_PACE", "2"),
        ("RMSNORM_BENCH_GRAPH_PREPASS", "off"), ("RMSNORM_BENCH_POOL", "yes"), ("RMSNORM_BENCH_NEW_FLUSH", "yes"),
    ])
    func badValuesAreRefusedByName(name: String, value: String) {
        do {
            try check([name: value])
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect(error.description.hasPrefix("\(name)=\(value) is not understood: it takes "))
            #expect(error.description.hasSuffix("Fix it or unset it."))
        }
        #expect(BenchEnvironment.switches.contains { $0.name == name })
    }
}

extension BenchEnvironmentTests {
    /// The peers' harness falls back to the same hold as ours when RMSNORM_BENCH_HOLD is unset (paced or
    /// not), waits after its flush as ours does, and paces under the same switch, so both time device work
    /// the same way.
    @Test func peersScriptHoldsAsOursDoes() {
        let script = String(decoding: PackageResources.peers_py, as: UTF8.self)
        #expect(script.contains("default = \(BenchEnvironment.defaultHoldCycles) if os.environ.get(\"RMSNORM_BENCH_PACE\") == \"0\" "
            + "else \(BenchEnvironment.pacedHoldCycles)"))
        #expect(script.contains("os.environ.get(\"RMSNORM_BENCH_HOLD\", str(default))"))
        #expect(script.contains("torch.cuda._sleep(hold)"))
        #expect(script.contains("return bool(hold) and os.environ.get(\"RMSNORM_BENCH_PACE\") != \"0\""))
        #expect(script.contains("flushed = torch.cuda.Event() if paced(hold) else None"))
        #expect(script.contains("flushed.synchronize()"))
        // The late-enqueue check: the same 3/4-of-the-hold budget as `PacedEnqueue`, a late repetition run
        // again while retries last (at most as many as the repetitions), and the counts reported per timing.
        #expect(script.contains("budget = 0.75 * hold_microseconds(hold)"))
        #expect(script.contains("if enqueue > budget and retimed < reps:"))
        #expect(script.contains("\"late\": last_enqueue[0], \"retimed\": last_enqueue[1], \"enqueue_max_us\": last_enqueue[2]"))
    }

    /// Every method and variant, ours and the peers', is timed over the same input sets: 8 placements where x and
    /// a y of its size come to under 64 MB, one above; the peers' script applies that rule to the forward and to
    /// the variants, turns the sets per repetition and warms every set up before it times.
    @Test func inputSetsRuleIsSharedWithThePeers() {
        #expect(GPUBench.inputSets(rows: 256, columns: 4096, elementSize: 2, placements: 8) == 8)
        #expect(GPUBench.inputSets(rows: 2048, columns: 4096, elementSize: 2, placements: 8) == 8)  // 32 MB
        #expect(GPUBench.inputSets(rows: 4096, columns: 4096, elementSize: 2, placements: 8) == 1)  // exactly 64 MB
        #expect(GPUBench.inputSets(rows: 2047, columns: 4096, elementSize: 4, placements: 8) == 8)
        #expect(GPUBench.inputSets(rows: 2048, columns: 4096, elementSize: 4, placements: 8) == 1)
        #expect(GPUBench.inputSets(rows: 1, columns: 7, elementSize: 2, placements: 1) == 1)
        let script = String(decoding: PackageResources.peers_py, as: UTF8.self)
        let rule = "sets = placements if 2 * m * n * dtype.itemsize < (64 << 20) else 1"
        #expect(script.components(separatedBy: rule).count == 3)  // the forward's loop and run_variant
        #expect(script.contains("call, output = makers[name](ts)"))
        #expect(script.contains("for _ in range(max(3, 2 * len(ts))):"))
        #expect(script.contains("k = turn[0] % len(calls)"))
    }

    /// With `RMSNORM_BENCH_Y=sets` outputs rotate with the input sets in event timing, ours
    /// (``GPUBench/outputSets(inputSets:graphK:)``) and the peers' (peers.py's `holding`, run here in python3: the ring
    /// keeps exactly the last `count` results alive and returns each call's result); one output by default and in graph mode.
    @Test(.enabled(if: PeerRunner.findPython(explicit: nil) != nil)) func outputsRotateWithTheInputSets() throws {
        #expect(GPUBench.outputSets(inputSets: 8, graphK: nil) == (getenv("RMSNORM_BENCH_Y").map { String(cString: $0) } == "sets" ? 8 : 1))
        #expect(GPUBench.outputSets(inputSets: 8, graphK: 100) == 1)
        #expect(GPUBench.outputSets(inputSets: 1, graphK: nil) == 1)
        let script = String(decoding: PackageResources.peers_py, as: UTF8.self)
        #expect(script.contains("call = holding(call, len(ts))"))  // the variants
        #expect(script.contains("if not graph:  # graph mode: one output, as ours (graph capture serves its own pool)\n                    call = holding(call, len(xs))"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("peers-\(getpid()).py").path
        try Data(PackageResources.peers_py).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let probe = """
            import gc, os, sys, weakref
            os.environ["RMSNORM_BENCH_Y"] = "sets"
            ns = {"__name__": "peers"}
            exec(open(sys.argv[1]).read(), ns)
            class Out: pass
            made = []
            def call():
                made.append(Out())
                return made[-1]
            ring = ns["holding"](call, 3)
            refs, returned = [], []
            for _ in range(7):
                returned.append(ring() is made[-1])
                refs.append(weakref.ref(made[-1]))
            made.clear(); gc.collect()
            print("alive", [r() is not None for r in refs], "returned", all(returned))
            print("one-set", ns["holding"](call, 1) is call)
            os.environ.pop("RMSNORM_BENCH_Y")
            print("y-one", ns["holding"](call, 3) is call)
            """
        var lines: [String] = []
        let status = try runSubprocess(PeerRunner.findPython(explicit: nil)!, ["-c", probe, path], input: [], stderrPath: nil) {
            lines.append($0)
        }
        #expect(status == 0)
        #expect(lines == ["alive [False, False, False, False, True, True, True] returned True", "one-set True", "y-one True"])
    }

    /// Quartiles of a timing, linear between the closest ranks (numpy's default, as peers.py computes them): odd and
    /// even counts, unsorted input, one sample; and a summary-only timing has none.
    @Test func timingQuartiles() {
        let odd = Timing(samples: [5, 1, 4, 2, 3])
        #expect(odd.medianMicroseconds == 3 && odd.p25Microseconds == 2 && odd.p75Microseconds == 4)
        let even = Timing(samples: [4, 1, 3, 2])
        #expect(even.p25Microseconds == 1.75 && even.p75Microseconds == 3.25)
        let bimodal = Timing(samples: [4.5, 4.5, 4.5, 5.0, 5.0, 5.0, 5.0, 4.5])
        #expect(bimodal.p25Microseconds == 4.5 && bimodal.p75Microseconds == 5.0)
        let one = Timing(samples: [7])
        #expect(one.p25Microseconds == 7 && one.p75Microseconds == 7)
        #expect(Timing(median: 3, min: 1, max: 5, repetitions: 9).p25Microseconds == nil)
    }

    /// The SM clock of a hold: its cycles over the median of its durations (2,000,000 cycles in 1,000 µs: 2,000 MHz),
    /// whatever the outliers; none timed, none reported; a new timing carries none until the timer sets it.
    @Test func holdClock() {
        #expect(GPUTimer.clockMHz(cycles: 2_000_000, holdMicroseconds: [1000, 1010, 990, 5000, 1000]) == 2000)
        #expect(GPUTimer.clockMHz(cycles: 1_980_000, holdMicroseconds: [1000]) == 1980)
        #expect(GPUTimer.clockMHz(cycles: 2_000_000, holdMicroseconds: []) == nil)
        #expect(Timing(samples: [1, 2]).holdClockMHz == nil)
    }

    /// A paced repetition is late only past the budget; a late one is run again while retries last and kept,
    /// counted, once they are used up; the slowest enqueue is that of the kept ones. The report names every
    /// timing that kept a late repetition, or says none did, and counts the ones run again.
    @Test func pacedEnqueueCheck() {
        var e = PacedEnqueue(budgetMicroseconds: 750)
        let kept = [12.0, 750, 751, 3000, 740].map { e.admit($0, retriesLeft: true) }
        #expect(kept == [true, true, false, false, true])
        #expect(e.retimed == 2 && e.keptLate == 0 && e.maxMicroseconds == 750)
        let keptLate = e.admit(2000, retriesLeft: false)
        #expect(keptLate)
        #expect(e.retimed == 2 && e.keptLate == 1 && e.maxMicroseconds == 2000)
        var t = Timing(samples: [1, 2, 3])
        #expect(t.late == nil && t.retimed == nil)
        e.record(in: &t)
        #expect(t.late == 1 && t.retimed == 2 && t.enqueueMaxMicroseconds == 2000)

        func row(_ method: String, late: Int?, retimed: Int? = 0, max: Double?) -> ResultRow {
            ResultRow(suite: "llm", M: 1, N: 4096, dtype: "bf16", method: method, median_us: 5, min_us: 4, max_us: 6,
                reps: 200, gbps: 3, pct_peak: 0.1, pct_copy: 0.1, max_error: nil, late: late, retimed: retimed, enqueue_max_us: max)
        }
        let clean = PacedCheck.summary([row("ours", late: 0, max: 20), row("torch_compile", late: 0, max: 180)],
            holdMicroseconds: 1000)
        #expect(clean == "2 timings checked against the 1000 µs hold; slowest kept enqueue 180 µs (torch_compile at 1x4096:bf16); no late repetition kept")
        let retried = PacedCheck.summary([row("ours", late: 0, max: 20), row("liger", late: 0, retimed: 3, max: 700)],
            holdMicroseconds: 1000)
        #expect(retried.hasSuffix("; 3 late repetitions run again (most: liger at 1x4096:bf16 3); no late repetition kept"))
        let bad = PacedCheck.summary([row("ours", late: 0, max: 20), row("torch_compile", late: 7, retimed: 200, max: 1400),
            row("liger", late: nil, retimed: nil, max: nil)], holdMicroseconds: 1000)
        #expect(bad.contains("1 timings not checked"))
        #expect(bad.hasSuffix("LATE, kept with no retry left (enqueue > 3/4 of the hold, host time may be timed): torch_compile at 1x4096:bf16 7/200"))
        #expect(PacedCheck.summary([row("ours", late: nil, max: nil)], holdMicroseconds: 1000) == "no timing reported its enqueue")
    }
}

/// `rmsnorm-bench ab` (in-process A/B of kernel defines): its options, its table's arithmetic, and the arms' defines.
@Suite struct ABCommandTests {
    @Test func optionsAreChecked() throws {
        #expect(throws: (any Error).self) { try RMSNormBench.parseAsRoot(["ab", "--shapes", "1x4096:bf16"]) }  // no --defines
        #expect(throws: (any Error).self) { try RMSNormBench.parseAsRoot(["ab", "--shapes", "1x4096", "--defines", ",="]) }
        #expect(throws: (any Error).self) { try RMSNormBench.parseAsRoot(["ab", "--defines", "X=1", "--rounds", "0"]) }
        #expect(throws: (any Error).self) { try RMSNormBench.parseAsRoot(["ab", "--defines", "X=1", "--graph"]) }
        let command = try RMSNormBench.parseAsRoot(["ab", "--shapes", "1x4096:bf16", "--variant", "add", "--defines", "CLUSTER_READ_RELAXED=0"])
        let ab = try #require(command as? AB)
        #expect(ab.rounds == 2 && ab.defines == "CLUSTER_READ_RELAXED=0")
        #expect(try ab.options.resolvedShapes().map(\.variant) == [.add])
    }

    @Test func withoutAGPUFailsClearly() throws {
        guard cudaUnavailableReason() != nil else { return }
        var command = try RMSNormBench.parseAsRoot(["ab", "--shapes", "1x4096:bf16", "--defines", "CLUSTER_READ_RELAXED=0"])
        #expect(throws: ExitCode.self) { try command.run() }
    }

    @Test func arithmetic() {
        #expect(ABSummary.order == [0, 1, 1, 0])
        #expect(abs(ABSummary.change(a: [4.0, 4.2], b: [3.9, 3.9]) - (3.9 / 4.1 - 1)) < 1e-12)
        #expect(ABSummary.change(a: [], b: [1]).isNaN)
        #expect(abs(ABSummary.spread([5.0, 5.5, 5.25]) - 0.1) < 1e-12)
        let line = ABSummary.line(shape: "1x4096:bf16", a: [4.0, 4.0], b: [3.8, 3.8])
        #expect(line.hasPrefix("1x4096:bf16") && line.contains("4.00/4.00") && line.contains("3.80/3.80") && line.contains("-5.0%"))
    }

    /// Arm 1 compiles with its own defines on top of arm 0's (replacing same names). Checked through the pure pieces:
    /// switching the process's arm here would change the modules other tests compile at the same time.
    @Test func armsDefines() {
        #expect(KernelSpecialization.parseDefines("A=1,B,=3,C-D=2,E=x=y").map { "\($0.0)=\($0.1)" } == ["A=1", "B=1", "E=x=y"])
        #expect(KernelSpecialization.experimentArm == 0)
        let spec = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8, residual: true)
        let base = KernelSpecialization.parseDefines("REG_BOUND=512,CLUSTER_READ_RELAXED=1")
        let arm1 = KernelSpecialization.merged(base, KernelSpecialization.parseDefines("CLUSTER_READ_RELAXED=0,VEC=4"))
        #expect(arm1.map { "\($0.0)=\($0.1)" } == ["REG_BOUND=512", "CLUSTER_READ_RELAXED=0", "VEC=4"])
        let b = spec.compileOptions(arch: 90, experiment: arm1).flags
        #expect(b.contains("-DCLUSTER_READ_RELAXED=0") && b.contains("-DVEC=4") && !b.contains("-DVEC=8") && !b.contains("-DCLUSTER_READ_RELAXED=1"))
        #expect(spec.compileOptions(arch: 90, experiment: []).flags.contains("-DVEC=8"))
    }
}
