import RMSNorm

/// The variants checked against the fp64 reference, by the CPU tests and by `rmsnorm-bench verify`.
public enum VariantKind: String, CaseIterable, Sendable {
    case add                // fused residual add
    case gemma              // weight offset 1, fp32 throughout
    case llama              // casting mode llama
    case none               // casting mode none
    case fp8                // fp8 e4m3 output
    case addFP8 = "add+fp8" // fused add with fp8 output, casting llama
    case backward           // backward with the forward's rstd
    case backwardRecompute = "backward-recompute"  // backward, rstd recomputed
    case backwardAdd = "backward+add"               // backward with a residual gradient, Gemma offset

    public var isBackward: Bool { self == .backward || self == .backwardRecompute || self == .backwardAdd }
    var hasResidual: Bool { self == .add || self == .addFP8 }
    var isFP8: Bool { self == .fp8 || self == .addFP8 }

    public var options: RMSNormOptions {
        switch self {
        case .gemma, .backwardAdd: return .gemma()
        case .llama, .addFP8: return RMSNormOptions(casting: .llama)
        case .none: return RMSNormOptions(casting: .none)
        default: return RMSNormOptions()
        }
    }
}

/// Memory layout of every operand of a case (they share it).
public enum VariantLayout: String, CaseIterable, Sendable {
    case dense
    case strided   // row stride N + 5: rows start misaligned
    case offset    // every view starts one element in
    case inPlace = "in-place"  // y over x, h over the residual, dx over dy
}

/// One forward call's inputs as the executor receives them: every operand a buffer of `count`
/// elements holding an `rows × columns` view at `offset` with row stride `stride`.
public struct ForwardInputs<T: RMSNormElement, W: RMSNormElement> {
    public var x: [T]
    public var residual: [T]?
    public var weight: [W]
    public var rows: Int
    public var columns: Int
    public var stride: Int
    public var offset: Int
    public var inPlace: Bool
    public var options: RMSNormOptions
    public var fp8Scale: Float?
}

/// Outputs, poisoned by the caller before the call. For an in-place case `y` starts as a copy of x
/// and `h` as a copy of the residual, and the executor must write them in place over those inputs.
public struct ForwardOutputs<T: RMSNormElement> {
    public var y: [T]
    public var q: [Float8E4M3]
    public var h: [T]
    public var rstd: [Float]
}

public struct BackwardInputs<T: RMSNormElement, W: RMSNormElement> {
    public var x: [T]
    public var weight: [W]
    public var rstd: [Float]?
    public var dy: [T]
    public var residualGradient: [T]?
    public var rows: Int
    public var columns: Int
    public var stride: Int
    public var offset: Int
    /// dx is written over dy.
    public var inPlace: Bool
    public var options: RMSNormOptions
}

/// Runs a variant on some backend: the CPU tests and the GPU `verify` each provide one.
public protocol VariantExecutor {
    func forward<T: RMSNormElement, W: RMSNormElement>(_ inputs: ForwardInputs<T, W>, _ outputs: inout ForwardOutputs<T>) throws
    /// Returns dx (a buffer like dy: written over it when in place) and dw.
    func backward<T: RMSNormElement, W: RMSNormElement>(_ inputs: BackwardInputs<T, W>, dx: inout [T]) throws -> [W]
}

/// One conformance case of a variant.
public struct VariantCase: CustomStringConvertible, Sendable {
    public var kind: VariantKind
    public var input: DType
    public var weight: DType
    public var rows: Int
    public var columns: Int
    public var layout: VariantLayout
    /// x (and the residual) are standard normal times this: 1e37 makes the fp32 sums overflow, 1e-30
    /// (with eps = 0) makes them underflow.
    public var scale: Double = 1
    /// eps in place of the variant's default.
    public var eps: Float? = nil
    /// The casting mode in place of the variant's default (e.g. fp8 output with the fused add in the default mode).
    public var casting: CastingMode? = nil

    public init(kind: VariantKind, input: DType, weight: DType, rows: Int, columns: Int, layout: VariantLayout,
        scale: Double = 1, eps: Float? = nil, casting: CastingMode? = nil)
    {
        self.casting = casting
        self.kind = kind
        self.input = input
        self.weight = weight
        self.rows = rows
        self.columns = columns
        self.layout = layout
        self.scale = scale
        self.eps = eps
    }

    var options: RMSNormOptions {
        var o = kind.options
        if let eps { o.eps = eps }
        if let casting { o.casting = casting }
        return o
    }

    public var stride: Int { layout == .strided ? columns + 5 : columns }
    public var offset: Int { layout == .offset ? 1 : 0 }
    public var count: Int { offset + max(0, rows - 1) * stride + columns }
    public var description: String {
        "\(kind.rawValue) \(input)/w:\(weight) \(rows)x\(columns) \(layout.rawValue)" + (scale != 1 ? " scale \(scale)" : "")
            + (eps.map { " eps \($0)" } ?? "") + (casting.map { " casting \($0)" } ?? "")
    }

