#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Dispatch
import FoundationEssentials
import RMSNorm
import RMSNormTestSupport

/// The report for the CPU backend, when no GPU is usable (or with --cpu).
struct CPURun {
    var options: BenchOptions
    var reason: String

    /// The CPU sweep: the seed suite and model-sized rows, capped to a quarter of memory.
    func shapes() throws -> [BenchShape] {
        if options.shapes != nil { return try options.resolvedShapes() }
        let memory = Int(ProcessInfo.processInfo.physicalMemory)
        var list: [BenchShape] = []
        if options.suite == "seed" || options.suite == "all" { list += Suites.seed }
        if options.suite == "llm" || options.suite == "all" {
            for m in [1, 16, 256, 4096] { list.append(.init(suite: "llm-cpu", rows: m, columns: 4096, dtype: .bfloat16)) }
            for m in [1, 16, 256, 4096, 65536] { list.append(.init(suite: "llm-cpu", rows: m, columns: 4096, dtype: .float32)) }
        }
        if options.suite == "awkward" { list += Suites.awkward }
        if let d = options.dtype.flatMap(DType.init(parsing:)) { list = list.filter { $0.type == d } }
        list = list.map { $0.as(options.benchVariant) }
        return list.filter { 2 * $0.rows * $0.columns * $0.type.size <= memory / 4 }
    }

    func run() throws {
        let variant = options.benchVariant
        let rule = String(repeating: "=", count: 78)
        print(rule + "\nRMSNorm benchmark — CPU backend (SIMD, all cores)\n" + rule)
        let cpuName = FileManager.default.contents(atPath: "/proc/cpuinfo").map { String(decoding: $0, as: UTF8.self) }?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":").last.map { $0.trimmingCharacters(in: " ") } ?? "unknown CPU"
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print("CPU: \(cpuName), \(cores) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GB")
        let memcpyGBs = CPUBench.memcpyBandwidth() / 1e9
        print(format("Measured copy limit: %.1f GB/s (512 MiB memcpy, read + write)", memcpyGBs))
        let timingText = "host clock, cache flushed (64 MB write) before each repetition of shapes under 64 MB, median"
        var header = ReportHeader(
            backend: "cpu", device: "\(cpuName) (\(cores) cores)", copy_gbps: memcpyGBs, copy_method: "512 MiB memcpy",
            timing: timingText, bytes_formula: variant.formula, date: Date().formatted(.iso8601),
            gpu_unavailable_reason: reason)
        let list = try shapes()
        let plans = list.map { ($0, CPUBench.repetitions(for: $0, base: options.reps)) }

        // numpy peer
        var peer: [String: PeerMessage] = [:]
        let wantNumpy = (options.methodList?.contains("numpy") ?? true) && variant == .forward  // numpy times the forward
        if !options.noPeers && wantNumpy, let python = PeerRunner.findPython(explicit: options.python) {
            let runner = PeerRunner(python: python, logPath: nil)
            let request = PeerRequest(
                mode: "numpy", eps: Double(defaultEpsilon),
                shapes: plans.map { PeerShape(M: $0.0.rows, N: $0.0.columns, dtype: $0.0.dtype, reps: max(3, $0.1 / 4)) })
            do {
                try runner.run(request: request) { m in
                    if m.type == "info" { header.numpy = m.numpy; print("numpy: \(m.numpy ?? "-")") }
                    if m.type == "result" { peer["\(m.M!)x\(m.N!):\(m.dtype!)"] = m }
                    if m.type == "fatal" { print("numpy peer did not run: \(m.message ?? "")") }
                    progress("numpy: \(peer.count)/\(plans.count)")
                }
            } catch {
                print("numpy peer did not run: \(error)")
            }
            progressDone()
            if header.numpy == nil { print("numpy: not available") }
        } else {
            print("numpy: skipped")
        }
        print("Operation: \(variant.rawValue); " + variant.formula)
        print("Timing: \(timingText)")

