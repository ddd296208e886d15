/// A matrix view in host memory: `rows` × `columns` elements from `base`, `rowStride` elements
/// between row starts. The CPU counterpart of ``DeviceMatrix``, used by the allocation-free CPU
/// forms of the variants (fused add, fp8 output, backward).
public struct HostMatrix<Element: BitwiseCopyable>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Element>
    public let rows: Int
    public let columns: Int
    public let rowStride: Int

    /// A view of `buffer`; throws when it does not fit.
    public init(_ buffer: UnsafeMutableBufferPointer<Element>, rows: Int, columns: Int, rowStride: Int? = nil)
        throws(RMSNormError)
    {
        let stride = rowStride ?? columns
        guard rows >= 0, columns >= 0 else { throw .invalidShape("rows \(rows) and columns \(columns) must be ≥ 0") }
        guard stride >= columns else {
            throw .invalidShape("row stride \(stride) is smaller than N = \(columns); use a stride ≥ N")
        }
        let span = try ProblemShape.span(rows: rows, columns: columns, stride: stride)
        guard span <= buffer.count else {
            throw .invalidShape(
                "a \(rows)×\(columns) view with row stride \(stride) needs \(span) elements; the buffer has \(buffer.count)")
        }
        guard let base = buffer.baseAddress ?? (span == 0 ? UnsafeMutablePointer<Element>(bitPattern: MemoryLayout<Element>.alignment) : nil) else {
            throw .invalidShape("the buffer has no storage")
        }
        self.base = base
        self.rows = rows
        self.columns = columns
        self.rowStride = stride
    }

    /// A read-only input view (the library never writes through an input).
    public init(_ buffer: UnsafeBufferPointer<Element>, rows: Int, columns: Int, rowStride: Int? = nil) throws(RMSNormError) {
        try self.init(UnsafeMutableBufferPointer(mutating: buffer), rows: rows, columns: columns, rowStride: rowStride)
    }

    var view: OperandView {
        OperandView(address: UInt64(UInt(bitPattern: base)), rows: rows, columns: columns, stride: rowStride,
            elementSize: MemoryLayout<Element>.stride)
    }
}

/// Where one operand lies in memory (host or device addresses), for shape and aliasing checks.
struct OperandView {
    var address: UInt64
    var rows: Int
    var columns: Int
    var stride: Int
    var elementSize: Int

    var bytes: UInt64 { rows == 0 || columns == 0 ? 0 : UInt64((rows - 1) * stride + columns) * UInt64(elementSize) }

    static func vector(address: UInt64, count: Int, elementSize: Int) -> OperandView {
        OperandView(address: address, rows: 1, columns: count, stride: count, elementSize: elementSize)
    }

    func overlaps(_ o: OperandView) -> Bool { rangesOverlap(address, bytes, o.address, o.bytes) }
    func isSameView(_ o: OperandView) -> Bool {
        address == o.address && stride == o.stride && elementSize == o.elementSize && rows == o.rows && columns == o.columns
    }
}

/// Operands of one call by name, and which output may be exactly which input (in place).
struct AliasRules {
    var inputs: [(String, OperandView)] = []
    var outputs: [(String, OperandView)] = []
    /// (output, input) pairs that may be the same view.
    var inPlace: Set<String> = []

    mutating func input(_ name: String, _ v: OperandView?) { if let v { inputs.append((name, v)) } }
    mutating func output(_ name: String, _ v: OperandView?) { if let v { outputs.append((name, v)) } }
    mutating func allow(_ output: String, _ input: String) { inPlace.insert(output + "|" + input) }

    /// Throws unless every output is disjoint from every other operand or, where allowed, the very same view.
    func check() throws(RMSNormError) {
        for (i, (name, o)) in outputs.enumerated() {
            for (other, p) in outputs[(i + 1)...] where o.overlaps(p) {
                throw .overlappingBuffers("\(name) overlaps \(other); give each output its own memory")
            }
            for (input, v) in inputs where o.overlaps(v) {
                if o.isSameView(v) && inPlace.contains(name + "|" + input) { continue }
                let allowed = inPlace.filter { $0.hasPrefix(name + "|") }.map { String($0.dropFirst(name.count + 1)) }.sorted()
                throw .overlappingBuffers(
                    "\(name) overlaps \(input)"
                        + (allowed.isEmpty
                            ? "; give \(name) its own memory"
                            : "; \(name) may only be exactly \(allowed.joined(separator: " or ")) (same start, row stride and type) for an in-place call, or separate memory"))
            }
        }
    }
}

