/// The bench's environment switches (README: the variable table and the method section). Each is
/// checked before a run starts, so a mistyped value stops the run with a message instead of
/// silently timing the default.
public enum BenchEnvironment {
    public struct Switch: Sendable {
        public var name: String
        /// What the variable accepts, for the error message.
        public var accepts: String
        var isValid: @Sendable (String) -> Bool
    }

    public static let switches: [Switch] = [
        Switch(name: "RMSNORM_BENCH_HOLD", accepts: "a whole number of SM clock cycles ≥ 0 (default 2000000 paced, 400000 with RMSNORM_BENCH_PACE=0; 0 for none)") {
            holdCycles(parsing: $0) != nil
        },
        Switch(name: "RMSNORM_BENCH_PACE", accepts: "1 (the default: each call enqueued once its flush is done) or 0 (every repetition enqueued at once)") { ["0", "1"].contains($0) },
        Switch(name: "RMSNORM_BENCH_PLACEMENTS", accepts: "a whole number from 1 to 64 (default 8)") {
            Int($0).map { (1...64).contains($0) } ?? false
        },
        Switch(name: "RMSNORM_BENCH_EPS", accepts: "a finite number ≥ 0, e.g. 0 or 1e-6") {
            Float($0).map { $0.isFinite && $0 >= 0 } ?? false
        },
        Switch(name: "RMSNORM_BENCH_STATE", accepts: "readback (unset: no read before the timings)") { $0 == "readback" },
        Switch(name: "RMSNORM_BENCH_COPY", accepts: "kernel or memcpy (the default; unset under --pdl: the kernel, launched as a dependent)") { ["kernel", "memcpy"].contains($0) },
        Switch(name: "RMSNORM_BENCH_STREAM", accepts: "created or legacy (the default)") { ["created", "legacy"].contains($0) },
        Switch(name: "RMSNORM_BENCH_Y", accepts: "one (the default: one output each) or sets (in event timing the outputs rotate with the input sets, ours and the peers')") { ["sets", "one"].contains($0) },
        Switch(name: "RMSNORM_BENCH_POOL", accepts: "1 (the default: ours' operands at a shape carved from one allocation) or 0 (one allocation each)") { ["0", "1"].contains($0) },
        Switch(name: "RMSNORM_BENCH_DATA", accepts: "host (inputs made on the CPU) or device (the default)") { ["host", "device"].contains($0) },
        Switch(name: "RMSNORM_BENCH_RECOMPUTE", accepts: "1 (the backward recomputes rstd) or 0 (the default)") { ["0", "1"].contains($0) },
        Switch(name: "RMSNORM_BENCH_NEW_FLUSH", accepts: "1 (each measurement flushes through a new buffer; an experiment) or 0 (the default: one a process)") { ["0", "1"].contains($0) },
        Switch(name: "RMSNORM_BENCH_GRAPH_PREPASS", accepts: "1 (the default: graph mode makes an untimed pass over the shapes first) or 0 (no pass)") { ["0", "1"].contains($0) },
    ]

    /// Throws for the first switch whose value it does not accept; `lookup` reads a variable (nil: unset).
    public static func validate(_ lookup: (String) -> String?) throws(BenchOptionError) {
        for s in switches {
            guard let value = lookup(s.name) else { continue }
            if !s.isValid(value) {
                throw BenchOptionError("\(s.name)=\(value) is not understood: it takes \(s.accepts). Fix it or unset it.")
            }
        }
    }

    /// `RMSNORM_BENCH_HOLD`'s value: cycles ≥ 0, nil for anything else.
    public static func holdCycles(parsing text: String) -> Int64? {
        guard let v = Int64(text), v >= 0 else { return nil }
        return v
    }

    /// Whether repetitions are paced (`RMSNORM_BENCH_PACE`, the default since V49; `0` turns it off).
    public static func paced(pace: String?) -> Bool { pace != "0" }

    /// The hold a run uses: `RMSNORM_BENCH_HOLD` where given, else ~1 ms when paced (the default) or ~0.2 ms
    /// with `RMSNORM_BENCH_PACE=0`: a paced call is enqueued only once its flush is done, so the hold alone
    /// must outlast the slowest caller's host time, and torch.compile's backward call outran 0.2 ms (V48).
    public static func holdCycles(hold: String?, pace: String?) -> Int64 {
        hold.flatMap(holdCycles(parsing:)) ?? (paced(pace: pace) ? pacedHoldCycles : defaultHoldCycles)
    }
    public static let defaultHoldCycles: Int64 = 400_000  // ~0.2 ms at the H100's 1.98 GHz, unpaced
    public static let pacedHoldCycles: Int64 = 2_000_000  // ~1 ms
}
