/// Launchers of the variants on device matrices: fused residual add, weight offset, casting
/// modes, fp8 output, backward.
extension CUDABackend {
    static func sameDevice(_ device: CUDADevice, _ others: [CUDADevice?]) throws(RMSNormError) {
        for d in others {
            if let d, d !== device {
                throw .deviceMismatch(
                    "operands are on GPU \(device.ordinal) and GPU \(d.ordinal); move every operand (and the stream) to one GPU")
            }
        }
    }

    static func view<E>(_ m: DeviceMatrix<E>) -> OperandView {
        OperandView(address: m.baseAddress, rows: m.rows, columns: m.columns, stride: m.rowStride,
            elementSize: MemoryLayout<E>.stride)
    }
    static func view<E>(_ b: DeviceBuffer<E>, count: Int? = nil) -> OperandView {
        .vector(address: b.address(of: 0), count: count ?? b.count, elementSize: MemoryLayout<E>.stride)
    }

    /// Every forward variant. `Y` is `T`, or `Float8E4M3` with `fp8Scale` set.
    static func forwardVariant<T: RMSNormElement, W: RMSNormElement, Y>(
        x: DeviceMatrix<T>, residual: DeviceMatrix<T>?, residualOut: DeviceMatrix<T>?, weight: DeviceBuffer<W>,
        y: DeviceMatrix<Y>, fp8Scale: Float?, rstd: DeviceBuffer<Float>?, options: RMSNormOptions, stream: CUDAStream?
    ) throws(RMSNormError) {
        let device = x.device
        try sameDevice(device, [y.device, weight.device, residual?.device, residualOut?.device, rstd?.device, stream?.device])
        try validateForward(
            x: view(x), residual: residual.map(view), residualOut: residualOut.map(view), y: view(y),
            weight: view(weight), rstd: rstd.map { view($0) }, options: options, fp8Scale: fp8Scale)
        if x.rows == 0 { return }
        let (plan, spec) = variantPlan(x: x, residual: residual, residualOut: residualOut, weight: weight, y: y,
            fp8Output: fp8Scale != nil, options: options, stream: stream)
        do {
            try launch(
                plan: plan, spec: spec, device: device, x: x.baseAddress, ldx: x.rowStride, w: weight.address(of: 0),
                y: y.baseAddress, ldy: y.rowStride, rstd: rstd?.address(of: 0) ?? 0, rows: x.rows, columns: x.columns,
                eps: options.eps, stream: stream, residual: residual?.baseAddress ?? 0, ldr: residual?.rowStride ?? 0,
                residualOut: residualOut?.baseAddress ?? 0, ldh: residualOut?.rowStride ?? 0,
                weightOffset: options.weightOffset, outScale: fp8Scale.map { 1 / $0 } ?? 1)
        } catch { throw .cuda(error) }
    }

    /// The plan and the module (before the launcher's shape rules, ``launchModule(plan:spec:device:rows:columns:)``)
    /// of a forward variant call: the operands' common vector width, and the high-bandwidth row rules where the variant
    /// takes them. `assumeCapturing`: the plan for a call captured into a graph, whatever the stream's state now.
    static func variantPlan<T: RMSNormElement, W: RMSNormElement, Y>(
        x: DeviceMatrix<T>, residual: DeviceMatrix<T>?, residualOut: DeviceMatrix<T>?, weight: DeviceBuffer<W>,
        y: DeviceMatrix<Y>, fp8Output: Bool, options: RMSNormOptions, stream: CUDAStream?, assumeCapturing: Bool = false
    ) -> (plan: LaunchPlan, spec: KernelSpecialization) {
        let device = x.device
        var operands: [(UInt64, Int, Int)] = [(x.baseAddress, x.rowStride, T.dtype.size),
            (y.baseAddress, y.rowStride, MemoryLayout<Y>.stride)]
        if let residual, let residualOut {
            operands += [(residual.baseAddress, residual.rowStride, T.dtype.size),
                (residualOut.baseAddress, residualOut.rowStride, T.dtype.size)]
        }
        let vec = LaunchPlan.vectorWidth(columns: x.columns, elementSize: T.dtype.size, weightSize: W.dtype.size,
            weightAddress: weight.address(of: 0), operands: operands)
        let requested = KernelSpecialization(input: T.dtype, weight: W.dtype, vectorWidth: vec,
            residual: residual != nil, casting: options.casting, fp8Output: fp8Output,
            tinyEps: KernelSpecialization.needsTinyEpsPath(eps: options.eps))
        // The high-bandwidth row rules where the module takes them (fp32 x runs the default casting's module whatever
        // the mode asked: the same arithmetic).
        let rowRules = LaunchPlan.takesRowRules(casting: requested.casting, fp8Output: requested.fp8Output, fusedAdd: requested.residual)
        // Aligned interior: the casting modes and the offset, not the fused add or fp8 output (their other
        // operands would not share x's split of the row).
        let plan = heuristicPlan(
            rows: x.rows, columns: x.columns, elementSize: T.dtype.size, vectorWidth: vec, device: device,
            interior: residual == nil && !fp8Output
                && interiorAllowed(x: x.baseAddress, ldx: x.rowStride, y: y.baseAddress, ldy: y.rowStride),
            fusedAdd: residual != nil,
            boundedRows: LaunchPlan.boundsRows(input: T.dtype, weight: W.dtype) && rowRules,
            // fp8 output: only fp16 rows stay in registers to be read twice (fp32 2 × 512 lost 13.6%, V83).
            refetchRows: T.dtype == W.dtype && rowRules && (!fp8Output || T.dtype == .float16),
            addPairs: rowRules, fp8Output: fp8Output, stream: stream, assumeCapturing: assumeCapturing)
        var spec = requested
        spec.vectorWidth = plan.vectorWidth
        return (plan, spec)
    }

