/// Launches the forward kernels on device matrices.
enum CUDABackend {
    static func forward<T: RMSNormElement, W: RMSNormElement>(
        x: DeviceMatrix<T>, weight: DeviceBuffer<W>, y: DeviceMatrix<T>, rstd: DeviceBuffer<Float>?,
        eps: Float, stream: CUDAStream?, plan explicitPlan: LaunchPlan? = nil, cacheHints: Bool? = nil
    ) throws(RMSNormError) {
        let device = x.device
        guard y.device === device, weight.device === device, rstd.map({ $0.device === device }) ?? true,
            stream.map({ $0.device === device }) ?? true
        else {
            throw .deviceMismatch(
                "x is on GPU \(device.ordinal) but y, the weight, rstd or the stream is on another; move them to one GPU")
        }
        guard x.rows == y.rows, x.columns == y.columns else {
            throw .invalidShape("x is \(x.rows)×\(x.columns) but y is \(y.rows)×\(y.columns); they must match")
        }
        let shape = ProblemShape(
            rows: x.rows, columns: x.columns, inputRowStride: x.rowStride, outputRowStride: y.rowStride)
        try shape.validate(weightCount: weight.count, eps: eps)
        if let rstd, rstd.count < x.rows {
            throw .invalidShape("rstd holds \(rstd.count) values but there are \(x.rows) rows; allocate at least M floats")
        }
        try shape.checkOverlap(inputStart: x.baseAddress, outputStart: y.baseAddress, elementSize: T.dtype.size)
        let ySpan = UInt64(try ProblemShape.span(rows: y.rows, columns: y.columns, stride: y.rowStride) * T.dtype.size)
        let wBytes = UInt64(weight.count * W.dtype.size)
        if rangesOverlap(y.baseAddress, ySpan, weight.address(of: 0), wBytes) {
            throw .overlappingBuffers("the output overlaps the weight; use a separate weight buffer")
        }
        if let rstd {
            let xSpan = UInt64(try ProblemShape.span(rows: x.rows, columns: x.columns, stride: x.rowStride) * T.dtype.size)
            let rBytes = UInt64(x.rows * 4)
            if rangesOverlap(rstd.address(of: 0), rBytes, x.baseAddress, xSpan)
                || rangesOverlap(rstd.address(of: 0), rBytes, y.baseAddress, ySpan)
                || rangesOverlap(rstd.address(of: 0), rBytes, weight.address(of: 0), wBytes)
            {
                throw .overlappingBuffers("rstd overlaps x, y or the weight; give it its own buffer")
            }
        }
        if x.rows == 0 { return }

        let vec = alignedVectorWidth(x, weight: weight, y: y)
        var plan = heuristicPlan(
            rows: x.rows, columns: x.columns, elementSize: T.dtype.size, vectorWidth: vec, device: device,
            interior: interiorAllowed(x: x.baseAddress, ldx: x.rowStride, y: y.baseAddress, ldy: y.rowStride),
            boundedRows: LaunchPlan.boundsRows(input: T.dtype, weight: W.dtype), refetchRows: T.dtype == W.dtype, stream: stream)
        var hints = cacheHints ?? LaunchPlan.defaultCacheHints
        if let explicitPlan {
            // The launcher's own aligned-interior plan (as `launchPlan(for:)` reports it) runs as the launcher
            // would; any other plan is checked.
            if !(explicitPlan.alignedInterior && explicitPlan == plan) {
                try explicitPlan.check(rows: x.rows, columns: x.columns, elementSize: T.dtype.size, alignedVectorWidth: vec,
                    maxSharedMemoryPerBlock: device.maxSharedMemoryPerBlockOptin,
                    maxClusterSize: LaunchPlan.maxClusterSize(arch: device.arch))
                plan = explicitPlan
            }
        } else if cacheHints == nil, let tuned = Autotune.tunedPlan(
            device: device, input: T.dtype, weight: W.dtype, rows: x.rows, columns: x.columns, vectorWidth: vec)
        {
            (plan, hints) = tuned
        }
        let spec = KernelSpecialization(
            input: T.dtype, weight: W.dtype, vectorWidth: plan.vectorWidth, cacheHints: hints,
            tinyEps: KernelSpecialization.needsTinyEpsPath(eps: eps))
        do {
            try launch(
                plan: plan, spec: spec, device: device, x: x.baseAddress, ldx: x.rowStride, w: weight.address(of: 0),
                y: y.baseAddress, ldy: y.rowStride, rstd: rstd?.address(of: 0) ?? 0, rows: x.rows, columns: x.columns,
                eps: eps, stream: stream, clusterFallback: explicitPlan == nil)
        } catch { throw .cuda(error) }
    }