        print("\n" + rule + "\nVerification (fp64 reference; \(variant.toleranceText))\n" + rule)
        var verification: [VerifyRow] = []
        for (m, n, d) in [(1024, 128, DType.float32), (199, 769, .float32), (64, 4096, .bfloat16), (7, 7168, .float16),
            (3, 65536, .bfloat16)]
        {
            let v: VerifyRow
            if let kind = CPUBench.variantKind(variant) {
                // The variant through the same checks as `swift test` (fresh data, outputs poisoned).
                let c = VariantCase(kind: kind, input: d, weight: d, rows: m, columns: n, layout: .dense)
                let r = (try? c.check(CPUExecutor())) ?? (detail: "threw", maxError: .nan)
                v = VerifyRow(method: "ours (cpu)", shape: "\(m)x\(n):\(d)", max_error: r.maxError, unit: variant.errorUnit ?? Tolerance.unit(for: d),
                    passed: r.detail.isEmpty)
            } else {
                let (err, ok) = CPUBench.verify(rows: m, columns: n, dtype: d)
                v = VerifyRow(method: "ours (cpu)", shape: "\(m)x\(n):\(d)", max_error: err, unit: Tolerance.unit(for: d), passed: ok)
            }
            verification.append(v)
            print("  \(pad(v.method, 15)) \(pad(v.shape, 20)) max_error=\(pad(format("%.2e ", v.max_error ?? .nan) + v.unit, 14)) [\(v.passed ? "PASS" : "FAIL")]")
        }

        var rows: [ResultRow] = []
        var currentSuite = ""
        for (shape, reps) in plans {
            if shape.suite != currentSuite {
                currentSuite = shape.suite
                print("\n" + rule + "\nSweep: \(shape.suite) (each cell: median µs/GB/s)\n" + rule)
                print(pad("shape", 22) + pad("ours", 15, right: true) + pad("numpy", 15, right: true)
                    + "  best    ours/numpy  %copy")
            }
            progress("measuring \(shape)")
            let t = try CPUBench.measure(shape: shape, reps: reps)
            progressDone()
            func row(_ method: String, _ t: Timing) -> ResultRow {
                let g = t.gigabytesPerSecond(bytes: shape.bytes)
                return ResultRow(suite: shape.suite, M: shape.rows, N: shape.columns, dtype: shape.dtype, method: method,
                    median_us: t.medianMicroseconds, min_us: t.minMicroseconds, max_us: t.maxMicroseconds, reps: t.repetitions,
                    gbps: g, pct_peak: 0, pct_copy: 100 * g / memcpyGBs, max_error: nil,
                    p25_us: t.p25Microseconds, p75_us: t.p75Microseconds)
            }
            let ours = row("ours", t)
            rows.append(ours)
            func cell(_ r: ResultRow) -> String { pad(format("%.1f/%.1f", r.median_us, r.gbps), 15, right: true) }
            var line = pad(shape.description, 22) + cell(ours)
            if let numpy = peer[shape.description]?.timing {
                let med = numpy.medianMicroseconds
                let r = row("numpy", numpy)
                rows.append(r)
                line += cell(r) + "  "
                    + pad(med < t.medianMicroseconds ? "numpy" : "ours", 8) + pad(format("%.2fx", med / t.medianMicroseconds), 10, right: true)
            } else {
                line += pad("—", 15, right: true) + "  " + pad("ours", 8) + pad("—", 10, right: true)
            }
            line += pad(format("%.0f%%", ours.pct_copy), 7, right: true)
            print(line)
        }
        print("\n" + rule + "\nSummary (largest shape of each suite)\n" + rule)
        var suites: [String] = []
        for r in rows where !suites.contains(r.suite) { suites.append(r.suite) }
        for suite in suites {
            let inSuite = rows.filter { $0.suite == suite }
            guard let largest = inSuite.max(by: { $0.M * $0.N < $1.M * $1.N }) else { continue }
            print("\(suite): \(largest.M)x\(largest.N) \(largest.dtype)")
            for r in inSuite.filter({ $0.M == largest.M && $0.N == largest.N && $0.dtype == largest.dtype }) {
                print("  " + pad(r.method, 16) + pad(format("%.1f GB/s", r.gbps), 14, right: true)
                    + pad(format("%.1f%% of copy", r.pct_copy), 18, right: true))
            }
        }
        print(format("Measured copy limit: %.1f GB/s", memcpyGBs))
        let comparisons = PeerComparison.summarize(rows)
        if !comparisons.isEmpty {
            print("Ours ÷ numpy (time ratio, > 1: ours faster):")
            for c in comparisons { print("  " + c.line) }
        }
        let report = BenchReport(header: header, verification: verification, results: rows)
        try Output.write(report: report, to: options.output)
        print("Wrote \(options.output)/benchmark.csv, benchmark.json, benchmark.svg")
        if verification.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}

