import RMSNorm

/// A small, fast, seeded generator (SplitMix64) so every failing check can be replayed
/// from the seed it prints.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// A seed that differs on every run (fresh data each run), printed by the caller on failure.
    public static func freshSeed() -> UInt64 { UInt64.random(in: 1...UInt64.max) }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    @inlinable
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal (Box–Muller).
    @inlinable
    public mutating func normal() -> Double {
        let u1 = max(unit(), 0x1p-60), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// `count` normal values times `scale`, rounded to `T`. Never all zero.
    @inlinable
    public mutating func normals<T: RMSNormElement>(_ count: Int, scale: Double = 1, as: T.Type = T.self) -> [T] {
        (0..<count).map { _ in T(rounding: normal() * scale) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