    /// The launcher's plan: the aligned-interior kernels where the vector width is below 16 bytes and
    /// `interior` allows them, else ``LaunchPlan/make(rows:columns:elementSize:vectorWidth:multiprocessors:maxSharedMemoryPerBlock:maxElementsPerThread:maxClusterSize:)``.
    static func heuristicPlan(
        rows: Int, columns: Int, elementSize: Int, vectorWidth vec: Int, device: CUDADevice, interior: Bool,
        fusedAdd: Bool = false, boundedRows: Bool = false, refetchRows: Bool = false, addPairs: Bool = false,
        fp8Output: Bool = false, stream: CUDAStream? = nil, assumeCapturing: Bool = false
    ) -> LaunchPlan {
        // The driver is asked whether the stream is capturing only where the plan depends on it.
        let capturing = LaunchPlan.planDependsOnCapture(rows: rows, columns: columns, elementSize: elementSize,
            multiprocessors: device.multiprocessorCount, maxClusterSize: LaunchPlan.maxClusterSize(arch: device.arch))
            && (assumeCapturing || (stream?.isCapturing ?? false))
        if interior && vec * elementSize < 16, let p = LaunchPlan.interior(
            rows: rows, columns: columns, elementSize: elementSize, multiprocessors: device.multiprocessorCount,
            maxSharedMemoryPerBlock: device.maxSharedMemoryPerBlockOptin)
        {
            return p
        }
        // The fused add's 16-bit rows that fill 2 vectors × 256 or 512 threads, many rows, high bandwidth: 2 vectors a
        // thread (V79; `addPairs`: the caller's, where the variant takes the row rules; with fp8 output full rows only, V83).
        let pairs = fusedAdd && addPairs && LaunchPlan.fusedAddTakesPairs(rows: rows, columns: columns, elementSize: elementSize,
            vectorWidth: vec, multiprocessors: device.multiprocessorCount, highBandwidth: highBandwidth(device),
            fp8Output: fp8Output)
        return LaunchPlan.make(
            rows: rows, columns: columns, elementSize: elementSize, vectorWidth: vec,
            multiprocessors: device.multiprocessorCount, maxSharedMemoryPerBlock: device.maxSharedMemoryPerBlockOptin,
            maxElementsPerThread: pairs ? 16 : LaunchPlan.variantElementCap(
                fusedAdd: fusedAdd, elementSize: elementSize, rows: rows, multiprocessors: device.multiprocessorCount),
            maxClusterSize: LaunchPlan.maxClusterSize(arch: device.arch),
            // The high-bandwidth rules were measured on the plain forward and its epilogue variants, not the fused add.
            highBandwidth: !fusedAdd && highBandwidth(device),
            boundedRows: boundedRows && !fusedAdd, refetchRows: refetchRows && !fusedAdd, capturing: capturing,
            // Rows over 32 KB at many rows split over clusters (V89), measured on the fused add too (s34l).
            wideRowSplit: highBandwidth(device))
    }

    /// Whether every row of y sits at the same offset from a 16-byte boundary as the same row of x (the
    /// aligned-interior kernels read and write both with one split of the row).
    static func interiorAllowed(x: UInt64, ldx: Int, y: UInt64, ldy: Int) -> Bool {
        ldx == ldy && x % 16 == y % 16
    }

    /// Whether the high-bandwidth plan rules apply on this device (``LaunchPlan/highBandwidth(theoreticalBandwidth:multiprocessors:)``).
    static func highBandwidth(_ device: CUDADevice) -> Bool {
        LaunchPlan.highBandwidth(theoreticalBandwidth: device.theoreticalBandwidth, multiprocessors: device.multiprocessorCount)
    }

