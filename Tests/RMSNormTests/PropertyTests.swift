import Testing
import RMSNormTestSupport
@testable import RMSNorm

/// Randomised properties of the CPU path (seeded; the seed is printed on failure).
@Suite struct PropertyTests {
    /// A random shape and row data: rows of varied scale, never all zero.
    func sample(_ rng: inout SeededRandom) -> (rows: Int, columns: Int, x: [Float]) {
        let rows = 1 + Int(rng.next() % 9), columns = 1 + Int(rng.next() % 700)
        var x: [Float] = []
        for _ in 0..<rows {
            let scale = Double.random(in: -6...6, using: &rng)
            let row: [Float] = rng.normals(columns, scale: powerOfTen(scale))
            x += row
        }
        return (rows, columns, x)
    }

    @Test func rowsHaveUnitRMSBeforeTheWeight() throws {
        let seed = SeededRandom.freshSeed()
        var rng = SeededRandom(seed: seed)
        for _ in 0..<200 {
            let (rows, n, x) = sample(&rng)
            let y = try rmsNorm(x, weight: [Float](repeating: 1, count: n), eps: 0, backend: .cpu)
            for r in 0..<rows {
                let row = y[r * n..<(r + 1) * n].map(Double.init)
                let rms = (row.map { $0 * $0 }.reduce(0, +) / Double(n)).squareRoot()
                #expect(abs(rms - 1) < 1e-5, "seed \(seed): row \(r) of \(rows)x\(n) has RMS \(rms)")
            }
        }
    }

    @Test func scalingXLeavesTheOutputUnchanged() throws {
        let seed = SeededRandom.freshSeed()
        var rng = SeededRandom(seed: seed)
        for _ in 0..<200 {
            let (_, n, x) = sample(&rng)
            let c = Float(powerOfTen(Double(Int(rng.next() % 9) - 4)) * 3)  // 3 × 10^k, k in -4...4
            let w: [Float] = rng.normals(n)
            let y = try rmsNorm(x, weight: w, eps: 0, backend: .cpu)
            let z = try rmsNorm(x.map { $0 * c }, weight: w, eps: 0, backend: .cpu)
            for i in y.indices {
                #expect(abs(y[i] - z[i]) <= 1e-5 * max(1, abs(y[i])), "seed \(seed): c = \(c), element \(i)")
            }
        }
    }

    @Test func permutingColumnsPermutesTheOutput() throws {
        let seed = SeededRandom.freshSeed()
        var rng = SeededRandom(seed: seed)
        for _ in 0..<200 {
            let (rows, n, x) = sample(&rng)
            let w: [Float] = rng.normals(n)
            var perm = Array(0..<n)
            perm.shuffle(using: &rng)
            let xp = (0..<rows).flatMap { r in perm.map { x[r * n + $0] } }
            let wp = perm.map { w[$0] }
            let y = try rmsNorm(x, weight: w, backend: .cpu)
            let yp = try rmsNorm(xp, weight: wp, backend: .cpu)
            for r in 0..<rows {
                for (j, c) in perm.enumerated() {
                    let a = y[r * n + c], b = yp[r * n + j]
                    #expect(abs(a - b) <= 1e-5 * max(1, abs(a)), "seed \(seed): row \(r) column \(c)")
                }
            }
        }
    }
}

/// 10^e (the tests import no math library).
func powerOfTen(_ e: Double) -> Double {
    var result = 1.0
    let whole = Int(e.rounded(.down))
    for _ in 0..<abs(whole) { result = whole >= 0 ? result * 10 : result / 10 }
    let frac = e - Double(whole)
    // 10^frac = e^(frac·ln 10), by a short series (frac in [0, 1)).
    var term = 1.0, sum = 1.0
    let t = frac * 2.302585092994046
    for k in 1..<30 { term *= t / Double(k); sum += term }
    return result * sum
}
