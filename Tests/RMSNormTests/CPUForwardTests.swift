import Testing
import RMSNormTestSupport
@testable import RMSNorm

/// Runs the CPU fast path on fresh random data and compares every element with the fp64 reference.
func checkCPU<T: RMSNormElement, W: RMSNormElement>(
    _: T.Type, _: W.Type, rows: Int, columns: Int, pad: Int = 0, inPlace: Bool = false, scale: Double = 1,
    seed: UInt64 = SeededRandom.freshSeed()
) throws {
    var rng = SeededRandom(seed: seed)
    let stride = columns + pad
    let x: [T] = rng.normals(rows * stride, scale: scale)
    let w: [W] = rng.normals(columns)
    let ref = x.withUnsafeBufferPointer { xb in
        w.withUnsafeBufferPointer { wb in
            RMSNormReference.forward(xb, rows: rows, columns: columns, rowStride: stride, weight: wb, eps: 1e-6)
        }
    }
    let poison = T(rounding: Float.nan)
    var y = inPlace ? x : [T](repeating: poison, count: rows * stride)
    var rstd = [Float](repeating: .nan, count: rows)
    if inPlace {
        try y.withUnsafeMutableBufferPointer { (yb) throws(RMSNormError) in
            try w.withUnsafeBufferPointer { (wb) throws(RMSNormError) in
                try rstd.withUnsafeMutableBufferPointer { (rb) throws(RMSNormError) in
                    try rmsNorm(UnsafeBufferPointer(yb), rows: rows, columns: columns, rowStride: stride,
                        weight: wb, into: yb, outputRowStride: stride, rstd: rb)
                }
            }
        }
    } else {
        try x.withUnsafeBufferPointer { (xb) throws(RMSNormError) in
            try y.withUnsafeMutableBufferPointer { (yb) throws(RMSNormError) in
                try w.withUnsafeBufferPointer { (wb) throws(RMSNormError) in
                    try rstd.withUnsafeMutableBufferPointer { (rb) throws(RMSNormError) in
                        try rmsNorm(xb, rows: rows, columns: columns, rowStride: stride, weight: wb,
                            into: yb, outputRowStride: stride, rstd: rb)
                    }
                }
            }
        }
    }
    let c = Comparison.compare(
        output: y, rows: rows, columns: columns, stride: stride, reference: ref.y,
        poisonCheck: inPlace ? { y[$0].floatValue == x[$0].floatValue || x[$0].floatValue.isNaN } : { y[$0].floatValue.isNaN })
    #expect(c.passed, "\(T.self)/\(W.self) \(rows)x\(columns) pad \(pad) inPlace \(inPlace) seed \(seed): \(c)")
    for r in 0..<rows {
        let e = abs(Double(rstd[r]) - ref.rstd[r]) / ref.rstd[r]
        #expect(e <= 1e-5, "rstd row \(r) seed \(seed): \(rstd[r]) vs \(ref.rstd[r])")
    }
}

let cpuRows = [1, 7, 199, 4096]
let cpuColumns = [1, 3, 8, 96, 128, 760, 769, 1000, 4096, 7168, 11008, 65536]

@Suite struct CPUForwardTests {
    @Test(arguments: cpuColumns)
    func float32(columns: Int) throws {
        for rows in cpuRows where rows * columns <= 16_777_216 {
            try checkCPU(Float.self, Float.self, rows: rows, columns: columns)
        }
    }

    @Test(arguments: cpuColumns)
    func float16(columns: Int) throws {
        for rows in cpuRows where rows * columns <= 16_777_216 {
            try checkCPU(Float16.self, Float16.self, rows: rows, columns: columns)
            try checkCPU(Float16.self, Float.self, rows: rows, columns: columns)
        }
    }

    @Test(arguments: cpuColumns)
    func bfloat16(columns: Int) throws {
        for rows in cpuRows where rows * columns <= 16_777_216 {
            try checkCPU(BFloat16.self, BFloat16.self, rows: rows, columns: columns)
            try checkCPU(BFloat16.self, Float.self, rows: rows, columns: columns)
        }
    }

    @Test func stridedAndInPlace() throws {
        for columns in [1, 3, 96, 769, 4096] {
            try checkCPU(Float.self, Float.self, rows: 7, columns: columns, pad: 5)
            try checkCPU(BFloat16.self, Float.self, rows: 199, columns: columns, pad: 3)
            try checkCPU(Float16.self, Float16.self, rows: 7, columns: columns, inPlace: true)
            try checkCPU(Float.self, Float.self, rows: 199, columns: columns, pad: 2, inPlace: true)
        }
    }

    @Test func hugeValuesDoNotOverflow() throws {
        // x² overflows fp32 here; the rescaling path must give the right, finite answer.
        try checkCPU(Float.self, Float.self, rows: 7, columns: 1000, scale: 1e37)
        try checkCPU(BFloat16.self, Float.self, rows: 7, columns: 1000, scale: 1e37)
    }

    @Test func arrayAPIsAgree() throws {
        var rng = SeededRandom(seed: SeededRandom.freshSeed())
        let x: [Float] = rng.normals(7 * 96)
        let w: [Float] = rng.normals(96)
        let y = try rmsNorm(x, weight: w, backend: .cpu)
        var z = x
        try rmsNormInPlace(&z, weight: w, backend: .cpu)
        #expect(y == z)
        let ref = RMSNormReference.forward(x, weight: w)
        let c = Comparison.compare(output: y, rows: 7, columns: 96, stride: 96, reference: ref.y)
        #expect(c.passed, "seed \(rng.seed): \(c)")
    }
}