    /// The module that runs `plan` for `spec` at this shape: its row module where the plan has one, with the
    /// launcher's shape rules applied (late h store, y kept in L2, the 5-block bound, x read twice).
    static func launchModule(plan: LaunchPlan, spec: KernelSpecialization, device: CUDADevice, rows: Int, columns: Int)
        -> KernelSpecialization
    {
        // A loop-free register plan runs from its row module (tpr fixed at compile time), which is
        // compiled without the full module when nothing else needs it.
        var module = spec.rowModule(for: plan) ?? spec
        // The fused add at few rows that outnumber the SMs, 2 vectors a thread: h stored after the reduction (V52).
        if module.residual && module.rowThreads > 0, case .registers(let npt) = plan.path, npt <= 2,
            LaunchPlan.storesResidualLate(rows: rows, multiprocessors: device.multiprocessorCount)
        {
            module.lateResidualStore = true
        }
        // Short rows with a y of 2-64 MB: about 8 MB of y kept in L2, x streamed through (V66, V67).
        if !module.fp8Output && !module.backward && !module.cacheHints,
            let shift = plan.outputKeepShift(rows: rows, columns: columns, elementSize: spec.input.size, fusedAdd: module.residual)
        {
            module.keepsOutput = true
            module.keptOutputShift = shift
        }
        let rowRules = LaunchPlan.takesRowRules(casting: module.casting, fp8Output: module.fp8Output, fusedAdd: module.residual)
        // The fused add (default casting; y of the input type, or fp8 since V83), many rows, on a high-bandwidth GPU: x
        // and the residual read twice, h stored with y after the reduction, as Inductor's kernel (V80).
        if module.residual && module.rowThreads > 0 && !module.backward && !module.cacheHints
            && rowRules && !module.keepsOutput && !module.lateResidualStore,
            plan.fusedAddReadsTwice(rows: rows, columns: columns, input: module.input, weight: module.weight,
                multiprocessors: device.multiprocessorCount, highBandwidth: highBandwidth(device), fp8Output: module.fp8Output)
        {
            module.refetch = true
            // bf16's 4 × 512 rows read twice: h as one packed add a pair (V102).
            module.packedSum = plan.fusedAddPacksSum(rows: rows, columns: columns, input: module.input, weight: module.weight,
                multiprocessors: device.multiprocessorCount, highBandwidth: highBandwidth(device), fp8Output: module.fp8Output)
            return module
        }
        // The fused add of 16-bit types at few rows (up to as many as SMs) or 64 threads a row, 4 vectors a thread: the
        // weight held, loaded ahead of the reduction (V93–V99).
        if module.residual && module.rowThreads > 0 && !module.backward && !module.cacheHints && !module.keepsOutput,
            plan.fusedAddHoldsWeight(rows: rows, input: module.input, weight: module.weight, casting: module.casting,
                fp8Output: module.fp8Output, multiprocessors: device.multiprocessorCount)
        {
            module.holdsWeight = true
        }
        // The two register-count rules below were measured on the plain forward and the Gemma offset's row modules, and
        // since V82 the LLaMA casting mode's and fp8 output's (the tiny-eps and PDL modules fit them too).
        guard module.rowThreads > 0 && !module.residual && !module.backward && !module.cacheHints
            && rowRules && !module.keepsOutput
        else { return module }
        let high = highBandwidth(device)
        // bf16 rows that fill 256 register threads by half to 7/10, many rows, on a high-bandwidth GPU: 5 blocks an SM
        // (V71, V72, V74).
        if let bound = plan.rowBlockBound(rows: rows, columns: columns, input: module.input, weight: module.weight,
            multiprocessors: device.multiprocessorCount, highBandwidth: high)
        {
            module.rowMinBlocks = bound
        } else if plan.refetchesRows(rows: rows, columns: columns, input: module.input, weight: module.weight,
            multiprocessors: device.multiprocessorCount, highBandwidth: high, fp8Output: module.fp8Output)
        {
            // 16-bit rows that fill at least 3/4 of 4 × 256 register threads (V76, V78), fp16 rows that fill it by 1/2 to
            // 3/4, fp32 rows of 2 × 512, many rows, on a high-bandwidth GPU: x read twice, nothing held across the
            // reduction (V73).
            module.refetch = true
        }
        return module
    }

