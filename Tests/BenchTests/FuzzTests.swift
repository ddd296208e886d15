import ArgumentParser
import Testing
@testable import RMSNormBenchKit
import RMSNormTestSupport

/// Seeded random inputs to the shape and option parsers: every input is either accepted as valid
/// shapes or refused with a message; nothing crashes. The seed is printed on failure.
@Suite struct ParserFuzzTests {
    static let pieces = ["1", "7", "0", "-3", "4096", "x", "X", ":", ",", "bf16", "fp16", "fp32", "half", "int8",
        " ", "", "99999999999999999999", "1e3", "x:", "::", "٣", "🙂", "\u{0}", "0x10"]

    func randomText(_ rng: inout SeededRandom) -> String {
        (0..<Int(rng.next() % 8)).map { _ in Self.pieces[Int(rng.next() % UInt64(Self.pieces.count))] }.joined()
    }

    @Test func shapeParserNeverCrashesAndExplainsRefusals() {
        let seed = SeededRandom.freshSeed()
        var rng = SeededRandom(seed: seed)
        var accepted = 0
        for _ in 0..<5_000 {
            let text = randomText(&rng)
            do {
                let shapes = try Suites.parse(text, defaultType: .float32)
                accepted += 1
                #expect(shapes.allSatisfy { $0.rows > 0 && $0.columns > 0 }, "seed \(seed): '\(text)'")
            } catch {
                #expect(!error.description.isEmpty, "seed \(seed): '\(text)'")
            }
        }
        #expect(accepted > 0, "seed \(seed): the generator never produced a valid shape")
    }

    @Test func optionParserNeverCrashesAndExplainsRefusals() {
        let seed = SeededRandom.freshSeed()
        var rng = SeededRandom(seed: seed)
        let flags = ["--suite", "--shapes", "--dtype", "--methods", "--reps", "--graph-k", "--graph", "--no-peers",
            "--cpu", "--output", "--device", "--bogus", "-x"]
        for _ in 0..<800 {
            var args: [String] = []
            for _ in 0..<Int(rng.next() % 5) {
                args.append(flags[Int(rng.next() % UInt64(flags.count))])
                if rng.next() % 2 == 0 { args.append(randomText(&rng)) }
            }
            do {
                _ = try BenchOptions.parse(args)
            } catch {
                #expect(!BenchOptions.message(for: error).isEmpty, "seed \(seed): \(args)")
            }
        }
    }
}