enum CPUBench {
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e3 }

    /// memcpy of 512 MiB, bytes read + written per second.
    static func memcpyBandwidth() -> Double {
        let n = 512 << 20
        let a = UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 64)
        let b = UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 64)
        defer { a.deallocate(); b.deallocate() }
        memset(a, 1, n)
        memset(b, 2, n)
        var samples: [Double] = []
        for _ in 0..<7 {
            let t0 = now()
            memcpy(b, a, n)
            samples.append(now() - t0)
        }
        return 2 * Double(n) / (Timing(samples: samples).medianMicroseconds * 1e-6)
    }

    /// Repetitions so that each shape takes about a second: ≥ 5, ≤ `base`.
    static func repetitions(for shape: BenchShape, base: Int) -> Int {
        let seconds = Double(shape.bytes) / 8e9  // a conservative 8 GB/s
        return max(5, min(base, Int(1.0 / max(seconds, 1e-6))))
    }

    nonisolated(unsafe) static let scratch: UnsafeMutableRawPointer = .allocate(byteCount: 64 << 20, alignment: 64)

    static func measure(shape: BenchShape, reps: Int) throws -> Timing {
        switch shape.type {
        case .float32: return try measureTyped(shape, Float.self, reps: reps)
        case .float16: return try measureTyped(shape, Float16.self, reps: reps)
        case .bfloat16: return try measureTyped(shape, BFloat16.self, reps: reps)
        }
    }

    static func measureTyped<T: RMSNormElement>(_ shape: BenchShape, _: T.Type, reps: Int) throws -> Timing {
        if shape.variant != .forward { return try measureVariant(shape, T.self, reps: reps) }
        var rng = SeededRandom(seed: SeededRandom.freshSeed())
        let count = shape.rows * shape.columns
        // Fresh normal data; generating every element is slow, so a random 64 Ki block is tiled.
        let block: [T] = rng.normals(min(count, 65536))
        var x = [T](unsafeUninitializedCapacity: count) { b, n in
            for i in 0..<count { b[i] = block[i % block.count] }
            n = count
        }
        x[0] = T(rounding: Float(rng.normal()))
        let w: [T] = rng.normals(shape.columns)
        var y = [T](repeating: T(rounding: Float.nan), count: count)
        var samples: [Double] = []
        try x.withUnsafeBufferPointer { (xb) throws(RMSNormError) in
            try w.withUnsafeBufferPointer { (wb) throws(RMSNormError) in
                try y.withUnsafeMutableBufferPointer { (yb) throws(RMSNormError) in
                    try rmsNorm(xb, rows: shape.rows, columns: shape.columns, weight: wb, into: yb)  // warm-up
                    for _ in 0..<reps {
                        if shape.bytes < 64 << 20 { memset(scratch, Int32(samples.count & 0xff), 64 << 20) }
                        let t0 = now()
                        try rmsNorm(xb, rows: shape.rows, columns: shape.columns, weight: wb, into: yb)
                        samples.append(now() - t0)
                    }
                }
            }
        }
        return Timing(samples: samples)
    }

    /// Fresh normal values for `count` elements: a random 64 Ki block tiled (generating every element is slow),
    /// its first element replaced, in a new buffer the caller deallocates.
    static func tiledNormals<T: RMSNormElement>(_ count: Int, _ rng: inout SeededRandom) -> UnsafeMutableBufferPointer<T> {
        let block: [T] = rng.normals(min(max(count, 1), 65536))
        let b = UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
        for i in 0..<b.count { b[i] = block[i % block.count] }
        b[0] = T(rounding: Float(rng.normal()))
        return b
    }

    /// A variant through the library's CPU forms over host matrices (the weight of x's type, as the GPU bench;
    /// fp8 with scale 0.02; the backward with the forward's rstd, computed once before the repetitions). Outputs
    /// are poisoned (NaN) before the warm-up.
    static func measureVariant<T: RMSNormElement>(_ shape: BenchShape, _: T.Type, reps: Int) throws -> Timing {
        var rng = SeededRandom(seed: SeededRandom.freshSeed())
        let m = shape.rows, n = shape.columns, count = m * n
        let x: UnsafeMutableBufferPointer<T> = tiledNormals(count, &rng)
        let second: UnsafeMutableBufferPointer<T> = tiledNormals(count, &rng)  // the residual, or dy
        let third: UnsafeMutableBufferPointer<T> = tiledNormals(shape.variant == .addBackward ? count : 1, &rng)  // dres
        let w: UnsafeMutableBufferPointer<T> = tiledNormals(n, &rng)
        let y = UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
        let h = UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
        let q = UnsafeMutableBufferPointer<Float8E4M3>.allocate(capacity: max(count, 1))
        let rstd = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(m, 1))
        let dw = UnsafeMutableBufferPointer<T>.allocate(capacity: max(n, 1))
        defer { for p in [x, second, third, w, y, h, dw] { p.deallocate() }; q.deallocate(); rstd.deallocate() }
        y.initialize(repeating: T(rounding: Float.nan))
        h.initialize(repeating: T(rounding: Float.nan))
        q.initialize(repeating: Float8E4M3(bitPattern: 0x7f))
        rstd.initialize(repeating: .nan)
        dw.initialize(repeating: T(rounding: Float.nan))
        let xm = try HostMatrix(x, rows: m, columns: n), rm = try HostMatrix(second, rows: m, columns: n)
        let ym = try HostMatrix(y, rows: m, columns: n), hm = try HostMatrix(h, rows: m, columns: n)
        let qm = try HostMatrix(q, rows: m, columns: n)
        let wb = UnsafeBufferPointer(w)
        let options = shape.variant.options
        let work: () throws(RMSNormError) -> Void
        switch shape.variant {
        case .forward, .gemma, .llama:
            work = { () throws(RMSNormError) in try rmsNorm(xm, weight: wb, options: options, into: ym) }
        case .add:
            work = { () throws(RMSNormError) in
                try fusedAddRMSNorm(xm, residual: rm, weight: wb, options: options, into: ym, residualOut: hm)
            }
        case .fp8:
            work = { () throws(RMSNormError) in try rmsNormFP8(xm, weight: wb, scale: 0.02, options: options, into: qm) }
        case .addFP8:
            work = { () throws(RMSNormError) in
                try rmsNormFP8(xm, residual: rm, weight: wb, scale: 0.02, options: options, into: qm, residualOut: hm)
            }
        case .backward, .addBackward:  // add-backward: x stands for h, the forward's sum, with dres
            try rmsNorm(xm, weight: wb, options: options, into: ym, rstd: rstd)
            let saved = UnsafeBufferPointer(rstd)
            let dres = try shape.variant == .addBackward ? HostMatrix(third, rows: m, columns: n) : nil
            work = { () throws(RMSNormError) in
                try rmsNormBackward(xm, weight: wb, rstd: saved, outputGradient: rm, residualGradient: dres, options: options,
                    into: ym, weightGradient: dw)
            }
        }
        try work()  // warm-up
        var samples: [Double] = []
        for _ in 0..<reps {
            if shape.bytes < 64 << 20 { memset(scratch, Int32(samples.count & 0xff), 64 << 20) }
            let t0 = now()
            try work()
            samples.append(now() - t0)
        }
        return Timing(samples: samples)
    }

    /// The conformance kind that checks a bench variant (nil: the plain forward, checked by `verify`).
    static func variantKind(_ v: BenchVariant) -> VariantKind? {
        switch v {
        case .forward: return nil
        case .add: return .add
        case .gemma: return .gemma
        case .llama: return .llama
        case .fp8: return .fp8
        case .addFP8: return .addFP8
        case .backward: return .backward
        case .addBackward: return .backwardAdd
        }
    }

    static func verify(rows: Int, columns: Int, dtype: DType) -> (Double, Bool) {
        switch dtype {
        case .float32: return verifyTyped(rows, columns, Float.self)
        case .float16: return verifyTyped(rows, columns, Float16.self)
        case .bfloat16: return verifyTyped(rows, columns, BFloat16.self)
        }
    }

    static func verifyTyped<T: RMSNormElement>(_ rows: Int, _ columns: Int, _: T.Type) -> (Double, Bool) {
        var rng = SeededRandom(seed: SeededRandom.freshSeed())
        let x: [T] = rng.normals(rows * columns)
        let w: [T] = rng.normals(columns)
        guard let y = try? rmsNorm(x, weight: w, backend: .cpu) else { return (.nan, false) }
        let ref = RMSNormReference.forward(x, weight: w)
        let c = Comparison.compare(output: y, rows: rows, columns: columns, stride: columns, reference: ref.y)
        return (c.maxError, c.passed)
    }
}
