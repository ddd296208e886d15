#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FoundationEssentials
import RMSNorm
import RMSNormTestSupport

/// Times device work the way every method in the report is timed: warm-up, then per repetition
/// a 256 MB L2 flush (a kernel writing a scratch buffer, as the peers' `fill_`), CUDA events
/// around the work; median, min and max.
/// Graph mode captures `graphK` back-to-back calls into a CUDA graph and divides by `graphK`.
final class GPUTimer {
    let device: CUDADevice
    let stream: CUDAStream
    private(set) var flushBuffer: DeviceMemory
    var events: [CUDAEvent] = []
    /// One event a repetition recorded before its hold (with a hold): the hold's duration gives the SM clock.
    private var holdEvents: [CUDAEvent] = []
    /// Earlier flush buffers, kept alive under ``newFlushEach`` so that each new one lands elsewhere in memory.
    private var retiredFlushBuffers: [DeviceMemory] = []

    /// `RMSNORM_BENCH_NEW_FLUSH=1` (an experiment on the per-process state of few-row timings, session 38): each
    /// measurement flushes through a new 256 MB buffer, the earlier ones kept (at most 32, then reused in turn), so
    /// measurements in one process see the flush at different places in memory. Unset: one buffer a process.
    static let newFlushEach = environmentVariable("RMSNORM_BENCH_NEW_FLUSH") == "1"

    /// `capturable`: graph mode, which needs a created stream. Otherwise the work is timed on the
    /// legacy default stream, the one the peers (PyTorch's current stream) and our API's default
    /// (`stream: nil`) use; a created stream measured ~0.25 µs more per launch at M ≤ 256 (V17).
    /// `RMSNORM_BENCH_STREAM=created` times on a created non-blocking stream instead.
    /// `dependentLaunch`: a created stream with programmatic dependent launch (`--pdl`).
    init(device: CUDADevice, capturable: Bool = false, dependentLaunch: Bool = false) throws {
        self.device = device
        stream = capturable || dependentLaunch || environmentVariable("RMSNORM_BENCH_STREAM") == "created"
            ? try CUDAStream(device: device, programmaticDependentLaunch: dependentLaunch)
            : CUDAStream.legacyDefault(device: device)
        flushBuffer = try DeviceMemory(device: device, byteCount: 256 << 20)
    }

    /// `RMSNORM_BENCH_STATE=readback`: a 16-byte read to the host right before each method's timed
    /// repetitions (peers.py does the same), so that every method is timed after work of another engine,
    /// which leaves later event-timed kernels ~1 µs longer in that process (V26 in benchmarks/NOTES.md).
    static let readbackFirst = environmentVariable("RMSNORM_BENCH_STATE") == "readback"

    /// SM clock cycles the stream waits after each flush, before the start event (`RMSNORM_BENCH_HOLD`,
    /// cycles; 0 turns it off; peers.py reads the same variable and waits with `torch.cuda._sleep`). The
    /// host enqueues the timed call meanwhile, so a method's host time (Python dispatch, Dynamo's guards,
    /// a Triton launcher) never lands between the events; without it, a call whose host time outran the
    /// flush was timed as host time (V27 in benchmarks/NOTES.md).
    static let holdCycles = BenchEnvironment.holdCycles(
        hold: environmentVariable("RMSNORM_BENCH_HOLD"), pace: environmentVariable("RMSNORM_BENCH_PACE"))

    /// Paced repetitions (the default; `RMSNORM_BENCH_PACE=0` turns them off, and peers.py reads the same
    /// variable): with a hold, the host waits for each flush to finish before it enqueues that repetition's
    /// events and call, so every call is enqueued while the hold runs and the queue ahead of it is one
    /// repetition deep, whatever the caller's host time. Unpaced, a fast caller (ours, a copy) ran up to the
    /// whole loop ahead of the GPU, and with a deep queue the time between the events came out ~0.6 µs longer
    /// most of the time, for every method alike, while a caller with ~0.1 ms of host time per call
    /// (torch.compile's) kept the queue short and often missed that (V48). The ~1 ms hold outlasts every
    /// peer's call; each repetition's enqueue is checked against it (`PacedEnqueue`, V49 in benchmarks/NOTES.md).
    static let paced = holdCycles > 0 && BenchEnvironment.paced(pace: environmentVariable("RMSNORM_BENCH_PACE"))
    private var flushed: CUDAEvent?