    /// Launches a planned kernel on raw device addresses (used by the checked entry point above
    /// and by the benchmark's exhaustive configuration search).
    static func launch(
        plan: LaunchPlan, spec: KernelSpecialization, device: CUDADevice, x: UInt64, ldx: Int, w: UInt64,
        y: UInt64, ldy: Int, rstd: UInt64, rows: Int, columns: Int, eps: Float, stream: CUDAStream?,
        residual: UInt64 = 0, ldr: Int = 0, residualOut: UInt64 = 0, ldh: Int = 0, weightOffset: Float = 0,
        outScale: Float = 1, clusterFallback: Bool = true
    ) throws(CUDAError) {
        guard rows > 0 else { return }  // the kernels assume every block has a first row
        var plan = plan
        // A stream that asks for programmatic dependent launch gets the PDL module (kernels that wait
        // for the previous kernel before reading), launched as dependents.
        var spec = spec
        let dependent = stream?.usesProgrammaticLaunch ?? false
        spec.dependentLaunch = dependent
        // A split row's second kernel may read the whole row (x, or h with the fused add) while other
        // blocks store y: never with y over that operand (in place); the launcher's other plans take it.
        if case .split = plan.path, y == (residual != 0 ? residualOut : x) {
            plan = LaunchPlan.make(
                rows: rows, columns: columns, elementSize: spec.input.size, vectorWidth: plan.vectorWidth,
                multiprocessors: device.multiprocessorCount, maxSharedMemoryPerBlock: device.maxSharedMemoryPerBlockOptin,
                maxElementsPerThread: LaunchPlan.variantElementCap(
                    fusedAdd: spec.residual, elementSize: spec.input.size, rows: rows, multiprocessors: device.multiprocessorCount),
                maxClusterSize: LaunchPlan.maxClusterSize(arch: device.arch), allowSplit: false)
        }
        let module = launchModule(plan: plan, spec: spec, device: device, rows: rows, columns: columns)
        let kernels = try KernelCache.shared.kernels(for: module, device: device)
        var name = plan.kernelName
        guard var function = kernels.functions[name] else { throw .other("kernel \(name) missing from module \(module)") }
        try kernels.allowSharedMemory(name, plan.sharedMemoryBytes)
        if plan.clusterSize > 8 {
            // The non-portable size needs 16 free SMs in one GPC: where none has them, the launcher's
            // own plans fall back to clusters of at most 8; a plan given by the caller is refused.
            try function.allowNonPortableClusterSize()
            if !(try kernels.clusterFits(name, block: plan.blockSize, shared: plan.sharedMemoryBytes, clusterSize: plan.clusterSize)) {
                guard clusterFallback else {
                    throw .other("a cluster of \(plan.clusterSize) blocks (\(plan.blockSize) threads, \(plan.sharedMemoryBytes) B shared) "
                        + "cannot be scheduled on \(device.name); use a plan with a cluster of at most 8")
                }
                plan = LaunchPlan.make(
                    rows: rows, columns: columns, elementSize: spec.input.size, vectorWidth: plan.vectorWidth,
                    multiprocessors: device.multiprocessorCount, maxSharedMemoryPerBlock: device.maxSharedMemoryPerBlockOptin,
                    maxElementsPerThread: LaunchPlan.variantElementCap(
                        fusedAdd: spec.residual, elementSize: spec.input.size, rows: rows, multiprocessors: device.multiprocessorCount),
                    maxClusterSize: 8)
                name = plan.kernelName
                guard let f = kernels.functions[name] else { throw .other("kernel \(name) missing from module \(module)") }
                function = f
                try kernels.allowSharedMemory(name, plan.sharedMemoryBytes)
            }
        }
        // A cluster plan's grid is M · size, whatever fits per SM (no occupancy query for cluster kernels).
        let perSM = plan.clusterSize > 1 ? 1 : try kernels.blocksPerSM(name, block: plan.blockSize, shared: plan.sharedMemoryBytes)
        let grid = plan.gridSize(rows: rows, multiprocessors: device.multiprocessorCount, blocksPerMultiprocessor: perSM)
        var args = forwardArguments(
            x: x, ldx: ldx, w: w, y: y, ldy: ldy, rstd: rstd, rows: rows, columns: columns, eps: eps, residual: residual,
            ldr: ldr, residualOut: residualOut, ldh: ldh, weightOffset: weightOffset, outScale: outScale)
        if case .registers = plan.path { args.append(Int32(plan.threadsPerRow)) }
        try device.makeCurrent()
        if case .split(let blocks) = plan.path {
            // The row's partial sums (M · blocks floats) in stream-ordered scratch, written by the first kernel
            // before the second reads them.
            guard let sum = kernels.functions["rmsnorm_fwd_split_sum"] else {
                throw .other("kernel rmsnorm_fwd_split_sum missing from module \(module)")
            }
            let configuration = LaunchConfiguration(grid: grid, block: plan.blockSize, sharedMemoryBytes: 0)
            try DeviceMemory.withTemporary(device: device, byteCount: rows * blocks * 4, stream: stream) { (part) throws(CUDAError) in
                var first = args
                first.append(part)
                first.append(Int32(blocks))
                try sum.launch(configuration, stream: stream, arguments: first, dependent: dependent)
                var second = args
                second.append(part)
                second.append(Int32(blocks))
                // Programmatic dependent launch (sm_90+): the second kernel's blocks load their weight and x
                // while the first runs (V30); `RMSNORM_PDL=0` launches it the ordinary way.
                try function.launch(configuration, stream: stream, arguments: second,
                    dependent: dependent || LaunchPlan.programmaticLaunch)
            }
            return
        }
        try function.launch(
            LaunchConfiguration(grid: grid, block: plan.blockSize, sharedMemoryBytes: plan.sharedMemoryBytes),
            stream: stream, arguments: args, dependent: dependent)
    }

