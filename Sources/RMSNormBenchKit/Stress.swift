import ArgumentParser
import Dispatch
import FoundationEssentials
import RMSNorm
import RMSNormTestSupport
import Synchronization

/// `rmsnorm-bench stress`: many threads calling the GPU path at once must give bit-identical
/// results to a single-threaded run, and repeated calls must not leak device memory.
struct Stress: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stress",
        abstract: "Concurrency (threads × calls, shared and separate streams) and device-memory leak checks on the GPU.")

    @Option(help: "Threads calling at once.")
    var threads: Int = 8

    @Option(help: "Calls per thread.")
    var calls: Int = 1000

    @Option(help: "Calls of the allocating API for the leak check.")
    var leakCalls: Int = 10_000

    @Option(help: "GPU ordinal.")
    var device: Int = 0

    /// A case with its inputs on the device and the single-threaded outputs as raw bytes (y; y and h
    /// for the fused add; dx and dw for the backward).
    struct Case: @unchecked Sendable {
        var name: String
        var run: ([DeviceBuffer<UInt8>], CUDAStream?) throws -> Void
        var outputBytes: [Int]
        var golden: [[UInt8]]
    }

    func run() throws {
        let gpu = try CUDADevice.get(device)
        print("stress on \(gpu.name): \(threads) threads × \(calls) calls, then \(leakCalls) calls for leaks")
        var passed = 0, failed = 0
        func report(_ ok: Bool, _ text: String) {
            if ok { passed += 1 } else { failed += 1 }
            print("\(ok ? "PASS" : "FAIL")  \(text)")
        }

        var cases: [Case] = []
        var rng = SeededRandom(seed: SeededRandom.freshSeed())
        func addCase(_ name: String, _ bytes: [Int], _ run: @escaping ([DeviceBuffer<UInt8>], CUDAStream?) throws -> Void) throws {
            let outs = try bytes.map { try DeviceBuffer<UInt8>(device: gpu, count: $0) }
            try run(outs, nil)
            try gpu.synchronize()
            cases.append(Case(name: name, run: run, outputBytes: bytes, golden: try outs.map { try $0.download() }))
        }
        // Views of an output byte buffer as a typed matrix or vector (same memory).
        func matrix<E>(_ out: DeviceBuffer<UInt8>, _ m: Int, _ n: Int) throws -> DeviceMatrix<E> {
            try DeviceMatrix(DeviceBuffer<E>(aliasing: out), rows: m, columns: n)
        }
        func input<T: RMSNormElement>(_ m: Int, _ n: Int) throws -> DeviceMatrix<T> {
            try DeviceMatrix(DeviceBuffer<T>(device: gpu, copying: rng.normals(m * n)), rows: m, columns: n)
        }
        func add<T: RMSNormElement, W: RMSNormElement>(_: T.Type, _: W.Type, _ m: Int, _ n: Int) throws {
            let x: DeviceMatrix<T> = try input(m, n)
            let w = try DeviceBuffer<W>(device: gpu, copying: rng.normals(n))
            try addCase("\(T.dtype)/w:\(W.dtype) \(m)x\(n)", [m * n * MemoryLayout<T>.stride]) { outs, stream in
                try rmsNorm(x, weight: w, into: matrix(outs[0], m, n), stream: stream)
            }
        }
        try add(Float.self, Float.self, 7, 769)
        try add(BFloat16.self, BFloat16.self, 199, 4096)
        try add(Float16.self, Float.self, 64, 1000)
        try add(BFloat16.self, Float.self, 1, 7168)
        try add(Float.self, Float.self, 33, 96)
        try add(BFloat16.self, BFloat16.self, 16, 11008)
        try add(Float.self, Float.self, 3, 65536)

        // The variants: fused add (y and h), Gemma offset, fp8 output, backward (dx and dw, with the
        // stream-ordered scratch of its dw partials) with and without the forward's rstd.
        do {
            let (m, n) = (199, 4096)
            let x: DeviceMatrix<BFloat16> = try input(m, n), r: DeviceMatrix<BFloat16> = try input(m, n)
            let w = try DeviceBuffer<BFloat16>(device: gpu, copying: rng.normals(n))
            try addCase("fused add bf16 \(m)x\(n)", [m * n * 2, m * n * 2]) { outs, stream in
                try fusedAddRMSNorm(x, residual: r, weight: w, into: matrix(outs[0], m, n), residualOut: matrix(outs[1], m, n),
                    stream: stream)
            }
        }
        do {
            let (m, n) = (64, 1000)
            let x: DeviceMatrix<Float16> = try input(m, n)
            let w = try DeviceBuffer<Float16>(device: gpu, copying: rng.normals(n, scale: 0.1))
            try addCase("gemma fp16 \(m)x\(n)", [m * n * 2]) { outs, stream in
                try rmsNorm(x, weight: w, options: .gemma(), into: matrix(outs[0], m, n), stream: stream)
            }
        }
        do {
            let (m, n) = (33, 7168)
            let x: DeviceMatrix<BFloat16> = try input(m, n), r: DeviceMatrix<BFloat16> = try input(m, n)
            let w = try DeviceBuffer<Float>(device: gpu, copying: rng.normals(n))
            try addCase("fused add + fp8 bf16/w:fp32 \(m)x\(n)", [m * n, m * n * 2]) { outs, stream in
                try rmsNormFP8(x, residual: r, weight: w, scale: 0.02, options: .init(casting: .llama),
                    into: matrix(outs[0], m, n), residualOut: matrix(outs[1], m, n), stream: stream)
            }
        }
        func backward<T: RMSNormElement, W: RMSNormElement>(_: T.Type, _: W.Type, _ m: Int, _ n: Int, savedRstd: Bool,
            residualGradient: Bool) throws
        {
            let x: DeviceMatrix<T> = try input(m, n), dy: DeviceMatrix<T> = try input(m, n)
            let w = try DeviceBuffer<W>(device: gpu, copying: rng.normals(n))
            let dres: DeviceMatrix<T>? = residualGradient ? try input(m, n) : nil
            var rstd: DeviceBuffer<Float>? = nil
            if savedRstd {
                let s = try DeviceBuffer<Float>(device: gpu, count: m)
                try rmsNorm(x, weight: w, into: DeviceMatrix(device: gpu, rows: m, columns: n), rstd: s)
                try gpu.synchronize()
                rstd = s
            }
            let name = "backward \(T.dtype)/w:\(W.dtype) \(m)x\(n)" + (savedRstd ? "" : " (rstd recomputed)")
                + (residualGradient ? " + residual gradient" : "")
            try addCase(name, [m * n * MemoryLayout<T>.stride, n * MemoryLayout<W>.stride]) { outs, stream in
                try rmsNormBackward(x, weight: w, rstd: rstd, outputGradient: dy, residualGradient: dres,
                    into: matrix(outs[0], m, n), weightGradient: DeviceBuffer<W>(aliasing: outs[1]), stream: stream)
            }
        }
        try backward(BFloat16.self, BFloat16.self, 64, 4096, savedRstd: true, residualGradient: false)
        try backward(Float.self, Float.self, 7, 769, savedRstd: false, residualGradient: false)
        try backward(BFloat16.self, Float.self, 2048, 2048, savedRstd: true, residualGradient: true)
        try backward(Float16.self, Float16.self, 3, 65536, savedRstd: false, residualGradient: false)

        // Concurrency: even threads share one stream, odd threads have their own.
        let all = cases
        let shared = try CUDAStream(device: gpu)
        let mismatches = Mutex<[String]>([])
        let errors = Mutex<[String]>([])
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            do {
                let stream = t % 2 == 0 ? shared : try CUDAStream(device: gpu)
                let outs = try all.map { c in try c.outputBytes.map { try DeviceBuffer<UInt8>(device: gpu, count: $0) } }
                for call in 0..<calls {
                    let i = (call * 7 + t) % all.count
                    for o in outs[i] { try o.memory.fill(byte: 0xff, stream: stream) }
                    try all[i].run(outs[i], stream)
                    try stream.synchronize()
                    if try outs[i].map({ try $0.download() }) != all[i].golden {
                        mismatches.withLock { $0.append("thread \(t) call \(call) \(all[i].name)") }
                    }
                }
            } catch {
                errors.withLock { $0.append("thread \(t): \(error)") }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let bad = mismatches.withLock { $0 }, errs = errors.withLock { $0 }
        var text = "\(threads) threads × \(calls) calls over \(all.count) shapes/dtypes, shared and own streams: "
        text += "\(bad.count) results differ from the single-threaded run, \(errs.count) errors"
        text += format(" (%.1f s)", seconds)
        if let first = bad.first { text += "; first: " + first }
        if let first = errs.first { text += "; " + first }
        report(bad.isEmpty && errs.isEmpty, text)

        // Leaks: device memory free before and after many allocating calls.
        try gpu.synchronize()
        let before = try gpu.memoryInfo().free
        let x = try DeviceMatrix(DeviceBuffer<BFloat16>(device: gpu, copying: rng.normals(64 * 4096)), rows: 64, columns: 4096)
        let w = try DeviceBuffer<BFloat16>(device: gpu, copying: rng.normals(4096))
        let hostX: [Float] = rng.normals(8 * 256), hostW: [Float] = rng.normals(256), hostDy: [Float] = rng.normals(8 * 256)
        let dy = try DeviceMatrix(DeviceBuffer<BFloat16>(device: gpu, copying: rng.normals(64 * 4096)), rows: 64, columns: 4096)
        let dx = try DeviceMatrix<BFloat16>(device: gpu, rows: 64, columns: 4096)
        let dw = try DeviceBuffer<BFloat16>(device: gpu, count: 4096)
        for i in 0..<leakCalls {
            switch i % 10 {
            case 0: _ = try rmsNorm(hostX, weight: hostW, backend: .cuda(device: device))
            case 3: _ = try rmsNormBackward(hostX, weight: hostW, outputGradient: hostDy, backend: .cuda(device: device))
            case 5:
                var residual = hostDy
                _ = try fusedAddRMSNorm(hostX, residual: &residual, weight: hostW, backend: .cuda(device: device))
            case 7: try rmsNormBackward(x, weight: w, outputGradient: dy, into: dx, weightGradient: dw)  // scratch from the pool
            default: _ = try rmsNorm(x, weight: w)
            }
        }
        try gpu.synchronize()
        _ = (x, w, dy, dx, dw)
        let after = try gpu.memoryInfo().free
        report(after >= before - (2 << 20) && after <= before + (2 << 20),
            "\(leakCalls) allocating calls: free device memory \(before >> 20) MiB before, \(after >> 20) MiB after")
        // Out of memory, for real: hold every free byte of the device, then call. `.automatic` must give
        // the CPU's result (host-array forms), `.cuda` a clear out-of-memory error; after release, the GPU
        // path works again.
        do {
            var hold: [DeviceBuffer<UInt8>] = []
            var chunk = 1 << 30
            while chunk >= 1 << 20 {
                do { hold.append(try DeviceBuffer<UInt8>(device: gpu, count: chunk)) } catch { chunk >>= 2 }
            }
            let left = try gpu.memoryInfo().free
            let mx: [Float] = rng.normals(64 * 4096), mw: [Float] = rng.normals(4096), mdy: [Float] = rng.normals(64 * 4096)
            let cpuY = try rmsNorm(mx, weight: mw, backend: .cpu)
            let cpuG = try rmsNormBackward(mx, weight: mw, outputGradient: mdy, backend: .cpu)
            var problems: [String] = []
            let autoY = try rmsNorm(mx, weight: mw, backend: .automatic)
            if autoY != cpuY { problems.append(".automatic forward differs from the CPU's result") }
            let autoG = try rmsNormBackward(mx, weight: mw, outputGradient: mdy, backend: .automatic)
            if autoG.dx != cpuG.dx || autoG.dw != cpuG.dw { problems.append(".automatic backward differs from the CPU's result") }
            do {
                _ = try rmsNorm(mx, weight: mw, backend: .cuda(device: device))
                problems.append(".cuda succeeded with \(left >> 20) MiB free (the test did not exhaust memory)")
            } catch {
                if !"\(error)".contains("OUT_OF_MEMORY") { problems.append(".cuda threw something else: \(error)") }
            }
            hold.removeAll()
            let again = try rmsNorm(mx, weight: mw, backend: .cuda(device: device))
            let worst = zip(again, cpuY).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            if worst > 2e-5 { problems.append("GPU after release differs from the CPU by \(worst)") }
            report(problems.isEmpty, "device out of memory (\(left >> 20) MiB left free): .automatic falls back to the CPU, "
                + ".cuda throws, the GPU works after release" + (problems.isEmpty ? "" : " — " + problems.joined(separator: "; ")))
        }
        // Operands on two GPUs: every launcher must refuse them (deviceMismatch) before writing anything;
        // the second GPU alone gives the first one's bits.
        if try CUDADevice.count() >= 2 {
            let other = try CUDADevice.get(device == 0 ? 1 : 0)
            let (m, n) = (64, 4096)
            let hx: [BFloat16] = rng.normals(m * n), hw: [BFloat16] = rng.normals(n), hdy: [BFloat16] = rng.normals(m * n)
            let x0 = try DeviceMatrix(DeviceBuffer(device: gpu, copying: hx), rows: m, columns: n)
            let w0 = try DeviceBuffer(device: gpu, copying: hw)
            let x1 = try DeviceMatrix(DeviceBuffer(device: other, copying: hx), rows: m, columns: n)
            let w1 = try DeviceBuffer(device: other, copying: hw)
            let dy1 = try DeviceMatrix(DeviceBuffer(device: other, copying: hdy), rows: m, columns: n)
            let y0 = try DeviceMatrix<BFloat16>(device: gpu, rows: m, columns: n)
            let y1 = try DeviceMatrix<BFloat16>(device: other, rows: m, columns: n)
            let dw0 = try DeviceBuffer<BFloat16>(device: gpu, count: n)
            try y0.buffer.fill(byte: 0x5a)
            try y1.buffer.fill(byte: 0x5a)
            var problems: [String] = []
            func refused(_ what: String, _ body: () throws -> Void) {
                do { try body(); problems.append("\(what) accepted") } catch let e as RMSNormError {
                    if case .deviceMismatch = e {} else { problems.append("\(what): \(e)") }
                } catch { problems.append("\(what): \(error)") }
            }
            refused("weight on the other GPU") { try rmsNorm(x0, weight: w1, into: y0) }
            refused("y on the other GPU") { try rmsNorm(x0, weight: w0, into: y1) }
            refused("fused add, residual on the other GPU") {
                try fusedAddRMSNorm(x0, residual: x1, weight: w0, into: y0, residualOut: y1)
            }
            refused("backward, dy on the other GPU") { try rmsNormBackward(x0, weight: w0, outputGradient: dy1, into: y0, weightGradient: dw0) }
            try gpu.synchronize()
            try other.synchronize()
            if try y0.buffer.download().contains(where: { $0.bitPattern != 0x5a5a }) { problems.append("y on GPU \(gpu.ordinal) was written") }
            if try y1.buffer.download().contains(where: { $0.bitPattern != 0x5a5a }) { problems.append("y on GPU \(other.ordinal) was written") }
            try rmsNorm(x0, weight: w0, into: y0)
            try rmsNorm(x1, weight: w1, into: y1)
            try gpu.synchronize()
            try other.synchronize()
            if try y0.buffer.download().map(\.bitPattern) != y1.buffer.download().map(\.bitPattern) {
                problems.append("GPU \(gpu.ordinal) and GPU \(other.ordinal) differ")
            }
            report(problems.isEmpty, "operands on GPU \(gpu.ordinal) and GPU \(other.ordinal): refused by the forward, fused add and "
                + "backward, nothing written; each GPU alone gives the same bits" + (problems.isEmpty ? "" : " — " + problems.joined(separator: "; ")))
        } else {
            print("SKIP  operands on two GPUs: this machine has one (not counted)")
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