    /// The backward pass: dx (and dres added), dw reduced deterministically.
    static func backward<T: RMSNormElement, W: RMSNormElement>(
        x: DeviceMatrix<T>, weight: DeviceBuffer<W>, rstd: DeviceBuffer<Float>?, dy: DeviceMatrix<T>,
        residualGradient: DeviceMatrix<T>?, dx: DeviceMatrix<T>, dw: DeviceBuffer<W>, options: RMSNormOptions,
        stream: CUDAStream?
    ) throws(RMSNormError) {
        let device = x.device
        try sameDevice(device, [weight.device, rstd?.device, dy.device, residualGradient?.device, dx.device, dw.device, stream?.device])
        try validateBackward(
            x: view(x), weight: view(weight), rstd: rstd.map { view($0) }, dy: view(dy),
            residualGradient: residualGradient.map(view), dx: view(dx), dw: view(dw), options: options)
        var operands: [(UInt64, Int, Int)] = [(x.baseAddress, x.rowStride, T.dtype.size),
            (dy.baseAddress, dy.rowStride, T.dtype.size), (dx.baseAddress, dx.rowStride, T.dtype.size)]
        if let r = residualGradient { operands.append((r.baseAddress, r.rowStride, T.dtype.size)) }
        let vec = LaunchPlan.vectorWidth(columns: x.columns, elementSize: T.dtype.size, weightSize: W.dtype.size,
            weightAddress: weight.address(of: 0), operands: operands)
        let plan = LaunchPlan.backward(rows: x.rows, columns: x.columns, elementSize: T.dtype.size, vectorWidth: vec,
            savedRstd: rstd != nil, dxOverlapsInputs: dxOverlapsInputs(x: x, dy: dy, dx: dx), weightSize: W.dtype.size,
            residual: residualGradient != nil, stagingBytes: stagingBytes(device))
        let spec = KernelSpecialization(input: T.dtype, weight: W.dtype, vectorWidth: vec,
            residual: residualGradient != nil, backward: true,
            tinyEps: rstd == nil && KernelSpecialization.needsTinyEpsPath(eps: options.eps), recompute: rstd == nil)
        do throws(CUDAError) {
            try launchBackward(plan: plan, spec: spec, device: device, x: x, weight: weight, rstd: rstd, dy: dy,
                residualGradient: residualGradient, dx: dx, dw: dw, options: options, stream: stream)
        } catch { throw .cuda(error) }
    }

    /// The shared memory a staged backward block may take: the device's opt-in maximum where cp.async exists (sm_80+).
    static func stagingBytes(_ device: CUDADevice) -> Int { device.arch >= 80 ? device.maxSharedMemoryPerBlockOptin : 0 }

    /// The fused kernel's column blocks read x and dy while its row blocks write dx: dx in place over dy (or
    /// over x) takes the two-kernel path, where each thread reads its elements before it writes them.
    static func dxOverlapsInputs<T>(x: DeviceMatrix<T>, dy: DeviceMatrix<T>, dx: DeviceMatrix<T>) -> Bool {
        view(dx).overlaps(view(dy)) || view(dx).overlaps(view(x))
    }