    /// The SM clock a hold of `cycles` ran at: cycles over the median of its timed durations (µs), in MHz; nil if
    /// none was timed.
    static func clockMHz(cycles: Int64, holdMicroseconds: [Double]) -> Double? {
        guard !holdMicroseconds.isEmpty else { return nil }
        let median = Timing(samples: holdMicroseconds).medianMicroseconds
        return median > 0 ? Double(cycles) / median : nil
    }

    /// The hold's duration on this GPU (µs), timed once by events around a lone hold (paced runs), after a
    /// first hold: the first launch loads the module (3.8–4.2 ms from the disk cache, seconds if compiled),
    /// which the first version of this check timed as the hold (s17a).
    private var measuredHold: Double?
    func holdMicroseconds() throws -> Double {
        if let measuredHold { return measuredHold }
        let a = try CUDAEvent(device: device), b = try CUDAEvent(device: device)
        try DeviceRandom.hold(cycles: 1, on: device, stream: stream)
        try stream.synchronize()
        try a.record(on: stream)
        try DeviceRandom.hold(cycles: Self.holdCycles, on: device, stream: stream)
        try b.record(on: stream)
        try b.synchronize()
        let us = try CUDAEvent.elapsedMilliseconds(from: a, to: b) * 1000
        measuredHold = us
        return us
    }

    func measure(repetitions: Int, graphK: Int? = nil, warmup: Int = 3, _ work: () throws -> Void) throws -> Timing {
        if Self.newFlushEach {
            retiredFlushBuffers.append(flushBuffer)
            flushBuffer = retiredFlushBuffers.count <= 32
                ? try DeviceMemory(device: device, byteCount: 256 << 20) : retiredFlushBuffers.removeFirst()
        }
        for _ in 0..<warmup { try work() }
        try stream.synchronize()
        if Self.readbackFirst {
            var bytes = [UInt8](repeating: 0, count: 16)
            try bytes.withUnsafeMutableBytes { try flushBuffer.download(into: $0) }
        }
        var graph: CUDAGraph?
        if let k = graphK {
            graph = try stream.capture { for _ in 0..<k { try work() } }
            try graph!.launch(on: stream)  // first replay uploads the graph
            try stream.synchronize()
        }
        if Self.paced && flushed == nil { flushed = try CUDAEvent(device: device) }
        // Paced: a repetition whose enqueue (start event, call, end event) took more than 3/4 of the hold is
        // late (the GPU may have reached the start event before the call, so host time may have been timed):
        // its sample is dropped and the repetition run again, at most `repetitions` times in all. Lateness
        // is the host's (a preempted thread, a collector), so dropping it leaves the device times unbiased.
        var enqueue = PacedEnqueue(budgetMicroseconds: Self.paced ? 0.75 * (try holdMicroseconds()) : 0)
        var kept: [Int] = []
        var slot = 0
        while kept.count < repetitions {
            if events.count < 2 * (slot + 1) { events += [try CUDAEvent(device: device), try CUDAEvent(device: device)] }
            if Self.holdCycles > 0 && holdEvents.count < slot + 1 { holdEvents.append(try CUDAEvent(device: device)) }
            try DeviceRandom.overwrite(flushBuffer, value: UInt32(truncatingIfNeeded: slot), stream: stream)
            try flushed?.record(on: stream)
            if Self.holdCycles > 0 { try holdEvents[slot].record(on: stream) }
            try DeviceRandom.hold(cycles: Self.holdCycles, on: device, stream: stream)
            try flushed?.synchronize()
            let t0 = Self.paced ? Host.now() : 0
            try events[2 * slot].record(on: stream)
            if let graph { try graph.launch(on: stream) } else { try work() }
            try events[2 * slot + 1].record(on: stream)
            if !Self.paced || enqueue.admit((Host.now() - t0) * 1e6, retriesLeft: slot - kept.count < repetitions) {
                kept.append(slot)
            }
            slot += 1
        }
        try stream.synchronize()
        let k = Double(graphK ?? 1)
        var samples: [Double] = []
        for i in kept {
            samples.append(try CUDAEvent.elapsedMilliseconds(from: events[2 * i], to: events[2 * i + 1]) * 1000 / k)
        }
        var timing = Timing(samples: samples)
        if Self.paced { enqueue.record(in: &timing) }
        if Self.holdCycles > 0 {
            var holds: [Double] = []
            for i in kept { holds.append(try CUDAEvent.elapsedMilliseconds(from: holdEvents[i], to: events[2 * i]) * 1000) }
            timing.holdClockMHz = Self.clockMHz(cycles: Self.holdCycles, holdMicroseconds: holds)
        }
        return timing
    }
}