    /// The arguments every forward kernel starts with (`FWD_PARAMS` in the kernel source).
    static func forwardArguments(
        x: UInt64, ldx: Int, w: UInt64, y: UInt64, ldy: Int, rstd: UInt64, rows: Int, columns: Int, eps: Float,
        residual: UInt64, ldr: Int, residualOut: UInt64, ldh: Int, weightOffset: Float, outScale: Float
    ) -> KernelArguments {
        var args = KernelArguments()
        args.append(x)
        args.append(Int64(ldx))
        args.append(residual)
        args.append(Int64(ldr))
        args.append(residualOut)
        args.append(Int64(ldh))
        args.append(w)
        args.append(y)
        args.append(Int64(ldy))
        args.append(rstd)
        args.append(Int64(rows))
        args.append(Int32(columns))
        args.append(eps)
        args.append(weightOffset)
        args.append(outScale)
        return args
    }
}

func rangesOverlap(_ a: UInt64, _ aLen: UInt64, _ b: UInt64, _ bLen: UInt64) -> Bool {
    aLen > 0 && bLen > 0 && a < b + bLen && b < a + aLen
}

/// GPU form with an explicit launch plan, for tuning and experiments. Operands are checked as in
/// ``rmsNorm(_:weight:eps:into:rstd:stream:)``; the plan is checked to cover the row with
/// aligned accesses, else ``RMSNormError/invalidArgument(_:)`` is thrown. The launcher's own plan for these
/// operands (``launchPlan(for:weight:into:fusedAdd:consultingAutotune:stream:capturing:)``) is always accepted,
/// the aligned-interior plans of rows off 16-byte boundaries included, which cannot be given otherwise.
public func rmsNorm<T: RMSNormElement, W: RMSNormElement>(
    _ x: DeviceMatrix<T>, weight: DeviceBuffer<W>, eps: Float = defaultEpsilon, into y: DeviceMatrix<T>,
    plan: LaunchPlan, cacheHints: Bool, rstd: DeviceBuffer<Float>? = nil, stream: CUDAStream? = nil
) throws(RMSNormError) {
    try CUDABackend.forward(x: x, weight: weight, y: y, rstd: rstd, eps: eps, stream: stream, plan: plan, cacheHints: cacheHints)
}

/// Fresh random device data for benchmarks and checks, made on the GPU.
public enum DeviceRandom {
    /// Fills `buffer` with standard-normal values times `scale`, rounded to `T`.
    public static func fillNormal<T: RMSNormElement>(
        _ buffer: DeviceBuffer<T>, seed: UInt64, scale: Float = 1, stream: CUDAStream? = nil
    ) throws(RMSNormError) {
        guard buffer.count > 0 else { return }
        let device = buffer.device
        do {
            let kernels = try KernelCache.shared.kernels(
                for: KernelSpecialization(input: T.dtype, weight: T.dtype, vectorWidth: 1), device: device)
            var args = KernelArguments()
            args.append(buffer.address(of: 0))
            args.append(Int64(buffer.count))
            args.append(seed)
            args.append(scale)
            try device.makeCurrent()
            try kernels.functions["rmsnorm_fill_normal"]!.launch(
                LaunchConfiguration(grid: min(ceilDiv(buffer.count, 256), device.multiprocessorCount * 8), block: 256),
                stream: stream, arguments: args)
        } catch { throw .cuda(error) }
    }
}