    /// Runs the case with fresh random data; returns "" when it passes, else what failed.
    public func check(_ executor: VariantExecutor, seed: UInt64 = SeededRandom.freshSeed()) throws -> (detail: String, maxError: Double) {
        switch (input, weight) {
        case (.float32, _): return try typed(Float.self, Float.self, executor, seed)
        case (.float16, .float16): return try typed(Float16.self, Float16.self, executor, seed)
        case (.float16, _): return try typed(Float16.self, Float.self, executor, seed)
        case (.bfloat16, .bfloat16): return try typed(BFloat16.self, BFloat16.self, executor, seed)
        case (.bfloat16, _): return try typed(BFloat16.self, Float.self, executor, seed)
        }
    }

    func typed<T: RMSNormElement, W: RMSNormElement>(
        _: T.Type, _: W.Type, _ executor: VariantExecutor, _ seed: UInt64
    ) throws -> (detail: String, maxError: Double) {
        var rng = SeededRandom(seed: seed)
        let x: [T] = rng.normals(count, scale: scale)
        // Gemma-style weights are small around 0 (the model learns 1 + w); others around 1.
        let w: [W] = (0..<columns).map { _ in W(rounding: kind.options.weightOffset != 0 ? 0.1 * rng.normal() : 1 + 0.5 * rng.normal()) }
        let options = self.options
        if kind.isBackward { return try backwardCase(x: x, w: w, rng: &rng, executor, seed) }

        let residual: [T]? = kind.hasResidual ? rng.normals(count, scale: scale) : nil
        let scale: Float? = kind.isFP8 ? 0.02 : nil  // |y| up to ~8 maps to ±400: most of the e4m3 range, some saturation
        let poisonT = T(rounding: Float.nan)
        var out = ForwardOutputs<T>(
            y: layout == .inPlace ? x : [T](repeating: poisonT, count: kind.isFP8 ? 0 : count),
            q: [Float8E4M3](repeating: Float8E4M3(bitPattern: 0xff), count: kind.isFP8 ? count : 0),
            h: residual.map { layout == .inPlace ? $0 : [T](repeating: poisonT, count: count) } ?? [],
            rstd: [Float](repeating: .nan, count: rows))
        if kind.isFP8 && layout == .inPlace { out.y = [] }
        let inputs = ForwardInputs(x: x, residual: residual, weight: w, rows: rows, columns: columns, stride: stride,
            offset: offset, inPlace: layout == .inPlace, options: options, fp8Scale: scale)
        try executor.forward(inputs, &out)

        // References: exact rstd, and its two neighbours for the casting modes' rounding boundaries.
        let slacks = (options.casting == .gemma || T.dtype == .float32) ? [1.0]
            : [1 - Tolerance.castingRstdSlack, 1, 1 + Tolerance.castingRstdSlack]
        var refs: [(y: [Double], h: [T], rstd: [Double])] = []
        for s in slacks {
            refs.append(x.withUnsafeBufferPointer { xb in
                w.withUnsafeBufferPointer { wb in
                    let rb = residual?.withUnsafeBufferPointer { $0 }
                    return RMSNormReference.forward(
                        UnsafeBufferPointer(rebasing: xb[offset...]), residual: rb.map { UnsafeBufferPointer(rebasing: $0[offset...]) },
                        rows: rows, columns: columns, rowStride: stride, residualRowStride: stride, weight: wb,
                        options: options, rstdScale: s)
                }
            })
        }
        var problems: [String] = []
        var worst = 0.0
        let outsideY: (Int) -> Bool = { [layout] i in
            layout == .inPlace ? out.y[i].floatValue.bitPattern == x[i].floatValue.bitPattern : out.y[i].floatValue.isNaN
        }
        if let scale {
            let qrefs = refs.map { r in r.y.map { RMSNormReference.float8($0, scale: scale, casting: options.casting, input: T.self) } }
            let c = Comparison.compareFP8(output: out.q, offset: offset, rows: rows, columns: columns, stride: stride,
                references: qrefs, poisonCheck: { out.q[$0].bitPattern == 0xff })
            worst = c.maxError
            if !c.passed { problems.append("fp8 y: \(c)") }
        } else {
            let c = Comparison.compare(output: out.y, offset: offset, rows: rows, columns: columns, stride: stride,
                references: refs.map(\.y), poisonCheck: outsideY)
            worst = c.maxError
            if !c.passed { problems.append("y: \(c)") }
        }
        if let residual {
            let c = Comparison.compareExact(output: out.h, offset: offset, rows: rows, columns: columns, stride: stride,
                reference: refs[0].h, poisonCheck: { [layout] i in
                    layout == .inPlace ? out.h[i].floatValue.bitPattern == residual[i].floatValue.bitPattern : out.h[i].floatValue.isNaN
                })
            if !c.passed { problems.append("h: \(c)") }
        }
        let exact = refs[refs.count / 2].rstd
        let badRstd = (0..<rows).filter { abs(Double(out.rstd[$0]) - exact[$0]) > 1e-5 * exact[$0] }.count
        if badRstd > 0 { problems.append("rstd wrong in \(badRstd) rows") }
        return (problems.isEmpty ? "" : problems.joined(separator: "; ") + " (seed \(seed))", worst)
    }