/// Repetitions for a shape: at least 50; more for small shapes, where each is cheap and noisier.
func repetitions(bytes: Int, base: Int) -> Int {
    if bytes < 16 << 20 { return max(base, 200) }
    if bytes < 256 << 20 { return max(base, 100) }
    return max(base, 50)
}

struct OursMeasurement {
    var timing: Timing
    var copy: Timing
    var plan: String
    var maxError: Double?
    /// Bytes the same-size copy moved (read + written): the variant's own byte count.
    var copyBytes: Int
}

enum GPUBench {
    /// Bandwidth of a 1 GiB device-to-device copy, counting bytes read plus written (bytes/s).
    static func copyBandwidth(timer: GPUTimer) throws -> Double {
        let n = 1 << 30
        let a = try DeviceMemory(device: timer.device, byteCount: n)
        let b = try DeviceMemory(device: timer.device, byteCount: n)
        try a.fill(byte: 1, stream: timer.stream)
        let t = try timer.measure(repetitions: 30) {
            try copyBytes(from: a, to: b, byteCount: n, stream: timer.stream)
        }
        return 2.0 * Double(n) / (t.medianMicroseconds * 1e-6)
    }

    /// Measures ours and a same-size copy at one shape; checks sampled rows against the reference.
    /// `fixedReps`: exactly that many repetitions (the graph-mode pass ahead of the timings), instead of
    /// ``repetitions(bytes:base:)``.
    static func measure(
        shape: BenchShape, timer: GPUTimer, baseReps: Int, graphK: Int?, autotune: Bool = false, fixedReps: Int? = nil
    ) throws -> OursMeasurement {
        if shape.variant != .forward {
            switch shape.type {
            case .float32: return try measureVariant(shape, Float.self, timer: timer, baseReps: baseReps, graphK: graphK, fixedReps: fixedReps)
            case .float16: return try measureVariant(shape, Float16.self, timer: timer, baseReps: baseReps, graphK: graphK, fixedReps: fixedReps)
            case .bfloat16: return try measureVariant(shape, BFloat16.self, timer: timer, baseReps: baseReps, graphK: graphK, fixedReps: fixedReps)
            }
        }
        switch shape.type {
        case .float32: return try measureTyped(shape, Float.self, timer: timer, baseReps: baseReps, graphK: graphK, autotune: autotune, fixedReps: fixedReps)
        case .float16: return try measureTyped(shape, Float16.self, timer: timer, baseReps: baseReps, graphK: graphK, autotune: autotune, fixedReps: fixedReps)
        case .bfloat16: return try measureTyped(shape, BFloat16.self, timer: timer, baseReps: baseReps, graphK: graphK, autotune: autotune, fixedReps: fixedReps)
        }
    }

