import RMSNorm
import RMSNormTestSupport

extension Conformance {
    /// The check of streams created with `programmaticDependentLaunch`: a chain of calls in which each
    /// reads what the one before it wrote (forward → fused add → forward → fp8 → backward), so a kernel
    /// that read before its wait would see the poison. Run on such a stream, eagerly and as a replayed
    /// graph, the chain must give the reference's results and the same bits as on an ordinary stream; the
    /// backward captured on an ordinary stream must give the bits of the same call made eagerly.
    /// The shapes cover the plan families: register rows, odd N, clusters, split rows, long loops.
    static func programmaticLaunchCheck(device: CUDADevice) throws -> String {
        var problems: [String] = []
        let ordinary = try CUDAStream(device: device)
        let dependent = try CUDAStream(device: device, programmaticDependentLaunch: true)
        if device.arch >= 90 && !dependent.usesProgrammaticLaunch {
            problems.append("sm_\(device.arch): the stream does not use programmatic launch")
        }
        let shapes: [(DType, Int, Int)] = [(.float32, 4096, 4096), (.bfloat16, 199, 7168), (.float32, 7, 769),
            (.float16, 3, 65_536), (.float32, 2, 262_144), (.bfloat16, 1, 1), (.float32, 64, 300_000)]
        for (dtype, m, n) in shapes {
            let found: [String]
            switch dtype {
            case .float32: found = try chain(Float.self, device: device, rows: m, columns: n, ordinary: ordinary, dependent: dependent)
            case .float16: found = try chain(Float16.self, device: device, rows: m, columns: n, ordinary: ordinary, dependent: dependent)
            case .bfloat16: found = try chain(BFloat16.self, device: device, rows: m, columns: n, ordinary: ordinary, dependent: dependent)
            }
            problems += found.map { "\(dtype) \(m)x\(n) \($0)" }
        }
        return problems.joined(separator: "; ")
    }