    func backwardCase<T: RMSNormElement, W: RMSNormElement>(
        x: [T], w: [W], rng: inout SeededRandom, _ executor: VariantExecutor, _ seed: UInt64
    ) throws -> (detail: String, maxError: Double) {
        let options = self.options
        let dy: [T] = rng.normals(count)
        let dres: [T]? = kind == .backwardAdd ? rng.normals(count) : nil
        let ref = x.withUnsafeBufferPointer { xb in
            w.withUnsafeBufferPointer { wb in
                dy.withUnsafeBufferPointer { gb in
                    let rb = dres?.withUnsafeBufferPointer { $0 }
                    return RMSNormReference.backward(
                        UnsafeBufferPointer(rebasing: xb[offset...]), rows: rows, columns: columns, rowStride: stride, weight: wb,
                        dy: UnsafeBufferPointer(rebasing: gb[offset...]), dyRowStride: stride,
                        residualGradient: rb.map { UnsafeBufferPointer(rebasing: $0[offset...]) }, residualRowStride: stride,
                        options: options)
                }
            }
        }
        // rstd as the forward stores it (fp32).
        let rstd: [Float]? = kind == .backwardRecompute ? nil : ref.rstd.map { Float($0) }
        let inputs = BackwardInputs(x: x, weight: w, rstd: rstd, dy: dy, residualGradient: dres, rows: rows, columns: columns,
            stride: stride, offset: offset, inPlace: layout == .inPlace, options: options)
        let poison = T(rounding: Float.nan)
        var dx1 = layout == .inPlace ? dy : [T](repeating: poison, count: count)
        let dw1 = try executor.backward(inputs, dx: &dx1)
        var dx2 = layout == .inPlace ? dy : [T](repeating: poison, count: count)
        let dw2 = try executor.backward(inputs, dx: &dx2)

        var problems: [String] = []
        let c = Comparison.compareGradient(output: dx1, offset: offset, rows: rows, columns: columns, stride: stride,
            reference: ref.dx, scale: ref.dxScale, poisonCheck: { [layout] i in
                layout == .inPlace ? dx1[i].floatValue.bitPattern == dy[i].floatValue.bitPattern : dx1[i].floatValue.isNaN
            })
        if !c.passed { problems.append("dx: \(c)") }
        let d = Comparison.compareGradient(output: dw1, rows: 1, columns: columns, stride: columns, reference: ref.dw,
            scale: ref.dwScale)
        if !d.passed { problems.append("dw: \(d)") }
        let same = zip(dw1, dw2).allSatisfy { $0.floatValue.bitPattern == $1.floatValue.bitPattern }
            && zip(dx1, dx2).allSatisfy { $0.floatValue.bitPattern == $1.floatValue.bitPattern }
        if !same { problems.append("two runs differ (dw or dx not deterministic)") }
        return (problems.isEmpty ? "" : problems.joined(separator: "; ") + " (seed \(seed))", max(c.maxError, d.maxError))
    }

    /// The conformance matrix: every variant × dtype pair × shape × layout (M·N capped per case).
    public static func matrix(rows: [Int], columns: [Int], maxElements: Int) -> [VariantCase] {
        let pairs: [(DType, DType)] = [(.float32, .float32), (.float16, .float16), (.bfloat16, .bfloat16), (.bfloat16, .float32)]
        var list: [VariantCase] = []
        for kind in VariantKind.allCases {
            for (x, w) in pairs {
                if (kind == .llama || kind == .none) && x == .float32 { continue }  // identical to gemma for fp32
                for n in columns {
                    for m in rows where m * n <= maxElements {
                        let layouts: [VariantLayout] = m <= 199 ? VariantLayout.allCases : [.dense]
                        for layout in layouts { list.append(VariantCase(kind: kind, input: x, weight: w, rows: m, columns: n, layout: layout)) }
                    }
                }
            }
        }
        return list
    }

    /// Numeric edges of every variant, dense, 7 rows: x near the fp32 maximum (scale 1e37: Σx² and
    /// Σx·w'·dy overflow fp32; fp32 and bf16, which share the range) and tiny rows with eps = 0 (scale
    /// 1e-30: Σx² underflows).
    public static func edgeMatrix(columns: [Int]) -> [VariantCase] {
        var list: [VariantCase] = []
        for kind in VariantKind.allCases {
            for (x, w) in [(DType.float32, DType.float32), (.bfloat16, .bfloat16)] {
                if (kind == .llama || kind == .none) && x == .float32 { continue }
                for n in columns {
                    list.append(VariantCase(kind: kind, input: x, weight: w, rows: 7, columns: n, layout: .dense, scale: 1e37))
                    list.append(VariantCase(kind: kind, input: x, weight: w, rows: 7, columns: n, layout: .dense, scale: 1e-30, eps: 0))
                }
            }
        }
        return list
    }
}