    static func measureTyped<T: RMSNormElement>(
        _ shape: BenchShape, _: T.Type, timer: GPUTimer, baseReps: Int, graphK: Int?, autotune: Bool = false,
        fixedReps: Int? = nil
    ) throws -> OursMeasurement {
        let device = timer.device
        let m = shape.rows, n = shape.columns
        // Shapes under 64 MB (``inputSets``): `placements` operand sets, used in turn by successive repetitions (and
        // launches in a graph), so that the median spans several placements in memory; with one set,
        // where the allocator happened to put x and y moved small-M medians by up to ±10% (V17).
        // y: one for every set (``outputSets``), as each peer call's result takes the block its previous call freed;
        // `RMSNORM_BENCH_Y=sets` rotates ours' and the peers' outputs alike in event timing.
        let sets = inputSets(rows: m, columns: n, elementSize: T.dtype.size)
        let ySets = outputSets(inputSets: sets, graphK: graphK)
        // `RMSNORM_BENCH_OFFSET`: ours' operands start that many bytes into their allocations (the copy below keeps
        // the allocations' starts).
        let pad = benchOffsetBytes / T.dtype.size
        // The weight, the input sets and the outputs, one after another in one allocation (``BenchArena``).
        let size = T.dtype.size
        let arena = try BenchArena(device: device, bytes: [n * size] + Array(repeating: (m * n + pad) * size, count: sets + ySets))
        func matrix() throws -> DeviceMatrix<T> {
            try DeviceMatrix<T>(arena.take(m * n + pad), rows: m, columns: n, offset: pad)
        }
        let w: DeviceBuffer<T> = try arena.take(n)
        var xs: [DeviceMatrix<T>] = []
        for _ in 0..<sets { xs.append(try matrix()) }
        let y = try matrix()
        var ys = [y]
        for _ in 1..<ySets { ys.append(try matrix()) }
        let x = xs[0]
        let seed = SeededRandom.freshSeed()
        for (k, xk) in xs.enumerated() {
            if environmentVariable("RMSNORM_BENCH_DATA") == "host" {
                // Host-made normal data (a random 1 Mi-element block, tiled): checks that timings do not
                // depend on how the input was generated.
                var rng = SeededRandom(seed: seed &+ UInt64(2 * k))
                let block: [T] = rng.normals(min(m * n, 1 << 20))
                var offset = 0
                while offset < m * n {
                    let count = min(block.count, m * n - offset)
                    try xk.buffer.upload(Array(block[0..<count]), at: xk.offset + offset)
                    offset += count
                }
            } else {
                try DeviceRandom.fillNormal(xk.buffer, seed: seed &+ UInt64(2 * k), stream: timer.stream)
            }
        }
        try y.buffer.fill(byte: 0xff)
        try DeviceRandom.fillNormal(w, seed: seed &+ 1, stream: timer.stream)
        let poisonY = { () throws in try y.buffer.fill(byte: 0xff) }
        var tuned: Autotune.Entry?
        if autotune { tuned = try Autotune.tune(x, weight: w, into: y, stream: timer.stream) }
        let reps = fixedReps ?? repetitions(bytes: shape.bytes, base: baseReps)
        let eps = benchEps ?? defaultEpsilon
        var turn = 0
        let ours = try timer.measure(repetitions: reps, graphK: graphK) {
            let k = turn % sets
            turn += 1
            try rmsNorm(xs[k], weight: w, eps: eps, into: ys[k % ySets], stream: timer.stream)
        }
        let copyBytes = m * n * T.dtype.size
        turn = 0
        let copy = try timer.measure(repetitions: reps, graphK: graphK) {
            let k = turn % sets
            turn += 1
            try Self.copyBytes(from: xs[k].buffer.memory, to: ys[k % ySets].buffer.memory, byteCount: copyBytes, stream: timer.stream)
        }
        // Correctness of what was timed: recompute (in graph mode through a captured graph, whose plan may
        // differ), then compare up to 64 rows with the reference.
        try poisonY()
        if graphK != nil {
            try timer.stream.capture { try rmsNorm(x, weight: w, into: y, stream: timer.stream) }.launch(on: timer.stream)
        } else {
            try rmsNorm(x, weight: w, into: y, stream: timer.stream)
        }
        try timer.stream.synchronize()
        let maxError = try sampledError(x: x, y: y, w: w)
        var tunedNote = ""
        if let tuned {
            // The heuristic plan timed in this process too, right after the tuned one: between processes
            // the same plan's median moved by ±0.4 µs at small M (V13), more than plans differ there.
            let heuristic = launchPlan(for: x, weight: w, into: y, consultingAutotune: false)
            let th = try timer.measure(repetitions: reps, graphK: graphK) {
                try rmsNorm(x, weight: w, eps: eps, into: y, plan: heuristic, cacheHints: LaunchPlan.defaultCacheHints, stream: timer.stream)
            }
            let again = try timer.measure(repetitions: reps, graphK: graphK) {
                try rmsNorm(x, weight: w, eps: eps, into: y, stream: timer.stream)
            }
            tunedNote = " [tuned" + (tuned.cacheHints ? " +hints" : "")
                + format("; heuristic plan %.2f µs in this run, %.2f in the tuner; tuned again %.2f]", th.medianMicroseconds,
                    tuned.heuristicMicroseconds, again.medianMicroseconds)
        }
        let plan = launchPlan(for: x, weight: w, into: y, capturing: graphK != nil)
        let module = launchModule(for: x, weight: w, plan: plan, eps: eps,
            cacheHints: tuned?.cacheHints ?? LaunchPlan.defaultCacheHints)
        return OursMeasurement(
            timing: ours, copy: copy,
            plan: planColumn(plan, module) + tunedNote,
            maxError: maxError,
            copyBytes: 2 * copyBytes)
    }