    private static func chain<T: RMSNormElement>(
        _: T.Type, device: CUDADevice, rows m: Int, columns n: Int, ordinary: CUDAStream, dependent: CUDAStream
    ) throws -> [String] {
        var rng = SeededRandom(seed: SeededRandom.freshSeed())
        let xh = rng.normals(m * n, as: T.self), rh = rng.normals(m * n, as: T.self), wh = rng.normals(n, as: T.self)
        let x = try DeviceMatrix(DeviceBuffer(device: device, copying: xh), rows: m, columns: n)
        let r = try DeviceMatrix(DeviceBuffer(device: device, copying: rh), rows: m, columns: n)
        let w = try DeviceBuffer(device: device, copying: wh)
        let y1 = try DeviceMatrix<T>(device: device, rows: m, columns: n)
        let y2 = try DeviceMatrix<T>(device: device, rows: m, columns: n)
        let h = try DeviceMatrix<T>(device: device, rows: m, columns: n)
        let y3 = try DeviceMatrix<T>(device: device, rows: m, columns: n)
        let f8 = try DeviceMatrix<Float8E4M3>(device: device, rows: m, columns: n)
        let dx = try DeviceMatrix<T>(device: device, rows: m, columns: n)
        let dw = try DeviceBuffer<T>(device: device, count: n)
        let rstd = try DeviceBuffer<Float>(device: device, count: m)

        func run(on stream: CUDAStream) throws {
            try rmsNorm(x, weight: w, into: y1, rstd: rstd, stream: stream)
            try fusedAddRMSNorm(y1, residual: r, weight: w, into: y2, residualOut: h, stream: stream)
            try rmsNorm(h, weight: w, into: y3, stream: stream)
            try rmsNormFP8(y3, weight: w, scale: 1.0 / 64, into: f8, stream: stream)
            try rmsNormBackward(h, weight: w, outputGradient: y3, into: dx, weightGradient: dw, stream: stream)
        }
        func poison() throws {
            for b in [y1.buffer, y2.buffer, h.buffer, y3.buffer, dx.buffer] { try b.fill(byte: 0xff) }
            try f8.buffer.fill(byte: 0xff)
            try dw.fill(byte: 0xff)
            try rstd.fill(byte: 0xff)
            try device.synchronize()
        }
        func bytes<E: BitwiseCopyable>(_ a: [E]) -> [UInt8] { a.withUnsafeBytes { Array($0) } }
        // Every output's bytes, in a fixed order.
        func outputs() throws -> [[UInt8]] {
            [bytes(try y1.buffer.download()), bytes(try y2.buffer.download()), bytes(try h.buffer.download()),
                bytes(try y3.buffer.download()), bytes(try dx.buffer.download()), bytes(try dw.download()),
                bytes(try f8.buffer.download()), bytes(try rstd.download())]
        }

        var problems: [String] = []
        try poison()
        try run(on: ordinary)
        try ordinary.synchronize()
        let expected = try outputs()
        // The ordinary run against the reference, stage by stage (each from the previous stage's GPU output).
        let y1h = try y1.buffer.download(), hh = try h.buffer.download(), y2h = try y2.buffer.download()
        func compare(_ label: String, _ got: [T], _ source: [T]) {
            let ref = source.withUnsafeBufferPointer { s in
                wh.withUnsafeBufferPointer { wp in
                    RMSNormReference.forward(s, residual: nil, rows: m, columns: n, rowStride: n, residualRowStride: n,
                        weight: wp, options: .init())
                }
            }
            let c = Comparison.compare(output: got, rows: m, columns: n, stride: n, reference: ref.y)
            if !c.passed { problems.append("\(label): \(c)") }
        }
        compare("forward", y1h, xh)
        let sum = zip(y1h, rh).map { T(rounding: Double($0.floatValue) + Double($1.floatValue)) }
        if bytes(hh) != bytes(sum) { problems.append("fused add: h differs from y1 + residual") }
        compare("fused add", y2h, hh)

        try poison()
        try run(on: dependent)
        try dependent.synchronize()
        if try outputs() != expected { problems.append("programmatic launch: results differ from the ordinary stream's") }

        // Graphs: captured calls may take other plans (split rows from 64 KB), so the reference is the same
        // chain captured on the ordinary stream.
        let ordinaryGraph = try ordinary.capture { try run(on: ordinary) }
        try poison()
        try ordinaryGraph.launch(on: ordinary)
        try ordinary.synchronize()
        let expectedGraph = try outputs()
        compare("graph forward", try y1.buffer.download(), xh)
        // The captured backward (partial rows: its dw reduction is a programmatic dependent of the row kernel on
        // sm_90+ even on an ordinary stream, V54) against the same call made eagerly on the graph's own h and y3:
        // the backward's plans do not depend on capture, so the bits must match.
        let dxEager = try DeviceMatrix<T>(device: device, rows: m, columns: n)
        let dwEager = try DeviceBuffer<T>(device: device, count: n)
        try dxEager.buffer.fill(byte: 0xff)
        try dwEager.fill(byte: 0xff)
        try rmsNormBackward(h, weight: w, outputGradient: y3, into: dxEager, weightGradient: dwEager, stream: ordinary)
        try ordinary.synchronize()
        let dxBytes = bytes(try dxEager.buffer.download()), dwBytes = bytes(try dwEager.download())
        if dxBytes != expectedGraph[4] || dwBytes != expectedGraph[5] {
            problems.append("graph backward on an ordinary stream: dx or dw differs from the same call made eagerly")
        }
        let graph = try dependent.capture { try run(on: dependent) }
        for replay in 1...2 {
            try poison()
            try graph.launch(on: dependent)
            try dependent.synchronize()
            if try outputs() != expectedGraph {
                problems.append("graph of programmatic launches, replay \(replay): results differ from the ordinary stream's graph")
            }
        }
        return problems
    }
}