    static func launchBackward<T: RMSNormElement, W: RMSNormElement>(
        plan: LaunchPlan, spec: KernelSpecialization, device: CUDADevice, x: DeviceMatrix<T>, weight: DeviceBuffer<W>,
        rstd: DeviceBuffer<Float>?, dy: DeviceMatrix<T>, residualGradient: DeviceMatrix<T>?, dx: DeviceMatrix<T>,
        dw: DeviceBuffer<W>, options: RMSNormOptions, stream: CUDAStream?
    ) throws(CUDAError) {
        do {
            var spec = spec
            let dependent = stream?.usesProgrammaticLaunch ?? false
            spec.dependentLaunch = dependent
            spec.twoRowsInFlight = KernelSpecialization.backwardTwoRowsEnabled
            // BWD_PARAMS, then the register kernels' threads per row.
            func arguments(_ partial: UInt64) -> KernelArguments {
                var args = KernelArguments()
                args.append(x.baseAddress)
                args.append(Int64(x.rowStride))
                args.append(weight.address(of: 0))
                args.append(dy.baseAddress)
                args.append(Int64(dy.rowStride))
                args.append(residualGradient?.baseAddress ?? 0)
                args.append(Int64(residualGradient?.rowStride ?? 0))
                args.append(dx.baseAddress)
                args.append(Int64(dx.rowStride))
                args.append(rstd?.address(of: 0) ?? 0)
                args.append(partial)
                args.append(Int64(x.rows))
                args.append(Int32(x.columns))
                args.append(options.eps)
                args.append(options.weightOffset)
                if case .registers = plan.path { args.append(Int32(plan.threadsPerRow)) }
                return args
            }
            if plan.backwardSingleBlock, case .registers(let npt) = plan.path, rstd != nil, x.rows == 1 {
                // From its one-row module (the block's size fixed at compile time), compiled without the full module.
                let module = spec.rowModule(for: plan) ?? spec
                let kernels = try KernelCache.shared.kernels(for: module, device: device)
                guard let function = kernels.functions["rmsnorm_bwd_one_npt\(npt)"] else {
                    throw CUDAError.other("kernel rmsnorm_bwd_one_npt\(npt) missing from module \(module)")
                }
                try device.makeCurrent()
                try function.launch(LaunchConfiguration(grid: 1, block: plan.blockSize), stream: stream,
                    arguments: arguments(dw.address(of: 0)), dependent: dependent)  // dw in place of the partial rows
                return
            }
            // The persistent register plans of 16-bit rows over 128 threads: from a backward row module (V105, when enabled).
            let kernels = try KernelCache.shared.kernels(for: spec.backwardRowModule(for: plan) ?? spec, device: device)
            if plan.fusedBackward, case .registers(let npt) = plan.path, rstd != nil {
                let name = "rmsnorm_bwd_fused_npt\(npt)" + (plan.fusedWide ? "_w512" : "")
                guard let function = kernels.functions[name] else {
                    throw CUDAError.other("kernel \(name) missing from module \(spec)")
                }
                let g = plan.fusedBackwardGrid(rows: x.rows, columns: x.columns)
                var args = arguments(0)  // no partial rows
                args.append(Int32(g.rowBlocks))
                args.append(Int32(g.rowGroups))
                args.append(dw.address(of: 0))
                try device.makeCurrent()
                try function.launch(
                    LaunchConfiguration(grid: g.rowBlocks + g.columnBlocks, block: plan.blockSize, sharedMemoryBytes: g.sharedMemoryBytes),
                    stream: stream, arguments: args, dependent: dependent)
                return
            }
            var name: String
            if case .registers(let npt) = plan.path, plan.backwardStages > 0 {
                name = "rmsnorm_bwd_async_npt\(npt)" + (plan.registers128 ? "_r128" : "")
            } else if case .registers(let npt) = plan.path {
                name = "rmsnorm_bwd_reg_npt\(npt)" + (plan.registers128 ? "_r128" : "")
            } else {
                name = "rmsnorm_bwd_loop"
            }
            guard kernels.functions[name] != nil, let reduce = kernels.functions["rmsnorm_dw_reduce"] else {
                throw CUDAError.other("kernel \(name) missing from module \(spec)")
            }
            try kernels.allowSharedMemory(name, plan.sharedMemoryBytes)
            let perSM = try kernels.blocksPerSM(name, block: plan.blockSize, shared: plan.sharedMemoryBytes)
            // M = 0: no rows, dw = 0 (one empty partial row).
            var grid = x.rows == 0 ? 1 : plan.backwardGridSize(
                rows: x.rows, multiprocessors: device.multiprocessorCount, blocksPerMultiprocessor: perSM)
            // Many rows on the staged 1,024-thread kernel: falling row ranges, one partial row a range.
            let ranges = x.rows == 0 ? nil
                : plan.withRowRanges(rows: x.rows, slots: device.multiprocessorCount * perSM).rowRanges
            if let ranges {
                name += "_rng"
                grid = ranges.blocks
                try kernels.allowSharedMemory(name, plan.sharedMemoryBytes)
            }
            guard let function = kernels.functions[name] else {
                throw CUDAError.other("kernel \(name) missing from module \(spec)")
            }
            // The partial rows start on a 16-byte boundary (the kernels store them as float4: V57); 16 bytes more are
            // taken so that any start the pool gives can be rounded up.
            try DeviceMemory.withTemporary(device: device, byteCount: grid * x.columns * 4 + 16, stream: stream) { (base) throws(CUDAError) in
                let partial = (base + 15) & ~15
                try device.makeCurrent()
                if x.rows == 0 {
                    try device.fill(address: partial, byteCount: x.columns * 4, value: 0, stream: stream)
                } else {
                    var args = arguments(partial)
                    if plan.backwardStages > 0 { args.append(Int32(plan.backwardStages)) }
                    if let ranges {
                        args.append(Int32(ranges.perPhase))
                        args.append(Int64(ranges.first))
                        args.append(Int32(ranges.smallest))
                    }
                    try function.launch(
                        LaunchConfiguration(grid: grid, block: plan.blockSize, sharedMemoryBytes: plan.sharedMemoryBytes),
                        stream: stream, arguments: args, dependent: dependent)
                }
                var rargs = KernelArguments()
                rargs.append(partial)
                rargs.append(Int32(grid))
                rargs.append(Int32(x.columns))
                rargs.append(dw.address(of: 0))
                // A programmatic dependent of the backward kernel on sm_90+ (its launch and start overlap that
                // kernel's last rows; it waits before it reads; V54); `RMSNORM_PDL=0` launches it the ordinary way.
                try reduce.launch(
                    LaunchConfiguration(grid: ceilDiv(x.columns, 32), block: (32, 32)), stream: stream, arguments: rargs,
                    dependent: dependent || (x.rows > 0 && device.arch >= 90 && LaunchPlan.programmaticLaunch))
            }
        }
    }
}

