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

    /// A case with its inputs on the device and the single-threaded output as raw bytes.
    struct Case: @unchecked Sendable {
        var name: String
        var run: (DeviceBuffer<UInt8>, CUDAStream?) throws -> Void
        var outputBytes: Int
        var golden: [UInt8]
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
        func add<T: RMSNormElement, W: RMSNormElement>(_: T.Type, _: W.Type, _ m: Int, _ n: Int) throws {
            let x = try DeviceMatrix(DeviceBuffer<T>(device: gpu, copying: rng.normals(m * n)), rows: m, columns: n)
            let w = try DeviceBuffer<W>(device: gpu, copying: rng.normals(n))
            let bytes = m * n * MemoryLayout<T>.stride
            let run: (DeviceBuffer<UInt8>, CUDAStream?) throws -> Void = { out, stream in
                // View the byte buffer as T: same memory, typed by a matrix over a re-typed buffer.
                let y = try DeviceMatrix(DeviceBuffer<T>(aliasing: out), rows: m, columns: n)
                try rmsNorm(x, weight: w, into: y, stream: stream)
            }
            let out = try DeviceBuffer<UInt8>(device: gpu, count: bytes)
            try run(out, nil)
            try gpu.synchronize()
            cases.append(Case(name: "\(T.dtype)/w:\(W.dtype) \(m)x\(n)", run: run, outputBytes: bytes, golden: try out.download()))
        }
        try add(Float.self, Float.self, 7, 769)
        try add(BFloat16.self, BFloat16.self, 199, 4096)
        try add(Float16.self, Float.self, 64, 1000)
        try add(BFloat16.self, Float.self, 1, 7168)
        try add(Float.self, Float.self, 33, 96)
        try add(BFloat16.self, BFloat16.self, 16, 11008)
        try add(Float.self, Float.self, 3, 65536)

        // Concurrency: even threads share one stream, odd threads have their own.
        let all = cases
        let shared = try CUDAStream(device: gpu)
        let mismatches = Mutex<[String]>([])
        let errors = Mutex<[String]>([])
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            do {
                let stream = t % 2 == 0 ? shared : try CUDAStream(device: gpu)
                let outs = try all.map { try DeviceBuffer<UInt8>(device: gpu, count: $0.outputBytes) }
                for call in 0..<calls {
                    let i = (call * 7 + t) % all.count
                    try outs[i].memory.fill(byte: 0xff, stream: stream)
                    try all[i].run(outs[i], stream)
                    try stream.synchronize()
                    if try outs[i].download() != all[i].golden {
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
        let hostX: [Float] = rng.normals(8 * 256), hostW: [Float] = rng.normals(256)
        for i in 0..<leakCalls {
            if i % 10 == 0 {
                _ = try rmsNorm(hostX, weight: hostW, backend: .cuda(device: device))
            } else {
                _ = try rmsNorm(x, weight: w)
            }
        }
        try gpu.synchronize()
        _ = (x, w)
        let after = try gpu.memoryInfo().free
        report(after >= before - (2 << 20) && after <= before + (2 << 20),
            "\(leakCalls) allocating calls: free device memory \(before >> 20) MiB before, \(after >> 20) MiB after")
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