    /// The report's plan column: the plan, then the row module's 5-block bound and second read of x where it has them.
    static func planColumn(_ plan: LaunchPlan, _ module: KernelSpecialization) -> String {
        plan.description + (module.rowMinBlocks > 0 ? " min-blocks=\(module.rowMinBlocks)" : "")
            + (module.refetch ? " refetch" : "")
    }

    /// Times one variant at a shape (operands allocated dense, fresh normal data), and a copy of the
    /// same byte count. Accuracy of the variants is checked by the verification table and `verify`.
    static func measureVariant<T: RMSNormElement>(
        _ shape: BenchShape, _: T.Type, timer: GPUTimer, baseReps: Int, graphK: Int? = nil, fixedReps: Int? = nil
    ) throws -> OursMeasurement {
        let device = timer.device
        let m = shape.rows, n = shape.columns
        let variant = shape.variant
        let capturing = graphK != nil
        let seed = SeededRandom.freshSeed()
        // Shapes under 64 MB (``inputSets``): `placements` sets of the inputs (x, and the residual or dy; the backward's
        // rstd from its own x), used in turn by successive repetitions, as the forward's `measureTyped` does and
        // peers.py's variants do. The outputs (y or dx, h, the fp8 bytes, dw) are one buffer each, or with
        // `RMSNORM_BENCH_Y=sets` rotate with the inputs in event timing (``outputSets``), as peers.py's then do.
        // Before session 18 the variants were timed at one placement, which moved small-M medians by up to ±10% (V17)
        // for ours and for each peer on its own.
        let sets = inputSets(rows: m, columns: n, elementSize: T.dtype.size)
        let ySets = outputSets(inputSets: sets, graphK: graphK)
        let isBackward = variant == .backward || variant == .addBackward
        let needsSecond = variant == .add || variant == .addFP8 || isBackward
        let needsThird = variant == .addBackward  // the gradient arriving at the new residual
        // Every operand, one after another in one allocation (``BenchArena``): the input sets, the weight, the outputs,
        // the backward's dw and rstds.
        let size = T.dtype.size, fp8Out = variant == .fp8 || variant == .addFP8, sums = variant == .add || variant == .addFP8
        let outputs = [m * n * (fp8Out ? 1 : size)] + (sums ? [m * n * size] : []) + (isBackward ? [n * size] : [])
        let arena = try BenchArena(device: device,
            bytes: Array(repeating: m * n * size, count: sets * (1 + (needsSecond ? 1 : 0) + (needsThird ? 1 : 0))) + [n * size]
                + Array(repeating: outputs, count: ySets).flatMap { $0 } + (isBackward ? Array(repeating: m * 4, count: sets) : []))
        func matrix<E>(_: E.Type = T.self) throws -> DeviceMatrix<E> { try DeviceMatrix<E>(arena.take(m * n), rows: m, columns: n) }
        var xs: [DeviceMatrix<T>] = []
        var seconds: [DeviceMatrix<T>] = []  // residual or dy
        var thirds: [DeviceMatrix<T>] = []  // the fused add's backward: dres
        for k in 0..<sets {
            let xk: DeviceMatrix<T> = try matrix()
            try DeviceRandom.fillNormal(xk.buffer, seed: seed &+ UInt64(4 * k), stream: timer.stream)
            xs.append(xk)
            if needsSecond {
                let sk: DeviceMatrix<T> = try matrix()
                try DeviceRandom.fillNormal(sk.buffer, seed: seed &+ UInt64(4 * k + 2), stream: timer.stream)
                seconds.append(sk)
            }
            if needsThird {
                let tk: DeviceMatrix<T> = try matrix()
                try DeviceRandom.fillNormal(tk.buffer, seed: seed &+ UInt64(4 * k + 3), stream: timer.stream)
                thirds.append(tk)
            }
        }
        let x = xs[0]
        let w: DeviceBuffer<T> = try arena.take(n)
        try DeviceRandom.fillNormal(w, seed: seed &+ 1, stream: timer.stream)
        var outs: [DeviceMatrix<T>] = [], qs: [DeviceMatrix<Float8E4M3>] = [], hs: [DeviceMatrix<T>] = []
        var dws: [DeviceBuffer<T>] = []
        for _ in 0..<ySets {
            if fp8Out {
                qs.append(try matrix(Float8E4M3.self))
            } else {
                outs.append(try matrix())
            }
            if sums { hs.append(try matrix()) }
            if isBackward { dws.append(try arena.take(n)) }
        }
        let out = outs.first, q = qs.first, h = hs.first
        var rstds: [DeviceBuffer<Float>] = []
        var options = variant.options
        if let eps = benchEps { options.eps = eps }
        let s = timer.stream
        // RMSNORM_BENCH_RECOMPUTE=1: the backward without the forward's rstd (the RECOMPUTE kernels).
        let recompute = environmentVariable("RMSNORM_BENCH_RECOMPUTE") == "1"
        if isBackward {
            for xk in xs {
                let rk: DeviceBuffer<Float> = try arena.take(m)
                try rmsNorm(xk, weight: w, into: out!, rstd: rk, stream: s)
                rstds.append(rk)
            }
        }
        var turn = 0
        func next() -> Int {
            defer { turn += 1 }
            return turn % sets
        }
        // The output set of the call that just took input set k.
        func o(_ k: Int) -> Int { k % ySets }
        let work: () throws -> Void
        var plan = ""
        // The plan column: the plan and module the variant's own call runs (its casting mode's row rules).
        func describe(_ p: (plan: LaunchPlan, module: KernelSpecialization)) -> String { planColumn(p.plan, p.module) }
        switch variant {
        case .forward, .gemma, .llama:
            work = {
                let k = next()
                try rmsNorm(xs[k], weight: w, options: options, into: outs[o(k)], stream: s)
            }
            plan = describe(variantLaunchPlan(for: x, weight: w, into: out!, options: options, capturing: capturing))
        case .add:
            work = {
                let k = next()
                try fusedAddRMSNorm(xs[k], residual: seconds[k], weight: w, options: options, into: outs[o(k)],
                    residualOut: hs[o(k)], stream: s)
            }
            plan = describe(variantLaunchPlan(for: x, residual: seconds[0], residualOut: h!, weight: w, into: out!,
                options: options, capturing: capturing))
        case .fp8:
            work = {
                let k = next()
                try rmsNormFP8(xs[k], weight: w, scale: 0.02, options: options, into: qs[o(k)], stream: s)
            }
            plan = describe(variantLaunchPlan(for: x, weight: w, into: q!, options: options, capturing: capturing))
        case .addFP8:
            work = {
                let k = next()
                try rmsNormFP8(xs[k], residual: seconds[k], weight: w, scale: 0.02, options: options, into: qs[o(k)],
                    residualOut: hs[o(k)], stream: s)
            }
            plan = describe(variantLaunchPlan(for: x, residual: seconds[0], residualOut: h!, weight: w, into: q!,
                options: options, capturing: capturing))
        case .backward, .addBackward:
            // add-backward: x stands for h, the forward's sum (the backward reads it as the forward's input), with dres.
            work = {
                let k = next()
                try rmsNormBackward(xs[k], weight: w, rstd: recompute ? nil : rstds[k], outputGradient: seconds[k],
                    residualGradient: needsThird ? thirds[k] : nil, into: outs[o(k)], weightGradient: dws[o(k)], stream: s)
            }
            plan = "backward " + backwardLaunchPlan(for: x, weight: w, outputGradient: seconds[0], residualGradient: thirds.first,
                into: out!, savedRstd: !recompute).description
        }
        let reps = fixedReps ?? repetitions(bytes: shape.bytes, base: baseReps)
        let timing = try timer.measure(repetitions: reps, graphK: graphK, work)
        // A copy moving the variant's bytes: half read (from sources used in turn, as the inputs are), half written.
        let copyBytes = shape.bytes / 2 / 16 * 16
        let copyArena = try BenchArena(device: device, bytes: Array(repeating: max(16, copyBytes), count: sets + ySets))
        var sources: [DeviceMemory] = []
        for _ in 0..<sets { sources.append((try copyArena.take(max(16, copyBytes)) as DeviceBuffer<UInt8>).memory) }
        var targets: [DeviceMemory] = []
        for _ in 0..<ySets { targets.append((try copyArena.take(max(16, copyBytes)) as DeviceBuffer<UInt8>).memory) }
        turn = 0
        let copy = try timer.measure(repetitions: reps, graphK: graphK) {
            let k = next()
            try Self.copyBytes(from: sources[k], to: targets[o(k)], byteCount: copyBytes, stream: s)
        }
        return OursMeasurement(timing: timing, copy: copy, plan: plan.isEmpty ? variant.rawValue : plan, maxError: nil,
            copyBytes: 2 * copyBytes)
    }

