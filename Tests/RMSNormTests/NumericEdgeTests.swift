import Testing
import RMSNormTestSupport
@testable import RMSNorm

@Suite struct NumericEdgeTests {
    /// Tiny and subnormal rows with eps = 0 (the row's own scale decides the result): squares that
    /// underflow fp32 trigger the power-of-two rescaling, so the result stays finite and correct.
    @Test func tinyRowsWithoutEpsilonMatchTheReference() throws {
        var rng = SeededRandom(seed: SeededRandom.freshSeed())
        for scale in [1e-5, 1e-10, 1e-18, 1e-20, 1e-30, 1e-38, 1e-41] {
            let x: [Float] = rng.normals(5 * 257, scale: scale)
            let w: [Float] = rng.normals(257)
            let y = try rmsNorm(x, weight: w, eps: 0, backend: .cpu)
            let ref = RMSNormReference.forward(x, weight: w, eps: 0)
            let c = Comparison.compare(output: y, rows: 5, columns: 257, stride: 257, reference: ref.y)
            #expect(c.passed, "seed \(rng.seed) scale \(scale): \(c)")
            #expect(y.allSatisfy { $0.isFinite }, "scale \(scale)")
        }
    }

    /// The largest finite values: the overflow path must keep full precision (scale by a power of
    /// two, not by 1/max|x|, which is subnormal there).
    @Test func rowsNearTheFloatMaximumMatchTheReference() throws {
        var rng = SeededRandom(seed: SeededRandom.freshSeed())
        var x: [Float] = rng.normals(3 * 300, scale: 1e38)
        x = x.map { $0.isFinite ? $0 : Float.greatestFiniteMagnitude }
        let w: [Float] = rng.normals(300)
        let y = try rmsNorm(x, weight: w, backend: .cpu)
        let ref = RMSNormReference.forward(x, weight: w)
        let c = Comparison.compare(output: y, rows: 3, columns: 300, stride: 300, reference: ref.y)
        #expect(c.passed, "seed \(rng.seed): \(c)")
    }

    /// Subnormal and tiny rows with the usual eps: finite and correct (eps dominates the mean square).
    @Test func subnormalRowsWithEpsilonMatchTheReference() throws {
        var rng = SeededRandom(seed: SeededRandom.freshSeed())
        for scale in [1e-25, 1e-38, 1e-41] {
            let x: [Float] = rng.normals(5 * 257, scale: scale)
            let w: [Float] = rng.normals(257)
            let y = try rmsNorm(x, weight: w, eps: 1e-6, backend: .cpu)
            let ref = RMSNormReference.forward(x, weight: w, eps: 1e-6)
            let c = Comparison.compare(output: y, rows: 5, columns: 257, stride: 257, reference: ref.y)
            #expect(c.passed, "seed \(rng.seed) scale \(scale): \(c)")
            #expect(y.allSatisfy { $0.isFinite })
        }
    }

    @Test func nanOrInfStaysInItsRow() throws {
        var rng = SeededRandom(seed: SeededRandom.freshSeed())
        var x: [Float] = rng.normals(4 * 300)
        x[7] = .nan
        x[300 + 11] = .infinity
        x[600 + 13] = -.infinity
        let y = try rmsNorm(x, weight: [Float](repeating: 1, count: 300), backend: .cpu)
        #expect(y[0..<300].allSatisfy { $0.isNaN })
        #expect(y[900..<1200].allSatisfy { $0.isFinite }, "row 3 was touched by its neighbours")
        #expect(y[300..<600].contains { $0.isNaN } && y[600..<900].contains { $0.isNaN })
    }

    @Test func zeroRow() throws {
        let zeros = [Float](repeating: 0, count: 64)
        let w = [Float](repeating: 1, count: 64)
        #expect(try rmsNorm(zeros, weight: w, eps: 1e-6, backend: .cpu).allSatisfy { $0 == 0 })
        #expect(try rmsNorm(zeros, weight: w, eps: 0, backend: .cpu).allSatisfy { $0.isNaN })
    }
}
