/// Element types of x, y and the weight.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32 = "fp32"
    case float16 = "fp16"
    case bfloat16 = "bf16"

    /// Bytes per element.
    public var size: Int { self == .float32 ? 4 : 2 }
    /// The code the kernels use for this type (`IN_T` / `W_T`).
    var kernelCode: Int { switch self { case .float32: 0; case .float16: 1; case .bfloat16: 2 } }
    public var description: String { rawValue }

    /// Parses "fp32", "float32", "f32", "float", "fp16", "half", "f16", "bf16", "bfloat16".
    public init?(parsing text: String) {
        switch text.lowercased() {
        case "fp32", "float32", "f32", "float": self = .float32
        case "fp16", "float16", "f16", "half": self = .float16
        case "bf16", "bfloat16": self = .bfloat16
        default: return nil
        }
    }
}

/// A floating-point type RMSNorm accepts for x, y and the weight.
public protocol RMSNormElement: BitwiseCopyable, Sendable {
    static var dtype: DType { get }
    /// Widening conversion (exact).
    var floatValue: Float { get }
    /// Rounds to nearest, ties to even.
    init(rounding value: Float)
    /// Rounds to nearest, ties to even, in one step from `Double`.
    init(rounding value: Double)
}

extension Float: RMSNormElement {
    public static var dtype: DType { .float32 }
    @inlinable public var floatValue: Float { self }
    @inlinable public init(rounding value: Float) { self = value }
    @inlinable public init(rounding value: Double) { self = Float(value) }
}

#if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
extension Float16: RMSNormElement {
    public static var dtype: DType { .float16 }
    @inlinable public var floatValue: Float { Float(self) }
    @inlinable public init(rounding value: Float) { self = Float16(value) }
    @inlinable public init(rounding value: Double) { self = Float16(value) }
}
#endif

extension BFloat16: RMSNormElement {
    public static var dtype: DType { .bfloat16 }
    @inlinable public init(rounding value: Float) { self.init(value) }
    @inlinable public init(rounding value: Double) { self.init(value) }
}