    /// How the copy references are made: "memcpy" (cuMemcpyDtoDAsync) or "kernel" (`rmsnorm_copy`), from
    /// `RMSNORM_BENCH_COPY`; unset: memcpy, except on a stream with programmatic dependent launch (`--pdl`),
    /// where the reference is the copy kernel launched as a dependent too (a memcpy cannot be one).
    static let copySetting = environmentVariable("RMSNORM_BENCH_COPY")

    static func copiesWithKernel(on stream: CUDAStream) -> Bool {
        copySetting == "kernel" || (copySetting == nil && stream.usesProgrammaticLaunch)
    }

    static func copyBytes(from a: DeviceMemory, to b: DeviceMemory, byteCount: Int, stream: CUDAStream) throws {
        if copiesWithKernel(on: stream) && byteCount % 16 == 0 {
            try DeviceRandom.copy(from: a, to: b, byteCount: byteCount, stream: stream)
        } else {
            try DeviceMemory.copy(from: a, to: b, byteCount: byteCount, stream: stream)
        }
    }

    /// Operand sets a small shape is timed over (`RMSNORM_BENCH_PLACEMENTS`, default 8; 1 = one set).
    static let placements = max(1, environmentVariable("RMSNORM_BENCH_PLACEMENTS").flatMap { Int($0) } ?? 8)