/// The plan the backward launcher would use for these operands (for reports).
public func backwardLaunchPlan<T: RMSNormElement, W: RMSNormElement>(
    for x: DeviceMatrix<T>, weight: DeviceBuffer<W>, outputGradient dy: DeviceMatrix<T>,
    residualGradient: DeviceMatrix<T>? = nil, into dx: DeviceMatrix<T>, savedRstd: Bool = true
) -> LaunchPlan {
    var operands: [(UInt64, Int, Int)] = [(x.baseAddress, x.rowStride, T.dtype.size),
        (dy.baseAddress, dy.rowStride, T.dtype.size), (dx.baseAddress, dx.rowStride, T.dtype.size)]
    if let r = residualGradient { operands.append((r.baseAddress, r.rowStride, T.dtype.size)) }
    let vec = LaunchPlan.vectorWidth(columns: x.columns, elementSize: T.dtype.size, weightSize: W.dtype.size,
        weightAddress: weight.address(of: 0), operands: operands)
    // The staged 1,024-thread kernel fills an SM (one block a slot): its row ranges as the launcher takes them.
    return LaunchPlan.backward(rows: x.rows, columns: x.columns, elementSize: T.dtype.size, vectorWidth: vec,
        savedRstd: savedRstd, dxOverlapsInputs: CUDABackend.dxOverlapsInputs(x: x, dy: dy, dx: dx), weightSize: W.dtype.size,
        residual: residualGradient != nil, stagingBytes: CUDABackend.stagingBytes(x.device))
        .withRowRanges(rows: x.rows, slots: x.device.multiprocessorCount)
}
