/// How one forward call is launched: which kernel, vector width, threads per row and block size.
/// A pure function of the shape and the device's limits, so it is tested without a GPU.
public struct LaunchPlan: Sendable, Equatable, CustomStringConvertible {
    public enum Path: Sendable, Equatable {
        /// Row in registers, `vectorsPerThread` vectors of `vectorWidth` per thread.
        case registers(vectorsPerThread: Int)
        /// One block per row, the row staged in shared memory.
        case sharedMemory
        /// One block per row, two passes (row too long for shared memory).
        case loop
    }

    public var path: Path
    public var vectorWidth: Int
    public var threadsPerRow: Int
    public var blockSize: Int
    public var sharedMemoryBytes: Int

    public var rowsPerBlock: Int { blockSize / threadsPerRow }

    public var kernelName: String {
        switch path {
        case .registers(let npt): return "rmsnorm_fwd_reg_npt\(npt)"
        case .sharedMemory: return "rmsnorm_fwd_smem"
        case .loop: return "rmsnorm_fwd_loop"
        }
    }

    public var description: String {
        switch path {
        case .registers(let npt):
            return "registers vec=\(vectorWidth) npt=\(npt) tpr=\(threadsPerRow) block=\(blockSize)"
        case .sharedMemory: return "smem vec=\(vectorWidth) block=\(blockSize) shared=\(sharedMemoryBytes)B"
        case .loop: return "loop vec=\(vectorWidth) block=\(blockSize)"
        }
    }

    /// The widest vector (elements) such that every access is aligned: N and both row strides
    /// are multiples of it, and x, y and the weight start on its byte boundary. 16 bytes at most.
    public static func vectorWidth(
        columns: Int, elementSize: Int, weightSize: Int,
        xAddress: UInt64, yAddress: UInt64, weightAddress: UInt64, xRowStride: Int, yRowStride: Int
    ) -> Int {
        var vec = 16 / elementSize
        while vec > 1 {
            let bytes = UInt64(vec * elementSize)
            let wBytes = UInt64(min(16, vec * weightSize))
            if columns % vec == 0, xRowStride % vec == 0, yRowStride % vec == 0,
                xAddress % bytes == 0, yAddress % bytes == 0, weightAddress % wBytes == 0
            {
                return vec
            }
            vec /= 2
        }
        return 1
    }

    /// Chooses the kernel for `rows` × `columns` with the given vector width.
    ///
    /// - Rows up to 32 elements per thread (N ≤ 32,768 at any width) stay in registers: x is
    ///   read once and the row never leaves the SM. Each thread aims at 16 elements (64 bytes of
    ///   fp32, four 16-byte loads in flight), so `threadsPerRow` grows with N up to 1,024.
    /// - Few rows (decode-sized M): more threads per row and fewer elements each, until the rows
    ///   together give every SM about 512 threads, so the loads of a short call are spread wide.
    /// - Up to 256 threads per block for short rows (several rows per block); smaller blocks when
    ///   M is small so that the grid still covers every SM twice.
    /// - Longer rows: the row is staged in shared memory when it fits, else two passes over it.
    public static func make(
        rows: Int, columns: Int, elementSize: Int, vectorWidth vec: Int,
        multiprocessors: Int, maxSharedMemoryPerBlock: Int
    ) -> LaunchPlan {
        let nv = columns / vec
        let maxNpt = 32 / vec
        let targetNpt = max(1, 16 / vec)
        var tpr = min(1024, nextPowerOfTwo(ceilDiv(nv, targetNpt)))
        if ceilDiv(nv, tpr) <= maxNpt {
            var npt = nextPowerOfTwo(ceilDiv(nv, tpr))
            while tpr < 1024, npt > 1, rows * tpr < multiprocessors * 512 {
                tpr *= 2
                npt = nextPowerOfTwo(ceilDiv(nv, tpr))
            }
            var block = tpr
            if tpr <= 32 {
                block = 256
                while block > 32, ceilDiv(rows, block / tpr) < 2 * multiprocessors { block /= 2 }
            }
            return LaunchPlan(
                path: .registers(vectorsPerThread: npt), vectorWidth: vec, threadsPerRow: tpr,
                blockSize: block, sharedMemoryBytes: 0)
        }
        let rowBytes = (columns * elementSize + 15) / 16 * 16
        // 1 KB kept back for the kernel's static shared memory (reduction scratch).
        if rowBytes <= maxSharedMemoryPerBlock - 1024 {
            let threads = nv >= 8192 ? 1024 : 512
            return LaunchPlan(
                path: .sharedMemory, vectorWidth: vec, threadsPerRow: threads, blockSize: threads,
                sharedMemoryBytes: rowBytes)
        }
        return LaunchPlan(path: .loop, vectorWidth: vec, threadsPerRow: 1024, blockSize: 1024, sharedMemoryBytes: 0)
    }

    /// Blocks to launch: enough to cover the rows, at most what fits on the GPU at once
    /// (a persistent grid that strides over the rest; no tail wave).
    public func gridSize(rows: Int, multiprocessors: Int, blocksPerMultiprocessor: Int) -> Int {
        let groups = ceilDiv(rows, rowsPerBlock)
        return max(1, min(groups, multiprocessors * max(1, blocksPerMultiprocessor)))
    }
}

func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
func nextPowerOfTwo(_ n: Int) -> Int {
    var p = 1
    while p < n { p <<= 1 }
    return p
}