    /// Output sets a shape is timed over: one (the default), as each peer call's result takes the block its previous
    /// call freed; with `RMSNORM_BENCH_Y=sets`, one per input set in event timing, and peers.py keeps each peer's
    /// results alive for as many calls (`holding`), so both rotate. Never in graph mode, where the launches run back to
    /// back without a flush and a y per set doubled ours' footprint (V19). V85 (s33b) measured the rotation as the
    /// default: it did not narrow the spread between processes, and ours and our copy ran ~3% slower at 16 rows.
    static func outputSets(inputSets: Int, graphK: Int?) -> Int {
        graphK == nil && environmentVariable("RMSNORM_BENCH_Y") == "sets" ? inputSets : 1
    }

    /// Input sets a shape is timed over, for every method and variant: `placements` where x and a y of its size
    /// come to under 64 MB (2 · M · N · size; peers.py applies the same rule), else one.
    static func inputSets(rows: Int, columns: Int, elementSize: Int, placements: Int = GPUBench.placements) -> Int {
        2 * rows * columns * elementSize < 64 << 20 ? placements : 1
    }

    /// `RMSNORM_BENCH_OFFSET` (bytes, a multiple of 16; default 0): the plain forward's x and y start this far into
    /// their allocations, to see whether where the operands land moves ours' time (session 26: ours and our copy
    /// 1.8% slower on one H200 machine than another while the peers' kernels were not, and one staged plan 3.7%
    /// apart between processes).
    static let benchOffsetBytes: Int = environmentVariable("RMSNORM_BENCH_OFFSET").flatMap { Int($0) }
        .flatMap { $0 >= 0 && $0 % 16 == 0 ? $0 : nil } ?? 0

    /// Whether ours' operands are carved from one allocation (``BenchArena``): unless `RMSNORM_BENCH_POOL=0`.
    static let benchPool = environmentVariable("RMSNORM_BENCH_POOL") != "0"

