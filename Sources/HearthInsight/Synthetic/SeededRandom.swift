import Foundation

/// A small deterministic random source (SplitMix64): the same seed gives the same sequence on
/// every platform and Swift version, which the standard library's generators do not promise.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a source from a seed.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1).
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform integer in `range`.
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        uniform() < p
    }

    /// A standard normal value (Box–Muller).
    public mutating func normal() -> Double {
        let u = max(uniform(), 1e-300)
        return (-2 * Foundation.log(u)).squareRoot() * cos(2 * Double.pi * uniform())
    }

    /// An exponential value with the given mean.
    public mutating func exponential(mean: Double) -> Double {
        -mean * Foundation.log(1 - uniform())
    }

    /// A log-normal value with the given median and log-scale spread.
    public mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * exp(sigma * normal())
    }

    /// A Poisson count with mean `lambda` (normal approximation above 60).
    public mutating func poisson(_ lambda: Double) -> Int {
        guard lambda > 0 else { return 0 }
        if lambda > 60 {
            return max(0, Int((lambda + lambda.squareRoot() * normal()).rounded()))
        }
        let limit = exp(-lambda)
        var product = uniform()
        var count = 0
        while product > limit {
            product *= uniform()
            count += 1
        }
        return count
    }

    /// An index chosen with probability proportional to `weights` (which must not all be zero).
    public mutating func pick(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var target = uniform() * total
        for (index, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return index }
        }
        return weights.count - 1
    }

    /// One of `choices`, with probability proportional to its weight.
    public mutating func pick<T>(_ choices: [(T, Double)]) -> T {
        choices[pick(choices.map(\.1))].0
    }
}