extension DeviceRandom {
    /// Overwrites `memory` (a multiple of 16 bytes) with a kernel; used to flush L2 between timings.
    public static func overwrite(_ memory: DeviceMemory, value: UInt32, stream: CUDAStream? = nil) throws(RMSNormError) {
        var args = KernelArguments()
        args.append(memory.address)
        args.append(Int64(memory.byteCount / 16))
        args.append(value)
        try launchUtility("rmsnorm_flush", blocks: memory.device.multiprocessorCount * 4, on: memory.device,
            stream: stream, arguments: args)
    }

    /// Copies the first `byteCount` bytes (a multiple of 16) of `source` to `target` with a kernel, in
    /// stream order: the benchmark's copy reference without the driver's memcpy (V26 in benchmarks/NOTES.md).
    public static func copy(from source: DeviceMemory, to target: DeviceMemory, byteCount: Int, stream: CUDAStream? = nil)
        throws(RMSNormError)
    {
        precondition(byteCount % 16 == 0 && byteCount <= source.byteCount && byteCount <= target.byteCount)
        guard byteCount > 0 else { return }
        var args = KernelArguments()
        args.append(source.address)
        args.append(target.address)
        args.append(Int64(byteCount / 16))
        // On a stream with programmatic dependent launch, the copy is launched as a dependent too (from the
        // PDL module, whose copy waits before it reads): the reference for `--pdl` timings.
        try launchUtility("rmsnorm_copy", blocks: min(ceilDiv(byteCount / 16, 512), source.device.multiprocessorCount * 4),
            on: source.device, stream: stream, arguments: args, dependent: stream?.usesProgrammaticLaunch ?? false)
    }

    /// Keeps `stream` busy for `cycles` SM clock cycles (one thread spinning on the clock): the
    /// benchmark's hold between the L2 flush and the start event, long enough for the host to enqueue
    /// the timed call, so only device time is measured whatever the caller's host overhead.
    public static func hold(cycles: Int64, on device: CUDADevice, stream: CUDAStream? = nil) throws(RMSNormError) {
        guard cycles > 0 else { return }
        var args = KernelArguments()
        args.append(cycles)
        try launchUtility("rmsnorm_spin", blocks: 1, threads: 1, on: device, stream: stream, arguments: args)
    }

    /// Launches one of the utility kernels of the fp32 forward module (512 threads a block unless told).
    private static func launchUtility(
        _ name: String, blocks: Int, threads: Int = 512, on device: CUDADevice, stream: CUDAStream?, arguments: KernelArguments,
        dependent: Bool = false
    ) throws(RMSNormError) {
        do {
            var spec = KernelSpecialization(input: .float32, weight: .float32, vectorWidth: 1)
            spec.dependentLaunch = dependent
            let kernels = try KernelCache.shared.kernels(for: spec, device: device)
            try device.makeCurrent()
            try kernels.functions[name]!.launch(
                LaunchConfiguration(grid: blocks, block: threads), stream: stream, arguments: arguments, dependent: dependent)
        } catch { throw .cuda(error) }
    }
}

/// The widest vector (elements) every access of the plain forward on these operands may use: the width
/// a plan given by hand (``rmsNorm(_:weight:eps:into:rstd:plan:cacheHints:stream:)``, the tuner's candidates)
/// must divide. The launcher's own aligned-interior plans go wider on rows that do not start on 16 bytes.
public func alignedVectorWidth<T: RMSNormElement, W: RMSNormElement>(
    _ x: DeviceMatrix<T>, weight: DeviceBuffer<W>, y: DeviceMatrix<T>
) -> Int {
    LaunchPlan.vectorWidth(
        columns: x.columns, elementSize: T.dtype.size, weightSize: W.dtype.size,
        xAddress: x.baseAddress, yAddress: y.baseAddress, weightAddress: weight.address(of: 0),
        xRowStride: x.rowStride, yRowStride: y.rowStride)
}

