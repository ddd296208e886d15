import ArgumentParser
import FoundationEssentials
import RMSNorm

/// In-process A/B of kernel defines: ours at each shape under arm A (`RMSNORM_KERNEL_DEFINES`, or none) and arm B (those
/// plus `--defines`), alternated A B B A in one process. A/Bs across processes carry each process's few-row state
/// (session 32 and 37 in benchmarks/NOTES.md: a process's medians at 1–256 rows settle up to ~4% high or low for its whole
/// life), so an arm timed in two processes against another's two can read ±4% with no change at all; here both arms
/// share the process, and the A B B A order cancels a linear drift.
struct AB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ab",
        abstract: "Ours under two sets of kernel defines, alternated A B B A in one process: B's change against A per shape.",
        discussion: """
            Arm A compiles with RMSNORM_KERNEL_DEFINES (or nothing), arm B with those and --defines on top (same names \
            replaced). Each timing is a full measurement of ours (fresh operands, L2 flushed, median of the repetitions). \
            Writes ab.csv (every timing, with the SM clock of its holds) to --output. Launch-plan switches (RMSNORM_* \
            variables) are read once per process, so they cannot differ between the arms: compare those across \
            processes. At 1-256 rows, RMSNORM_BENCH_PLACEMENTS=1 (one operand set) keeps each arm's timings within \
            ~1.5%, where the default 8 sets let them alternate between levels up to ~5% apart (where the operands lie; \
            session 38 in benchmarks/NOTES.md).
            """)

    @OptionGroup var options: BenchOptions

    @Option(help: "Arm B's kernel defines, NAME=VALUE,… on top of RMSNORM_KERNEL_DEFINES (arm A), e.g. CLUSTER_READ_RELAXED=0.")
    var defines: String

    @Option(help: "Rounds of A B B A at each shape.")
    var rounds: Int = 2

    func validate() throws {
        guard !KernelSpecialization.parseDefines(defines).isEmpty else {
            throw ValidationError("--defines '\(defines)' names no define; give NAME=VALUE pairs separated by commas, e.g. CLUSTER_READ_RELAXED=0")
        }
        guard (1...20).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 20") }
        if options.graph || options.pdl || options.autotune {
            throw ValidationError("ab times event-timed calls only; drop --graph, --pdl and --autotune")
        }
    }

    func run() throws {
        let device: CUDADevice
        do {
            device = try CUDADevice.get(options.device)
            _ = try NVRTC.version()
        } catch {
            print("ab needs a GPU: \(error)")
            throw ExitCode(1)
        }
        let timer = try GPUTimer(device: device)
        KernelSpecialization.setExperimentArmDefines(defines)
        defer { KernelSpecialization.experimentArm = 0 }
        let shapes = try options.resolvedShapes()
        let base = environmentVariable("RMSNORM_KERNEL_DEFINES") ?? ""
        print("A/B on \(device.name): arm A defines '\(base)', arm B '\(base.isEmpty ? "" : base + ",")\(defines)'; "
            + "\(rounds) round(s) of A B B A a shape, one process")
        print(ABSummary.header)
        var lines = ["suite,M,N,dtype,arm,round,order,median_us,min_us,max_us,reps,hold_mhz,plan"]
        for shape in shapes {
            var a: [Double] = [], b: [Double] = []
            var plans = ["", ""]
            var clocks: [Double] = []
            for round in 1...rounds {
                for (order, arm) in ABSummary.order.enumerated() {
                    KernelSpecialization.experimentArm = arm
                    let m = try GPUBench.measure(shape: shape, timer: timer, baseReps: options.reps, graphK: nil)
                    let t = m.timing
                    if arm == 0 { a.append(t.medianMicroseconds) } else { b.append(t.medianMicroseconds) }
                    plans[arm] = m.plan
                    if let c = t.holdClockMHz { clocks.append(c) }
                    lines.append("\(shape.suite),\(shape.rows),\(shape.columns),\(shape.type),\(arm == 0 ? "A" : "B"),\(round),"
                        + "\(order + 1),\(t.medianMicroseconds),\(t.minMicroseconds),\(t.maxMicroseconds),\(t.repetitions),"
                        + "\(t.holdClockMHz.map { format("%.0f", $0) } ?? ""),\"\(m.plan)\"")
                }
            }
            KernelSpecialization.experimentArm = 0
            print(ABSummary.line(shape: "\(shape.rows)x\(shape.columns):\(shape.type)", a: a, b: b)
                + (clocks.isEmpty ? "" : format("  SM %.0f–%.0f MHz", clocks.min()!, clocks.max()!))
                + (plans[0] == plans[1] ? "" : "  (plans differ: A \(plans[0]); B \(plans[1]))"))
        }
        try? FileManager.default.createDirectory(atPath: options.output, withIntermediateDirectories: true)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: options.output + "/ab.csv"))
        print("Wrote \(options.output)/ab.csv")
    }
}

/// The A/B table's arithmetic (pure, tested).
enum ABSummary {
    /// The arms' order within a round: A B B A, so a drift linear in time weighs on both arms alike.
    static let order = [0, 1, 1, 0]

    static let header = "shape                    A µs (each)            B µs (each)            B vs A   spread A  spread B"

    /// B's mean against A's mean, as a fraction (−0.05: B 5% faster).
    static func change(a: [Double], b: [Double]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return .nan }
        return (b.reduce(0, +) / Double(b.count)) / (a.reduce(0, +) / Double(a.count)) - 1
    }

    /// (max − min) ÷ min of one arm's timings: how far the same arm's timings in this process lie apart.
    static func spread(_ t: [Double]) -> Double {
        guard let lo = t.min(), let hi = t.max(), lo > 0 else { return .nan }
        return (hi - lo) / lo
    }

    static func line(shape: String, a: [Double], b: [Double]) -> String {
        func times(_ t: [Double]) -> String { t.map { format("%.2f", $0) }.joined(separator: "/") }
        func pct(_ x: Double) -> String { format("%+.1f%%", x * 100) }
        return pad(shape, 24) + " " + pad(times(a), 22) + " " + pad(times(b), 22) + " " + pad(pct(change(a: a, b: b)), 8)
            + " " + pad(format("%.1f%%", spread(a) * 100), 9) + " " + format("%.1f%%", spread(b) * 100)
    }
}
