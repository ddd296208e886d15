/// How y is rounded when x is fp16 or bf16 (the casting modes of Liger's RMSNorm).
///
/// With `x̂ = x · rstd` and `w' = weightOffset + w`, and `round` rounding to x's type:
/// - `gemma`: `y = round(x̂ · w')`, everything in fp32 and one rounding at the end. The most
///   accurate (at most one rounding step from the exact result) and the default: the kernels are
///   memory-bound, so the fp32 arithmetic costs nothing.
/// - `llama`: `y = round(round(x̂) · w')`: x̂ is cast to the input type before the weight is applied,
///   as LLaMA's reference code does (`weight * hidden.to(input_dtype)`).
/// - `none`: `y = round(round(x · round(rstd)) · round(w'))`: each step in the input type, as a
///   model written for that dtype computes it. The sum of squares is still taken in fp32 (a 16-bit
///   sum over thousands of terms would lose the result), so only the element-wise steps differ.
///
/// For fp32 input the three modes give the same result. The backward pass is computed in fp32
/// for every mode.
public enum CastingMode: String, Sendable, CaseIterable, CustomStringConvertible {
    case gemma, llama, none
    public var description: String { rawValue }
    var kernelCode: Int { switch self { case .gemma: 0; case .llama: 1; case .none: 2 } }
}

/// The options every RMSNorm variant shares.
public struct RMSNormOptions: Sendable, Equatable, CustomStringConvertible {
    /// Added to the mean square; finite and ≥ 0.
    public var eps: Float
    /// Added to the weight in fp32 before it scales x̂: 0 for the usual `x̂ · w`, 1 for Gemma's
    /// `x̂ · (1 + w)`. Must be finite.
    public var weightOffset: Float
    /// How y is rounded for 16-bit inputs; see ``CastingMode``.
    public var casting: CastingMode

    public init(eps: Float = defaultEpsilon, weightOffset: Float = 0, casting: CastingMode = .gemma) {
        self.eps = eps
        self.weightOffset = weightOffset
        self.casting = casting
    }

    /// Gemma's convention: `x̂ · (1 + w)`, fp32 throughout.
    public static func gemma(eps: Float = defaultEpsilon) -> RMSNormOptions {
        RMSNormOptions(eps: eps, weightOffset: 1, casting: .gemma)
    }

    public var description: String {
        "eps \(eps)" + (weightOffset != 0 ? " offset \(weightOffset)" : "") + (casting != .gemma ? " cast \(casting)" : "")
    }

    func validate() throws(RMSNormError) {
        try validateEpsilon(eps)
        guard weightOffset.isFinite else {
            throw .invalidArgument("weightOffset is \(weightOffset); it must be finite (0 for x̂·w, 1 for Gemma's x̂·(1 + w))")
        }
    }
}

func validateScale(_ scale: Float) throws(RMSNormError) {
    guard scale.isFinite, scale > 0, (1 / scale).isFinite else {
        throw .invalidArgument(
            "fp8 scale is \(scale); it must be finite and > 0 (y is stored as y / scale in float8 e4m3, so "
                + "choose scale ≈ max|y| / 448)")
    }
}