/// Shape checks shared by every variant: the matrices are all M × N, strides ≥ N, the weight has N
/// elements, M·N and every span fit in Int.
func validateMatrices(rows: Int, columns: Int, named views: [(String, OperandView)], weightCount: Int?) throws(RMSNormError) {
    guard rows >= 0 else { throw .invalidShape("rows is \(rows); it must be ≥ 0") }
    guard columns > 0 else {
        throw .invalidShape("N (columns) is \(columns); RMSNorm needs at least one column to normalise over")
    }
    if let weightCount, weightCount != columns {
        throw .invalidShape("weight has \(weightCount) elements but rows have \(columns) columns; pass a weight of length N = \(columns)")
    }
    for (name, v) in views {
        guard v.rows == rows, v.columns == columns else {
            throw .invalidShape("\(name) is \(v.rows)×\(v.columns) but x is \(rows)×\(columns); they must match")
        }
        guard v.stride >= columns else {
            throw .invalidShape("\(name) row stride \(v.stride) is smaller than N = \(columns); rows would overlap. Use a stride ≥ N")
        }
        _ = try ProblemShape.span(rows: rows, columns: columns, stride: v.stride)
    }
    if rows.multipliedReportingOverflow(by: columns).overflow {
        throw .invalidShape("M·N = \(rows)·\(columns) overflows Int; split the matrix into smaller calls")
    }
}

/// Every check of a forward variant before anything is written (both backends).
func validateForward(
    x: OperandView, residual: OperandView?, residualOut: OperandView?, y: OperandView, weight: OperandView,
    rstd: OperandView?, options: RMSNormOptions, fp8Scale: Float?
) throws(RMSNormError) {
    guard (residual == nil) == (residualOut == nil) else {
        throw .invalidArgument("the fused add needs both residual and residualOut (which may be the residual itself)")
    }
    var named = [("x", x), ("y", y)]
    if let residual { named.append(("residual", residual)) }
    if let residualOut { named.append(("residualOut", residualOut)) }
    try validateMatrices(rows: x.rows, columns: x.columns, named: named, weightCount: weight.columns)
    try options.validate()
    if let fp8Scale { try validateScale(fp8Scale) }
    if let rstd, rstd.columns < x.rows {
        throw .invalidShape("rstd holds \(rstd.columns) values but there are \(x.rows) rows; allocate at least M floats")
    }
    var rules = AliasRules()
    rules.input("x", x)
    rules.input("residual", residual)
    rules.input("weight", weight)
    rules.output("y", y)
    rules.output("residualOut", residualOut)
    rules.output("rstd", rstd.map { .vector(address: $0.address, count: x.rows, elementSize: 4) })
    rules.allow("y", "x")
    rules.allow("residualOut", "residual")
    rules.allow("residualOut", "x")
    try rules.check()
}

/// Every check of the backward pass before anything is written (both backends).
func validateBackward(
    x: OperandView, weight: OperandView, rstd: OperandView?, dy: OperandView, residualGradient: OperandView?,
    dx: OperandView, dw: OperandView, options: RMSNormOptions
) throws(RMSNormError) {
    var named = [("x", x), ("dy", dy), ("dx", dx)]
    if let residualGradient { named.append(("residualGradient", residualGradient)) }
    try validateMatrices(rows: x.rows, columns: x.columns, named: named, weightCount: weight.columns)
    guard dw.columns == x.columns else {
        throw .invalidShape("dw holds \(dw.columns) elements but N = \(x.columns); pass a weight gradient of length N")
    }
    try options.validate()
    if let rstd, rstd.columns < x.rows {
        throw .invalidShape("rstd holds \(rstd.columns) values but there are \(x.rows) rows; pass the rstd the forward wrote (M floats)")
    }
    var rules = AliasRules()
    rules.input("x", x)
    rules.input("dy", dy)
    rules.input("residualGradient", residualGradient)
    rules.input("weight", weight)
    rules.input("rstd", rstd.map { .vector(address: $0.address, count: x.rows, elementSize: 4) })
    rules.output("dx", dx)
    rules.output("dw", dw)
    rules.allow("dx", "dy")
    rules.allow("dx", "x")
    rules.allow("dx", "residualGradient")
    try rules.check()
}