/// The plan the launcher would use for these operands (for reports and tuning); `fusedAdd` for the
/// fused residual add's plan. With ``Autotune/isEnabled`` and a stored plan for the plain forward's
/// shape class, that plan (unless `consultingAutotune` is false). `stream`: the plan for a call on that
/// stream, which differs while it is being captured into a CUDA graph at some shapes; `capturing`: the
/// plan for a call captured into a graph, whatever the stream's state now.
public func launchPlan<T: RMSNormElement, W: RMSNormElement>(
    for x: DeviceMatrix<T>, weight: DeviceBuffer<W>, into y: DeviceMatrix<T>, fusedAdd: Bool = false,
    consultingAutotune: Bool = true, stream: CUDAStream? = nil, capturing: Bool = false
) -> LaunchPlan {
    let vec = alignedVectorWidth(x, weight: weight, y: y)
    if consultingAutotune && !fusedAdd, let tuned = Autotune.tunedPlan(
        device: x.device, input: T.dtype, weight: W.dtype, rows: x.rows, columns: x.columns, vectorWidth: vec)
    {
        return tuned.0
    }
    return CUDABackend.heuristicPlan(
        rows: x.rows, columns: x.columns, elementSize: T.dtype.size, vectorWidth: vec, device: x.device,
        interior: !fusedAdd && CUDABackend.interiorAllowed(x: x.baseAddress, ldx: x.rowStride, y: y.baseAddress, ldy: y.rowStride),
        fusedAdd: fusedAdd, boundedRows: LaunchPlan.boundsRows(input: T.dtype, weight: W.dtype),
        refetchRows: T.dtype == W.dtype, addPairs: true, stream: stream, assumeCapturing: capturing)
}

/// The kernel module the launcher runs the plain forward's `plan` from at this shape (for reports: the bench prints
/// the row module's 5-block bound, ``KernelSpecialization/rowMinBlocks``, and ``KernelSpecialization/refetch`` after
/// the plan). `cacheHints` and `eps` as the call's.
public func launchModule<T: RMSNormElement, W: RMSNormElement>(
    for x: DeviceMatrix<T>, weight: DeviceBuffer<W>, plan: LaunchPlan, eps: Float = defaultEpsilon,
    cacheHints: Bool = LaunchPlan.defaultCacheHints
) -> KernelSpecialization {
    let spec = KernelSpecialization(input: T.dtype, weight: W.dtype, vectorWidth: plan.vectorWidth, cacheHints: cacheHints,
        tinyEps: KernelSpecialization.needsTinyEpsPath(eps: eps))
    return CUDABackend.launchModule(plan: plan, spec: spec, device: x.device, rows: x.rows, columns: x.columns)
}

/// The plan and the kernel module a forward variant call runs for these operands (for reports: the bench prints them
/// beside each variant's timing): `options` as the call's (casting mode, weight offset, eps); `residual` and
/// `residualOut` for the fused add; `y` of the input type, or ``Float8E4M3`` for fp8 output. The module carries the
/// launcher's shape rules (``KernelSpecialization/rowMinBlocks``, ``KernelSpecialization/refetch``). `capturing`: the
/// plan for a call captured into a graph, whatever the stream's state now.
public func variantLaunchPlan<T: RMSNormElement, W: RMSNormElement, Y>(
    for x: DeviceMatrix<T>, residual: DeviceMatrix<T>? = nil, residualOut: DeviceMatrix<T>? = nil,
    weight: DeviceBuffer<W>, into y: DeviceMatrix<Y>, options: RMSNormOptions = RMSNormOptions(),
    stream: CUDAStream? = nil, capturing: Bool = false
) -> (plan: LaunchPlan, module: KernelSpecialization) {
    let (plan, spec) = CUDABackend.variantPlan(x: x, residual: residual, residualOut: residualOut, weight: weight, y: y,
        fp8Output: Y.self == Float8E4M3.self, options: options, stream: stream, assumeCapturing: capturing)
    return (plan, CUDABackend.launchModule(plan: plan, spec: spec, device: x.device, rows: x.rows, columns: x.columns))
}