    /// RMSNORM_BENCH_EPS: eps for every timed call (e.g. 0, to time the TINY_EPS modules); the default else.
    static let benchEps: Float? = environmentVariable("RMSNORM_BENCH_EPS").flatMap { Float($0) }

    static func sampledError<T: RMSNormElement>(x: DeviceMatrix<T>, y: DeviceMatrix<T>, w: DeviceBuffer<T>) throws -> Double {
        let m = x.rows, n = x.columns
        let sample = Array(Set((0..<min(m, 64)).map { m <= 64 ? $0 : $0 * (m - 1) / 63 })).sorted()
        let weight = try w.download()
        var worst = 0.0
        let size = MemoryLayout<T>.stride
        for r in sample {
            var xr = [T](repeating: T(rounding: Float(0)), count: n)
            var yr = xr
            try xr.withUnsafeMutableBytes { try x.buffer.memory.download(into: $0, offset: (x.offset + r * x.rowStride) * size) }
            try yr.withUnsafeMutableBytes { try y.buffer.memory.download(into: $0, offset: (y.offset + r * y.rowStride) * size) }
            let ref = RMSNormReference.forward(xr, weight: weight)
            for c in 0..<n { worst = max(worst, Tolerance.error(yr[c], reference: ref.y[c])) }
        }
        return worst
    }

    /// Verification table for ours: fixed shapes, fresh data, every element checked.
    static let verifyShapes: [(Int, Int, DType)] = [
        (1024, 128, .float32), (199, 769, .float32), (64, 65536, .float32),
        (4096, 4096, .bfloat16), (7, 7168, .bfloat16), (199, 1000, .float16), (16, 262_144, .bfloat16),
    ]

    static func verifyOurs(device: CUDADevice, variant: BenchVariant = .forward) -> [(BenchShape, Double, Bool)] {
        if let kind = CPUBench.variantKind(variant) {
            return verifyShapes.map { (m, n, d) in
                var shape = BenchShape(suite: "verify", rows: m, columns: n, dtype: d)
                shape.variant = variant
                if kind == .llama && d == .float32 { return (shape, 0, true) }
                let c = VariantCase(kind: kind, input: d, weight: d, rows: m, columns: n, layout: .dense)
                do {
                    let r = try c.check(GPUExecutor(device: device))
                    return (shape, r.maxError, r.detail.isEmpty)
                } catch {
                    return (shape, .nan, false)
                }
            }
        }
        return verifyShapes.map { (m, n, d) in
            let c = ConformanceCase(input: d, weight: d, rows: m, columns: n, layout: .dense)
            let shape = BenchShape(suite: "verify", rows: m, columns: n, dtype: d)
            do {
                let r = try Conformance.runCase(c, device: device)
                return (shape, r.maxError, r.passed)
            } catch {
                return (shape, .nan, false)
            }
        }
    }
}

/// Ours' operands at one shape, carved one after another (each start 512-byte aligned) from one allocation, as PyTorch's
/// caching allocator packs a peer's tensors into its segments: separate driver allocations for x's input sets cost ours
/// and our copy 1–3% at 1–16 rows against the same layout packed (V87, s33h), a cost the peers never paid.
/// `RMSNORM_BENCH_POOL=0`: an allocation each (the way before session 33).
final class BenchArena {
    let device: CUDADevice
    let pool: DeviceBuffer<UInt8>?
    private var next = 0

    /// Room for operands of `bytes` each (in any order), each rounded up to 512 bytes.
    init(device: CUDADevice, bytes: [Int], pooled: Bool = GPUBench.benchPool) throws {
        self.device = device
        pool = pooled ? try DeviceBuffer<UInt8>(device: device, count: bytes.reduce(0) { $0 + Self.rounded($1) }) : nil
    }

    static func rounded(_ bytes: Int) -> Int { (bytes + 511) / 512 * 512 }

    /// The next `count` elements of the arena (or, unpooled, an allocation of their own).
    func take<E: BitwiseCopyable>(_ count: Int) throws -> DeviceBuffer<E> {
        guard let pool else { return try DeviceBuffer<E>(device: device, count: count) }
        let bytes = count * MemoryLayout<E>.stride
        defer { next += Self.rounded(bytes) }
        return DeviceBuffer<E>(aliasing: try DeviceBuffer<UInt8>(slicing: pool, offset: next, count: bytes))
    }
}
