// RMSNorm forward kernels, compiled at run time by NVRTC for the GPU's exact sm_XY.
//
//   y[r, c] = x[r, c] * rstd[r] * w[c],   rstd[r] = 1 / sqrt(mean_c(x[r, c]^2) + eps)
//
// No CUDA headers are included: half and bfloat16 are handled as raw 16-bit words and
// converted with PTX (half) or integer arithmetic (bfloat16), accumulation is fp32.
//
// Specialisation (set by the launcher with -D, one compiled module per combination):
//   IN_T   element type of x and y: 0 float, 1 half, 2 bfloat16
//   W_T    element type of the weight: same codes
//   VEC    elements per vector access; VEC * sizeof(element) <= 16 bytes. The launcher picks
//          the widest VEC for which every row start of x and y, the weight and N are aligned.
//   CACHE_HINTS  1: x is loaded and y stored with the streaming (evict-first) cache policy, since
//          each is touched once; the weight keeps the default policy and stays in cache.
//   RESID  1: fused residual add. h = x + residual (fp32 sum, rounded once to IN_T) is written to
//          `hout` and normalised; h is never read back from DRAM (registers / shared memory; the
//          two-pass path re-reads its own row, which is in L2).
//   CAST   casting mode of y: 0 gemma (fp32 throughout, one rounding at the end), 1 llama
//          (x·rstd rounded to IN_T, then times the weight), 2 none (rstd, x·rstd and the weight
//          each rounded to IN_T: the arithmetic of the input dtype, with an fp32 sum of squares).
//   OUT_T  element type of y: IN_T, or 3 for float8 e4m3 (y · out_scale, round to nearest even,
//          saturating at ±448, NaN stays NaN). In modes 1 and 2, y is rounded to IN_T first.
//   KIND   0: the forward kernels and the utility kernels; 1: the backward kernels.
//   XPOLICY  L2 eviction priority of the register kernels' 16-byte loads of x and the residual:
//          2 evict_last (the default, sm_80+; V27: faster after the benchmark's flush, no shape
//          slower), 1 evict_first, 0 normal. The backward's loads do not take this path.
//   YPOLICY  L2 eviction priority of the forward's 16-byte stores of y: 0 normal (the default), 2
//          evict_last, 1 evict_first. The launcher compiles YPOLICY 2 with XPOLICY 1 for short rows
//          with 2-64 MB of y (V66), and YFRAC, the share of y so marked, about 8 MB of it (V67).
//   YFRAC, YSECOND  see their #defines.
//   WPREFETCH  1 (default): the shared-memory kernels at M <= 16 prefetch their weight slice into L2
//          before the first pass (V28); 0 for comparisons.
//   FP8_PACK  1 (default): fp8 output vectors packed in registers (V27); 0 for comparisons.
//   PACKED32  1 (default): the loop-free register kernels with 32 16-bit elements a thread keep x in
//          its 16-bit form and the 16-bit weight in registers (V21); 0 for comparisons. PACKED_WREG 0 (an
//          experiment) keeps x packed but reads the weight after the reduction.
//   ROW_TPR  0 (default): the full module. > 0: a row module, holding only the loop-free register
//          kernels rmsnorm_fwd_row_nptK (and, where the full module has them, rmsnorm_fwd_ai_nptK),
//          compiled for rows of exactly ROW_TPR threads (their `tpr` argument is ignored): shifts,
//          masks and the block reduction are fixed at compile time, which shortens the dependent
//          chain from the loads to the stores (V22: 2-4% at M <= 256, 4-10% on odd N). The launcher
//          compiles one for each tpr its loop-free plans use.
//   ROW_MINB, ROW_MINB_TPR  a row module's register kernels bounded at ROW_MINB blocks an SM (off by
//          default); the launcher compiles ROW_MINB 5 with PACKED32 0 for half-full 256-thread bf16 rows
//          on high-bandwidth GPUs (V71, V72, V74).
//   REFETCH  1: a row module's register kernels read x twice (evict_last for the sum of squares, then from
//          L2 under evict_first for y), holding neither x nor the weight across the reduction. The
//          launcher compiles it for 16-bit rows filling at least 3/4 of 4 x 256 threads (V76, V78), fp16 rows
//          over half of that layout and fp32 rows of 2 x 512, at many rows on high-bandwidth GPUs (V73); 0
//          (default) otherwise. With RESID, x and the residual are both read twice and h is stored on the
//          second pass (V80; the launcher's rule: LaunchPlan.fusedAddReadsTwice).
//          Both reads carry their priority for L1 as well (REFETCH_L1, V75).
//   HADD_PACKED  1: the fused add's h = x + residual as one packed 16-bit add a pair (same bits; the launcher sets it on
//          bf16's 4 x 512 rows read twice, LaunchPlan.fusedAddPacksSum, V102); 0 (default) otherwise. See add_h.
//   LOOP_HINTS, SLICE_PAIRS  experiments on rmsnorm_fwd_loop (off by default, V70): see their #defines.
//   PASS2_U  1 (default): vectors a thread the last pass of rmsnorm_fwd_smem, _smem_cK and _loop requests at once (V90,
//          an experiment; the _b2 cluster kernels take 2).
//   CLUSTER_READ_RELAXED  1 (default, V94a): the cluster kernels' arrive after reading the peers' slots is relaxed; 0
//          for comparisons. WREG_ALL: the launcher's fused-add row modules that hold their weight (V93, V94).
//   XL1, WL1, CLUSTER_FENCE_ONE  experiments (off by default, sessions 36-37): see their #defines.
//
// Runtime arguments shared by every forward kernel: w_offset is added to the weight in fp32
// (Gemma: 1), out_scale multiplies y before the fp8 conversion (1 / the dequantisation scale).
//
// Kernels (one module holds all of them for its (IN_T, W_T, VEC); a row module, ROW_TPR > 0, only
// the loop-free register and aligned-interior kernels):
//   rmsnorm_fwd_reg_nptK  Row held in registers: `tpr` threads per row, each holding K
//                         vectors; blockDim.x / tpr rows per block; the grid strides over row
//                         groups (persistent grid). Small K: the weight is kept in registers
//                         across rows. Reads x once, writes y once.
//   rmsnorm_fwd_row_nptK  The same with a grid that covers every row group once: no loop (the
//                         launcher's `grid=all` plans, nearly all of them).
//   rmsnorm_fwd_smem      Row too long for registers: one block per row, the row staged in
//                         dynamic shared memory while the sum of squares is taken (four loads in
//                         flight per thread), then scaled from shared memory. Reads x once.
//   rmsnorm_fwd_loop      Row too long for shared memory: two passes over the row; the second
//                         usually hits L2 because the grid keeps few rows in flight.
//   rmsnorm_fwd_ai_nptK   (VEC of 16 bytes, no fused add, y of the input type) Rows that do not start
//                         on a 16-byte boundary: 16-byte accesses from the row's first boundary on,
//                         the few elements before and after it one per lane (see fwd_ai).
//   rmsnorm_fwd_smem_cK   (sm_90+) A row split over a thread-block cluster of K blocks (2 to 16),
//                         each staging a contiguous slice in shared memory; the sums of squares
//                         are exchanged through distributed shared memory. For few rows (every
//                         SM gets work) and rows longer than one block's shared memory (x read once).
//   rmsnorm_fwd_smem_cK_b2  The same, its last pass taking two vectors of the slice and of the weight at a time
//                         (more registers): for slices of 8 or more 16-byte vectors a thread (V90).
//   rmsnorm_fwd_split_sum, rmsnorm_fwd_split_norm  A row split over S blocks of an ordinary grid, in
//                         two kernels (partial sums of squares, then the normalisation, launched as a
//                         programmatic dependent of the first on sm_90+; few rows of huge N, V30/V31).
//
// Every kernel: x and y have their own row strides (elements); y may equal x (in place:
// each element is read before it is written, by the same thread); rstd_out may be null.
// When the fp32 sum of squares overflows (|x| near the fp32 maximum), the row is rescaled by its
// largest |x| and summed again; this costs one vote when it is not needed. Every kernel assumes
// M >= 1 and a grid of at most one block per row group (the launcher's rule).
// In-place with y == x is also safe for the rare rescaling path, which re-reads the row before any
// of it is written.

#ifndef IN_T
#define IN_T 0
#endif
#ifndef W_T
#define W_T 0
#endif
#ifndef VEC
#define VEC 1
#endif
#ifndef REG_BOUND
#define REG_BOUND 1024  // __launch_bounds__ of the register-path kernels (caps registers at 65536 / REG_BOUND)
#endif
#ifndef CACHE_HINTS
#define CACHE_HINTS 0  // 1: streaming loads of x (ld.global.cs) and evict-first stores of y (st.global.cs)
#endif
#ifndef WPREFETCH
#define WPREFETCH 1  // 1 (default): the shared-memory kernels at M <= 16 prefetch their weight slice into L2 first
#endif
#ifndef RESID
#define RESID 0
#endif
#ifndef HLATE
#define HLATE 0  // 1: the fused add stores h after the row's reduction instead of as soon as it is added (V52)
#endif
#ifndef FP8_PACK
#define FP8_PACK 1  // 0: fp8 output bytes written through a union (local memory; V27), for comparisons
#endif
#ifndef WBATCH
#define WBATCH 1  // 0: the V25 order (each weight vector loaded where it is used), for comparisons
#endif
#ifndef CAST
#define CAST 0
#endif
#ifndef OUT_T
#define OUT_T IN_T
#endif
#ifndef KIND
#define KIND 0
#endif
#ifndef XPOLICY
// L2 eviction priority of the register kernels' 16-byte loads of x (and of the residual): 2 evict_last,
// the default (V27 on an H100 after the benchmark's flush: fused add at 16-256 rows -7 to -14%, 4096 x 4096
// bf16 forward -5.6%, no shape slower); 1 evict_first (no effect), 0 normal. The backward's loads do not
// take this path (its SASS is the same either way).
#define XPOLICY 2
#endif
#ifndef YPOLICY
// L2 eviction priority of the forward's 16-byte stores of y: 0 normal, the default; 2 evict_last, set with XPOLICY 1
// (and YFRAC where y is larger than ~11 MB) by the launcher for short rows with 2-64 MB of y (about 8 MB of y kept
// there while x streams through; V66, V67, LaunchPlan.outputKeepShift); 1 evict_first (for comparisons).
#define YPOLICY 0
#endif
#ifndef YFRAC
// The share of y's lines that YPOLICY 2 marks evict_last (a PTX float literal; createpolicy.fractional
// picks the lines by address); the rest keep YSECOND's priority: 0 unchanged (normal), 1 evict_first (no
// better than 0 in s25a, for comparisons).
#define YFRAC 1.0
#endif
#ifndef YSECOND
#define YSECOND 0
#endif
#ifndef TINY_EPS
#define TINY_EPS 0  // 1 (the launcher sets it when eps < 2^-80): rows whose Σx² underflows are rescaled too
#endif
#ifndef ROW_TPR
#define ROW_TPR 0
#endif
#ifndef LOOP_HINTS
// The two-pass loop kernel (rmsnorm_fwd_loop): 1 loads x under evict_last on the first pass and under
// evict_first on the second (which reads it back from L2); 0 plain loads on both (V70, an experiment).
#define LOOP_HINTS 0
#endif
#ifndef REFETCH
// 1 (V73): a row module's register kernels read x twice, as torch.compile's kernel does: the first pass under
// evict_last for Σx², the second from L2 under evict_first for y, so x is not held across the reduction (fewer
// registers, more rows in flight an SM). The kernels take it with the casting modes and fp8 output too (the
// launcher sets it for the plain forward and the Gemma offset). With the fused add (V80) x and the residual are both
// read twice: the first pass takes Σh², the second recomputes h and stores it with y (the launcher sets it for the
// fused add in the default casting mode with y of the input type); REFETCH_CHUNKED does not apply there.
#define REFETCH 0
#endif
#ifndef CAST_PAIRS
// 1: modes 1 and 2 round x·rstd (and y before fp8) two elements at a time (V84: the LLaMA mode's bounded bf16 rows
// -1.2% on an H200); 0: one at a time. Off in modules that read x twice, where pairs measured +0.7% (65,536 x 7168).
#define CAST_PAIRS (!REFETCH)
#endif
#ifndef REFETCH_CHUNKED
// 1 (an experiment, with REFETCH): the second pass takes one vector a thread at a time (a loop not unrolled: x read
// again, the weight, y stored, then the next), as the second pass of the Triton kernel that matched torch.compile at
// 2 x 512 does (s28e's SASS). s29b: +7 to +14% on full rows; with the L1 priority -2.8% at 65,536 x 5120 fp16 (rows at
// 5/8 of 4 x 256). A first pass taken the same way (one load a thread at a time) lost 9-31% (s29a) and was removed.
#define REFETCH_CHUNKED 0
#endif
#ifndef REFETCH_L1
// 1 (default, V75): the two reads of x under REFETCH carry their priority for L1 as well as for L2
// (ld.global.L1::evict_last.L2::cache_hint, then L1::evict_first), as Triton's eviction_policy emits (s28e's PTX);
// 0: the L2 policy alone (V73), for comparisons.
#define REFETCH_L1 1
#endif
#ifndef SLICE_PAIRS
#define SLICE_PAIRS 0  // 1: the first pass of the block-per-row kernels keeps two loads in flight in its tail (V70)
#endif
#ifndef PASS2_U
// The last pass of rmsnorm_fwd_smem, _smem_cK and _loop: vectors of the row and of the weight a thread requests before
// it uses the first (1: one at a time). The _smem_cK_b2 kernels take 2 whatever this says (V90: more registers, so
// fewer blocks an SM; the launcher runs them where a thread's slice is 8 or more 16-byte vectors).
#define PASS2_U 1
#endif
#ifndef XL1
// The block-per-row kernels' first-pass loads of x (16-byte vectors): 0 (default) allocate in L1; 1 L1::no_allocate,
// so x streaming through does not evict a weight that L1 could hold across rows (an experiment, s36; V91 rejected it:
// every cluster wait invalidates L1, CCTL.IVALL, so the weight cannot stay there).
#define XL1 0
#endif
#ifndef WL1
// Their last pass's weight loads (16-byte vectors): 0 (default) plain read-only loads; 1 with L1::evict_last (s36).
#define WL1 0
#endif
#ifndef CLUSTER_READ_RELAXED
// 1 (default since s37, V94a): the cluster kernels' arrive after reading the peers' reduction slots is relaxed, dropping
// one MEMBAR.ALL.GPU a row: the values read were already used (the branch on the row's sum waits for them), and the
// slots are never rewritten, so the arrive only tells the peers that this block is done reading before they exit.
// s37b, H200: -1.2 to -2.8% at 24-64 KB cluster slices. 0: a release arrive, as before (for comparisons).
#define CLUSTER_READ_RELAXED 1
#endif
#ifndef CLUSTER_FENCE_ONE
// 1 (an experiment, s36): in the cluster reductions only the thread that wrote its block's slot fences (cluster scope)
// before the barrier, and every thread arrives relaxed; 0 (default) every thread's arrive has release semantics. Its
// fence compiles to MEMBAR.ALL.GPU and CCTL.IVALL in that thread: kept as a record, not prepared for a run.
#define CLUSTER_FENCE_ONE 0
#endif
#ifndef BWD_L2PF
// D > 0 (an experiment, session 41, V103): the persistent backward's rows D row steps ahead are prefetched into L2 by the
// TMA engine (cp.async.bulk.prefetch.L2, sm_90+, 16-byte-vector modules), one instruction an array a row; 0 (default) none.
#define BWD_L2PF 0
#endif
#ifndef BWD_PF2
// 1: the backward's 32-element register kernels (KEEPF) keep two rows in flight, the row after next loaded into the
// registers of this row's packed x and dy once they are converted (V104: 16-bit x without the residual gradient, 245
// registers, no spill; 65,536 × 4096 bf16 -4.6%, 65,536 × 7168 -3.6%; fp32 x (npt 8) spills at 255 registers, +14%).
// The launcher sets it on 16-bit modules without the residual gradient under `RMSNORM_BWD_TWO_ROWS=1`
// (KernelSpecialization.twoRowsInFlight), off by default until verify has run those kernels on a GPU. 0 (default): one row.
#define BWD_PF2 0
#endif
#ifndef BWD_ROWS
// 1 (with ROW_TPR): a backward row module of the persistent register kernels (rmsnorm_bwd_reg_npt…, …_r128) with
// rmsnorm_dw_reduce and rmsnorm_bwd_loop, their threads a row fixed at ROW_TPR at compile time, so the block reductions are
// unrolled for it (V105: 65,536 × 7168 bf16 -6.0%, × 5120 -7.4%, × 8192 -1.6%); the launcher's rule:
// KernelSpecialization.backwardRowModule(for:enabled:), under `RMSNORM_BWD_ROW_MODULES=1` until verified on a GPU. 0 (default):
// a ROW_TPR module holds the one-row kernels.
#define BWD_ROWS 0
#endif
#ifndef BWD_TPR
// T > 0 (an experiment, session 41; the vehicle of V105's A/B, s41e): the full module's persistent backward kernels, the
// staged ones too, take T threads a row as a compile-time constant instead of their `tpr` argument; only for A/Bs whose
// every backward launch has T threads a row. 0 (default): the argument (or ROW_TPR in a BWD_ROWS module).
#define BWD_TPR 0
#endif
#ifndef FWD_L2PF
// P > 0 (an experiment, session 41): the forward's loop-free row kernels prefetch into L2, with their own first loads, the
// rows of the block P blocks later (the next wave's when P is the blocks that fit at once); 0 (default) none.
#define FWD_L2PF 0
#endif
#ifndef PDL
#define PDL 0  // 1: the module for streams that ask for programmatic dependent launch (see PDL_ENTRY)
#endif
#ifndef PDL_TRIGGER
#define PDL_TRIGGER 1  // where PDL kernels let their dependents start: 1 at entry, 2 after the wait, 0 never (they start as this kernel's blocks exit)
#endif

typedef unsigned short u16;
typedef long long i64;

// Programmatic dependent launch (sm_90+; no-ops before, and without the launch attribute).
// launch_dependents lets the next kernel in the stream, if it was launched as a programmatic dependent,
// start once every block of this one has executed it (or exited); wait blocks until every kernel this
// one depends on has completed and its memory is visible.
__device__ __forceinline__ void grid_launch_dependents() {
#if __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}
__device__ __forceinline__ void grid_dependency_wait() {
#if __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

// PDL = 1 (a stream created with programmatic dependent launch): every kernel starts with PDL_ENTRY,
// which lets the next kernel start (its blocks may become resident and wait) and then waits for the
// previous one before anything is read. So a call overlaps its launch and start-up with the previous
// kernel's tail, and nothing it reads (x, the weight, which an optimiser step may have just written)
// can be stale. PDL = 0: nothing (the same SASS as before the flag existed), except in the launcher's kernel
// pairs, whose second kernel is always a programmatic dependent on sm_90+ (the split row's, BWD_ENTRY's).
#if PDL
#define PDL_ENTRY()                                                  \
    do {                                                             \
        if (PDL_TRIGGER == 1) grid_launch_dependents();              \
        grid_dependency_wait();                                      \
        if (PDL_TRIGGER == 2) grid_launch_dependents();              \
    } while (0)
#else
#define PDL_ENTRY() do { } while (0)
#endif
// The backward kernels that rmsnorm_dw_reduce follows: as PDL_ENTRY, and in the module without PDL they let the
// reduction start at once too, which the launcher runs as their programmatic dependent on sm_90+ (V54): its
// launch and its blocks' start overlap this kernel's last rows, and its wait keeps it from reading partial rows
// before they are all written.
#if PDL
#define BWD_ENTRY() PDL_ENTRY()
#else
#define BWD_ENTRY() grid_launch_dependents()
#endif

template <int CODE> struct Storage { typedef u16 type; };
template <> struct Storage<0> { typedef float type; };
template <> struct Storage<3> { typedef unsigned char type; };  // float8 e4m3

__device__ __forceinline__ float to_float(float v) { return v; }
template <int CODE> __device__ __forceinline__ float load_elem(typename Storage<CODE>::type v);
template <> __device__ __forceinline__ float load_elem<0>(float v) { return v; }
template <> __device__ __forceinline__ float load_elem<1>(u16 v) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(v));
    return f;
}
template <> __device__ __forceinline__ float load_elem<2>(u16 v) {
    return __uint_as_float(((unsigned)v) << 16);
}

template <int CODE> __device__ __forceinline__ typename Storage<CODE>::type store_elem(float f);
template <> __device__ __forceinline__ float store_elem<0>(float f) { return f; }
template <> __device__ __forceinline__ u16 store_elem<1>(float f) {
    u16 h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
    return h;
}
template <> __device__ __forceinline__ u16 store_elem<2>(float f) {
    // Round to nearest even; NaN stays NaN, infinities pass through.
#if __CUDA_ARCH__ >= 800
    // One instruction (sm_80+) instead of six integer operations: at bf16 N = 4096 the integer
    // version held the kernel to 88% of copy bandwidth while fp16 (cvt) reached 100% (run 4).
    u16 h;
    asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(h) : "f"(f));
    return h;
#else
    unsigned u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (u16)((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (u16)(u >> 16);
#endif
}

// Rounds a and b to the storage type, two at a time where the hardware has a paired
// conversion (sm_80+: cvt.rn.{f16x2,bf16x2}.f32, one instruction for two elements).
template <int CODE> __device__ __forceinline__ void store_pair(float a, float b, typename Storage<CODE>::type& ra,
                                                              typename Storage<CODE>::type& rb) {
    ra = store_elem<CODE>(a);
    rb = store_elem<CODE>(b);
}
#if __CUDA_ARCH__ >= 800
template <> __device__ __forceinline__ void store_pair<1>(float a, float b, u16& ra, u16& rb) {
    unsigned packed;
    asm("cvt.rn.f16x2.f32 %0, %1, %2;" : "=r"(packed) : "f"(b), "f"(a));
    ra = (u16)(packed & 0xffffu);
    rb = (u16)(packed >> 16);
}
template <> __device__ __forceinline__ void store_pair<2>(float a, float b, u16& ra, u16& rb) {
    unsigned packed;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(packed) : "f"(b), "f"(a));
    ra = (u16)(packed & 0xffffu);
    rb = (u16)(packed >> 16);
}
#endif

// float8 e4m3 (1 sign, 4 exponent bits with bias 7, 3 mantissa bits; no infinities; 0x7f is NaN):
// round to nearest even, saturating at ±448 (infinities too), NaN stays NaN.
__device__ __forceinline__ unsigned char e4m3_soft(float f) {
    const unsigned u = __float_as_uint(f);
    const unsigned sign = (u >> 24) & 0x80u;
    const float a = fabsf(f);
    if (a != a) return 0x7fu;
    unsigned code;
    if (a >= 448.0f) {
        code = 0x7eu;
    } else if (a < 0.015625f) {  // below 2^-6: subnormal, steps of 2^-9
        code = (unsigned)rintf(a * 512.0f);
    } else {
        const unsigned b = __float_as_uint(a);
        const unsigned r = (b + 0x7ffffu + ((b >> 20) & 1u)) >> 20;  // 3 mantissa bits, nearest even
        code = r - ((127u - 7u) << 3);
        if (code > 0x7eu) code = 0x7eu;
    }
    return (unsigned char)(sign | code);
}
// Two at a time; sm_89+ has the conversion in hardware (cvt.rn.satfinite.e4m3x2.f32, same rule).
__device__ __forceinline__ void e4m3_pair(float a, float b, unsigned char& ra, unsigned char& rb) {
#if __CUDA_ARCH__ >= 890
    unsigned short packed;
    asm("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(packed) : "f"(b), "f"(a));
    ra = (unsigned char)(packed & 0xffu);
    rb = (unsigned char)(packed >> 8);
#else
    ra = e4m3_soft(a);
    rb = e4m3_soft(b);
#endif
}

typedef Storage<IN_T>::type XS;
typedef Storage<W_T>::type WS;
typedef Storage<OUT_T>::type YS;

// x·rstd and friends rounded to the input type and widened again (casting modes llama, none).
__device__ __forceinline__ float round_in(float f) {
#if IN_T == 0
    return f;
#else
    return load_elem<IN_T>(store_elem<IN_T>(f));
#endif
}

// Rounds the VEC values of r to the input type (round_in), two at a time where the hardware has
// a paired conversion: one F2FP instead of two F2F, the same bits (V84).
__device__ __forceinline__ void round_in_vec(float (&r)[VEC]) {
#if CAST_PAIRS && IN_T != 0 && VEC >= 2 && __CUDA_ARCH__ >= 800
#pragma unroll
    for (int v = 0; v < VEC; v += 2) {
        u16 a, b;
        store_pair<IN_T>(r[v], r[v + 1], a, b);
        r[v] = load_elem<IN_T>(a);
        r[v + 1] = load_elem<IN_T>(b);
    }
#else
#pragma unroll
    for (int v = 0; v < VEC; ++v) r[v] = round_in(r[v]);
#endif
}

// A vector of VEC elements moved as one access of VEC * sizeof(S) bytes.
template <int BYTES> struct Raw;
template <> struct Raw<1> { typedef unsigned char type; };
template <> struct Raw<2> { typedef u16 type; };
template <> struct Raw<4> { typedef unsigned type; };
template <> struct Raw<8> { typedef uint2 type; };
template <> struct Raw<16> { typedef uint4 type; };
struct Raw32 { uint4 lo, hi; };  // a float weight vector beside 8 half/bfloat16 elements
template <> struct Raw<32> { typedef Raw32 type; };

template <typename S, int V> union Pack {
    typename Raw<sizeof(S) * V>::type raw;
    S e[V];
};
template <typename S> union Pack<S, 1> {
    S raw;
    S e[1];
};

typedef Pack<XS, VEC> XPack;
typedef Pack<WS, VEC> WPack;
typedef Pack<YS, VEC> YPack;

__device__ __forceinline__ XPack load_x(const XS* p) {
    XPack v;
#if CACHE_HINTS
    v.raw = __ldcs(reinterpret_cast<const decltype(v.raw)*>(p));
#else
    v.raw = *reinterpret_cast<const decltype(v.raw)*>(p);
#endif
    return v;
}
__device__ __forceinline__ WPack load_w(const WS* p) {
    WPack v;
    v.raw = *reinterpret_cast<const decltype(v.raw)*>(p);  // const __restrict__: read-only path
    return v;
}
__device__ __forceinline__ XPack load_x_plain(const XS* p) {
    XPack v;
    v.raw = *reinterpret_cast<const decltype(v.raw)*>(p);
    return v;
}
// 16-byte loads issued only when `pred` holds (zeros otherwise), the predicate inside the asm: the
// address is computed on every path, so the compiler cannot sink the loads of the pointer arguments
// below the bounds test, which put a dependent constant-bank round trip ahead of the first load
// (0.3–0.45 µs at M ≤ 256; benchmarks/NOTES.md, V17). OP: the ld variant (plain, .cs, .nc).
#define LD16_IF(NAME, OP)                                                                             \
    __device__ __forceinline__ uint4 NAME(const void* p, bool pred) {                                 \
        uint4 v;                                                                                      \
        asm volatile("{ .reg .pred q; setp.ne.b32 q, %5, 0;\n\t"                                      \
                     "mov.b32 %0, 0; mov.b32 %1, 0; mov.b32 %2, 0; mov.b32 %3, 0;\n\t"                 \
                     "@q " OP ".v4.u32 {%0, %1, %2, %3}, [%4]; }"                                     \
                     : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p), "r"((int)pred));          \
        return v;                                                                                     \
    }
LD16_IF(ld16_if, "ld.global")
LD16_IF(ld16_cs_if, "ld.global.cs")
LD16_IF(ld16_nc_if, "ld.global.nc")
// The same with an L2 eviction priority (a fractional policy over the whole access, as the
// L2::cache_hint operand wants; the plain qualifier exists only for 32-byte loads).
// L1Q: an L1 eviction priority as well (as Triton's eviction_policy emits), or nothing.
#define LD16_POLICY_IF(NAME, PRIORITY, L1Q)                                                           \
    __device__ __forceinline__ uint4 NAME(const void* p, bool pred) {                                 \
        uint4 v;                                                                                      \
        asm volatile("{ .reg .pred q; .reg .b64 pol; setp.ne.b32 q, %5, 0;\n\t"                       \
                     "createpolicy.fractional.L2::" PRIORITY ".b64 pol, 1.0;\n\t"                      \
                     "mov.b32 %0, 0; mov.b32 %1, 0; mov.b32 %2, 0; mov.b32 %3, 0;\n\t"                 \
                     "@q ld.global" L1Q ".L2::cache_hint.v4.u32 {%0, %1, %2, %3}, [%4], pol; }"        \
                     : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p), "r"((int)pred));          \
        return v;                                                                                     \
    }
LD16_IF(ld16_l1na_if, "ld.global.L1::no_allocate")
LD16_IF(ld16_nc_l1el_if, "ld.global.nc.L1::evict_last")
LD16_POLICY_IF(ld16_ef_if, "evict_first", "")
LD16_POLICY_IF(ld16_el_if, "evict_last", "")
// The reads of x in the kernels that read it twice (REFETCH): the L1 priority as well (REFETCH_L1, V75).
#if REFETCH_L1
LD16_POLICY_IF(ld16_rf_first_if, "evict_last", ".L1::evict_last")
LD16_POLICY_IF(ld16_rf_again_if, "evict_first", ".L1::evict_first")
#else
LD16_POLICY_IF(ld16_rf_first_if, "evict_last", "")
LD16_POLICY_IF(ld16_rf_again_if, "evict_first", "")
#endif

#define IN_BYTES (IN_T == 0 ? 4 : 2)
#define W_BYTES (W_T == 0 ? 4 : 2)
// A row of `bytes` (rounded down to 16) from a 16-byte-aligned p into L2, by the TMA engine: no register or shared
// memory result, so nothing waits for it (BWD_L2PF, FWD_L2PF). A no-op before sm_90.
__device__ __forceinline__ void l2_prefetch_row(const void* p, unsigned bytes) {
#if __CUDA_ARCH__ >= 900
    bytes &= ~15u;
    if (bytes) asm volatile("cp.async.bulk.prefetch.L2.global [%0], %1;" ::"l"(p), "r"(bytes) : "memory");
#endif
}
__device__ __forceinline__ XPack load_x_if(const XS* p, bool pred) {
    XPack v;
#if VEC * IN_BYTES == 16
#if CACHE_HINTS
    v.raw = ld16_cs_if(p, pred);
#elif XPOLICY == 2 && __CUDA_ARCH__ >= 800  // createpolicy: sm_80 and later
    v.raw = ld16_el_if(p, pred);
#elif XPOLICY == 1 && __CUDA_ARCH__ >= 800
    v.raw = ld16_ef_if(p, pred);
#else
    v.raw = ld16_if(p, pred);
#endif
#else
#pragma unroll
    for (int k = 0; k < VEC; ++k) v.e[k] = 0;
    if (pred) v = load_x(p);
#endif
    return v;
}
__device__ __forceinline__ WPack load_w_if(const WS* p, bool pred) {
    WPack v;
#if VEC * W_BYTES == 16
    v.raw = ld16_nc_if(p, pred);
#else
#pragma unroll
    for (int k = 0; k < VEC; ++k) v.e[k] = 0;
    if (pred) v = load_w(p);
#endif
    return v;
}
__device__ __forceinline__ void store_x(XS* p, const XPack& v) {
    *reinterpret_cast<decltype(v.raw)*>(p) = v.raw;
}
// 16-byte stores with an L2 eviction priority (YPOLICY and YFRAC: see their #defines; the launcher sets them for
// short rows, V66, V67).
#define ST16_POLICY(NAME, PRIORITY, FRACTION)                                                         \
    __device__ __forceinline__ void NAME(void* p, const uint4& v) {                                   \
        asm volatile("{ .reg .b64 pol;\n\t"                                                           \
                     "createpolicy.fractional.L2::" PRIORITY ".b64 pol, " FRACTION ";\n\t"            \
                     "st.global.L2::cache_hint.v4.u32 [%0], {%1, %2, %3, %4}, pol; }"                 \
                     :: "l"(p), "r"(v.x), "r"(v.y), "r"(v.z), "r"(v.w) : "memory");                   \
    }
#define RMS_STRING_(X) #X
#define RMS_STRING(X) RMS_STRING_(X)
#if YSECOND == 1
ST16_POLICY(st16_el, "evict_last.L2::evict_first", RMS_STRING(YFRAC))
#else
ST16_POLICY(st16_el, "evict_last", RMS_STRING(YFRAC))
#endif
ST16_POLICY(st16_ef, "evict_first", "1.0")
__device__ __forceinline__ void store_y(YS* p, const YPack& v) {
#if CACHE_HINTS
    __stcs(reinterpret_cast<decltype(v.raw)*>(p), v.raw);
#elif YPOLICY != 0 && __CUDA_ARCH__ >= 800
    if constexpr (sizeof(v.raw) == 16) {
        if (YPOLICY == 2) st16_el(p, *reinterpret_cast<const uint4*>(&v.raw));
        else st16_ef(p, *reinterpret_cast<const uint4*>(&v.raw));
    } else {
        *reinterpret_cast<decltype(v.raw)*>(p) = v.raw;
    }
#else
    *reinterpret_cast<decltype(v.raw)*>(p) = v.raw;
#endif
}

// Rounds VEC values into one vector of the input type (paired conversions where VEC is even).
__device__ __forceinline__ XPack pack_in(const float (&r)[VEC]) {
    XPack out;
#if VEC >= 2
#pragma unroll
    for (int v = 0; v < VEC; v += 2) store_pair<IN_T>(r[v], r[v + 1], out.e[v], out.e[v + 1]);
#else
    out.e[0] = store_elem<IN_T>(r[0]);
#endif
    return out;
}

// Rounds VEC results into one output vector: the input type, or fp8 after scaling.
__device__ __forceinline__ YPack pack_out(float (&r)[VEC], float out_scale) {
#if OUT_T == 3
    YPack out;
#if CAST != 0
    round_in_vec(r);
#endif
#pragma unroll
    for (int v = 0; v < VEC; ++v) r[v] *= out_scale;
#if FP8_PACK && __CUDA_ARCH__ >= 890 && (VEC == 4 || VEC == 8)
    // Four elements a 32-bit word from two paired conversions (the lower-addressed element in the
    // lower byte), instead of bytes written into the union: that went through local memory (ptxas:
    // an 8-byte stack frame, a store and a load per vector; V27: 3-4% faster at >= 4096 rows).
    unsigned words[VEC / 4];
#pragma unroll
    for (int q = 0; q < VEC / 4; ++q) {
        unsigned short lo, hi;
        asm("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(lo) : "f"(r[4 * q + 1]), "f"(r[4 * q]));
        asm("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(hi) : "f"(r[4 * q + 3]), "f"(r[4 * q + 2]));
        words[q] = (unsigned)lo | ((unsigned)hi << 16);
    }
#if VEC == 8
    out.raw = make_uint2(words[0], words[1]);
#else
    out.raw = words[0];
#endif
#elif VEC >= 2
#pragma unroll
    for (int v = 0; v < VEC; v += 2) e4m3_pair(r[v], r[v + 1], out.e[v], out.e[v + 1]);
#else
    out.e[0] = e4m3_soft(r[0]);
#endif
    return out;
#else
    return pack_in(r);
#endif
}

// The weight as the kernels use it: offset added in fp32 (Gemma: 1 + w); rounded to the input
// type in casting mode none.
__device__ __forceinline__ float weight_value(float w, float w_offset) {
#if CAST == 2
    return round_in(w_offset + w);
#else
    return w_offset + w;
#endif
}

// y before the output rounding, per casting mode. rstd is already rounded in mode none.
__device__ __forceinline__ float norm_value(float x, float rstd, float w) {
#if CAST == 0
    return x * rstd * w;
#else
    return round_in(x * rstd) * w;
#endif
}

// norm_value in two steps, for one vector: norm_first per element (r holds x, wv weight_value),
// then norm_rest over the vector. Mode 0 is done in norm_first; modes 1 and 2 round x·rstd there
// two elements at a time (round_in_vec: V84), the same bits as norm_value.
__device__ __forceinline__ float norm_first(float x, float rstd, float w) {
#if CAST == 0
    return norm_value(x, rstd, w);
#else
    return x * rstd;
#endif
}
__device__ __forceinline__ void norm_rest(float (&r)[VEC], const float (&wv)[VEC]) {
#if CAST != 0
    round_in_vec(r);
#pragma unroll
    for (int v = 0; v < VEC; ++v) r[v] *= wv[v];
#endif
}

__device__ __forceinline__ float mode_rstd(float rstd) {
#if CAST == 2
    return round_in(rstd);
#else
    return rstd;
#endif
}

#define FULL_MASK 0xffffffffu

// Sum over the `width` lanes (a power of two <= 32) that share a row inside a warp.
__device__ __forceinline__ float warp_sum(float v, int width) {
    for (int o = 1; o < width; o <<= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
    return v;
}
__device__ __forceinline__ float warp_max(float v, int width) {
    for (int o = 1; o < width; o <<= 1) v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, o));
    return v;
}

// Sum (or max) over the tpr threads of one row. tpr <= 32: shuffles only. tpr > 32: one row
// per block (the launcher guarantees it), warp results combined through `slot`, 32 floats of
// shared memory (16-byte aligned with RED4, which reads them four at a time: the same additions in the
// same order, so the same bits). One barrier: each reduction of a row uses its own slot, and the
// kernels put a barrier between rows (or, the backward's, alternate between two sets of slots), so a
// slot is never rewritten while another warp still reads it.
template <bool IS_MAX, bool RED4 = false>
__device__ __forceinline__ float row_reduce(float v, int tpr, float* slot) {
    if (tpr <= 32) return IS_MAX ? warp_max(v, tpr) : warp_sum(v, tpr);
    v = IS_MAX ? warp_max(v, 32) : warp_sum(v, 32);
    const int warp = threadIdx.x >> 5, nwarps = tpr >> 5;  // one row per block: blockDim.x == tpr
    if ((threadIdx.x & 31) == 0) slot[warp] = v;
    __syncthreads();
    float t = 0.0f;
    int i = 0;
    if (RED4)
        for (; i + 4 <= nwarps; i += 4) {
            const float4 q = *reinterpret_cast<const float4*>(slot + i);
            t = IS_MAX ? fmaxf(fmaxf(fmaxf(fmaxf(t, q.x), q.y), q.z), q.w) : (((t + q.x) + q.y) + q.z) + q.w;
        }
    for (; i < nwarps; ++i) t = IS_MAX ? fmaxf(t, slot[i]) : t + slot[i];
    return t;
}

// True on every thread of the warp (tpr <= 32: several rows per warp) or block (tpr > 32: the
// reduced sum, hence `p`, is already the same on every thread) when a row needs the overflow path.
__device__ __forceinline__ bool any_in_block(bool p, int tpr) {
    if (tpr <= 32) return __any_sync(FULL_MASK, p);
    return p;
}

__device__ __forceinline__ float finish_rstd(float ss, int n, float eps) {
    return rsqrtf(ss / (float)n + eps);
}

// Power-of-two rescaling of a row whose fp32 sum of squares overflowed (|x| near the fp32 maximum)
// or, with TINY_EPS, underflowed (all |x| below ~1e-19 while eps cannot dominate). The row is
// summed again as (x · f1) · f2 = x · 2^k, with 2^k · max|x| in [1, 2): exact scalings, so only the
// final rstd sees the scale. The CPU backend applies the same rule (CPUKernel.row).
struct Pow2Scale {
    int k;
    float f1, f2;  // 2^(k/2), 2^(k - k/2): each a normal float for every k in [-127, 149]
};
__device__ __forceinline__ int float_exponent(float m) {  // floor(log2(m)) for finite m > 0
    const unsigned b = __float_as_uint(m);
    const int e = (int)((b >> 23) & 0xffu);
    return e != 0 ? e - 127 : (31 - __clz(b & 0x7fffffu)) - 149;
}
__device__ __forceinline__ float pow2f(int p) { return __int_as_float((p + 127) << 23); }  // p in [-126, 127]
__device__ __forceinline__ Pow2Scale pow2_scale(float m) {
    const int k = (m > 0.0f && !isinf(m)) ? -float_exponent(m) : 0;
    return Pow2Scale{k, pow2f(k / 2), pow2f(k - k / 2)};
}
// From s2 = Σ((x · f1) · f2)²: the row's rstd (+inf when beyond fp32's range) and rs = rstd · 2^(k/2),
// the factor that normalises x · f1 (y = (x · f1) · rs · w stays finite when rstd is not).
__device__ __forceinline__ void pow2_finish(float s2, int n, float eps, Pow2Scale s, float& rstd, float& rs) {
#if TINY_EPS
    // eps · 2^2k reaches 2^298: double, in the specialisation for eps < 2^-80 only.
    const double inv = 1.0 / sqrt((double)s2 / (double)n + (double)eps * __longlong_as_double((long long)(2 * s.k + 1023) << 52));
    rs = (float)(inv * (double)s.f2);
    rstd = (float)(inv * __longlong_as_double((long long)(s.k + 1023) << 52));
#else
    // Overflow only (k < 0): eps · 2^2k underflows to nothing, as it should.
    const float inv = rsqrtf(s2 / (float)n + eps * (s.f1 * s.f1) * (s.f2 * s.f2));
    rs = inv * s.f2;
    rstd = rs * s.f1;
#endif
}

// ---------------------------------------------------------------------------------------
// Forward kernels (KIND 0).
#if KIND == 0

// Arguments of every forward kernel (before `tpr` for the register path).
#define FWD_PARAMS                                                                              \
    const XS* x, i64 ldx, const XS* res, i64 ldr, XS* hout, i64 ldh, const WS* __restrict__ w, \
        YS* y, i64 ldy, float* rstd_out, i64 M, int N, float eps, float w_offset, float out_scale
#define FWD_ARGS x, ldx, res, ldr, hout, ldh, w, y, ldy, rstd_out, M, N, eps, w_offset, out_scale

// The rare rescaling path of the register kernels re-reads the row (x, or the h this thread has
// just stored) instead of keeping its values in use: loops that are not unrolled keep it to a few
// dozen instructions, out of the way of the common path (at M <= 256 the kernel's size and layout
// cost time; benchmarks/NOTES.md, V17). Same order of summation as the row's own sum.
template <int NPT>
__device__ __forceinline__ float row_max_abs(const XS* src, bool active, int lane, int tpr, int N) {
    float m = 0.0f;
#pragma unroll 1
    for (int i = 0; i < NPT; ++i) {
        const int col = (i * tpr + lane) * VEC;
        if (active && col < N) {
            const XPack p = load_x_plain(src + col);
#pragma unroll
            for (int v = 0; v < VEC; ++v) m = fmaxf(m, fabsf(load_elem<IN_T>(p.e[v])));
        }
    }
    return m;
}
template <int NPT>
__device__ __forceinline__ float row_scaled_sum(const XS* src, bool active, int lane, int tpr, int N, float f1, float f2) {
    float s = 0.0f;
#pragma unroll 1
    for (int i = 0; i < NPT; ++i) {
        const int col = (i * tpr + lane) * VEC;
        if (active && col < N) {
            const XPack p = load_x_plain(src + col);
#pragma unroll
            for (int v = 0; v < VEC; ++v) { const float t = (load_elem<IN_T>(p.e[v]) * f1) * f2; s = fmaf(t, t, s); }
        }
    }
    return s;
}

// The rescaling of a row whose fp32 sum of squares overflowed (or, with TINY_EPS, underflowed):
// rstd, and rs / xscale with y = (x · xscale) · rs · w. Called by every thread of the block or warp
// (a uniform condition) and only then: kept out of line, so the common path stays short and
// contiguous; `rescale` says whether this thread's row needs it (others keep their values).
struct RowScale {
    float rstd, rs, xscale;
};
// The common part of both rescues: MAXF() gives this thread's largest |x| of the row, SUMF(f1, f2) its
// Σ((x · f1) · f2)², each over the elements the thread holds (the register and aligned-interior kernels
// read their rows differently).
template <typename MaxF, typename SumF>
__device__ __forceinline__ RowScale rescue_from(MaxF local_max, SumF local_sum, bool rescale, int tpr, int N, float eps,
                                                float* scratch, RowScale keep) {
    const float m = row_reduce<true>(local_max(), tpr, scratch + 32);
#if TINY_EPS
    const Pow2Scale sc = pow2_scale(m);
    const float s2 = row_reduce<false>(local_sum(sc.f1, sc.f2), tpr, scratch + 64);
    if (!rescale) return keep;
    RowScale out;
    float scaled;
    pow2_finish(s2, N, eps, sc, out.rstd, scaled);
#if CAST == 2
    out.rs = round_in(out.rstd);  // mode none: the rstd rounded to the input type, x unscaled
    out.xscale = 1.0f;
#else
    out.rs = scaled;
    out.xscale = sc.f1;
#endif
    return out;
#else
    const float inv = (m > 0.0f && !isinf(m)) ? 1.0f / m : 1.0f;
    const float s2 = row_reduce<false>(local_sum(inv, 1.0f), tpr, scratch + 64);
    if (!rescale) return keep;
    RowScale out;
    out.rstd = inv * rsqrtf(s2 / (float)N + eps * inv * inv);
    out.rs = mode_rstd(out.rstd);
    out.xscale = 1.0f;
    return out;
#endif
}

template <int NPT>
__device__ __noinline__ RowScale rescue_row(const XS* again, bool active, bool rescale, int lane, int tpr, int N, float eps,
                                            float* scratch, RowScale keep) {
    return rescue_from([&] { return row_max_abs<NPT>(again, active, lane, tpr, N); },
                       [&](float f1, float f2) { return row_scaled_sum<NPT>(again, active, lane, tpr, N, f1, f2); },
                       rescale, tpr, N, eps, scratch, keep);
}

// REFETCH_ROW: x read twice in a row module's register kernels (REFETCH, V73); with the fused add, x and the residual
// both, h recomputed and stored with y on the second pass (V80).
#if REFETCH && ROW_TPR > 0 && VEC * IN_BYTES == 16 && defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
#define REFETCH_ROW 1
#else
#define REFETCH_ROW 0
#endif

// A thread's NPT vectors of one row (columns (i * tpr + lane) * VEC), every load issued before any is used; the first
// predicated inside its asm (load_x_if), the others under a plain column test, zeros past N.
template <int NPT>
__device__ __forceinline__ void load_row_slice(XPack (&dst)[NPT], const XS* row, int lane, int tpr, int N)
{
#pragma unroll
    for (int i = 0; i < NPT; ++i) {
        const int col = (i * tpr + lane) * VEC;
        if (i == 0) {
            dst[i] = load_x_if(row + col, col < N);
        } else {
#pragma unroll
            for (int v = 0; v < VEC; ++v) dst[i].e[v] = 0;
            if (col < N) dst[i] = load_x(row + col);
        }
    }
}

#if RESID
// HADD_PACKED 1 (an experiment, V101; 0 by default): the fused add's h = x + residual as one packed add a pair of 16-bit
// elements (add.rn.f16x2; add.rn.bf16x2 from sm_90) instead of two widenings, an fp32 add and half a conversion an
// element. The same bits: the sum of two 16-bit values is exact in fp32 unless one is under 2^-16 of the other, and then
// no fp32 rounding lands on a 16-bit midpoint; s40d checked every pair of values of both types on an H200. 1,120 -> 920
// SASS instructions in the bf16 2 x 256 read-twice module, yet that module ran 2.9% slower at 65,536 x 4096 (the
// 2 x 512 one 1.4% at 65,536 x 8192), while 4 x 512 read twice ran 1.3-4.2% faster at 4096 x 14,336-16,384 (s40e): the
// launcher sets it on those bf16 modules only (LaunchPlan.fusedAddPacksSum, V102).
#ifndef HADD_PACKED
#define HADD_PACKED 0
#endif
#define HADD_PAIRS (HADD_PACKED && VEC % 2 == 0 && (IN_T == 1 || (IN_T == 2 && __CUDA_ARCH__ >= 900)))

// h = x + residual at one vector: the fp32 sum rounded once to the input type (HADD_PAIRS: the packed add, same bits).
__device__ __forceinline__ XPack add_h(const XPack& a, const XPack& b)
{
#if HADD_PAIRS
    XPack out;
#pragma unroll
    for (int v = 0; v < VEC; v += 2) {
        const unsigned pa = (unsigned)a.e[v] | ((unsigned)a.e[v + 1] << 16);
        const unsigned pb = (unsigned)b.e[v] | ((unsigned)b.e[v + 1] << 16);
        unsigned s;
#if IN_T == 1
        asm("add.rn.f16x2 %0, %1, %2;" : "=r"(s) : "r"(pa), "r"(pb));
#else
        asm("add.rn.bf16x2 %0, %1, %2;" : "=r"(s) : "r"(pa), "r"(pb));
#endif
        out.e[v] = (u16)(s & 0xffffu);
        out.e[v + 1] = (u16)(s >> 16);
    }
    return out;
#else
    float hs[VEC];
#pragma unroll
    for (int v = 0; v < VEC; ++v) hs[v] = load_elem<IN_T>(a.e[v]) + load_elem<IN_T>(b.e[v]);
    return pack_in(hs);
#endif
}
#endif

// The first read of a row slice: under RF (a module that reads the row twice) with the L2 and L1 evict_last priority,
// so that the second read after the reduction finds it in L2; otherwise load_row_slice.
template <int NPT, bool RF>
__device__ __forceinline__ void load_row_first(XPack (&dst)[NPT], const XS* row, int lane, int tpr, int N)
{
#if REFETCH_ROW
    if (RF) {
#pragma unroll
        for (int i = 0; i < NPT; ++i) {
            const int col = (i * tpr + lane) * VEC;
            dst[i].raw = ld16_rf_first_if(row + col, col < N);
        }
        return;
    }
#endif
    load_row_slice<NPT>(dst, row, lane, tpr, N);
}

// Register path. LOOP: a persistent grid strides over the row groups; otherwise the grid covers
// every group once (the launcher's `grid=all` plans) and the kernel has no loop at all.
template <int NPT, bool WREG, bool LOOP, bool PACKED>
__device__ __forceinline__ void fwd_reg(FWD_PARAMS, int tpr)
{
    constexpr bool RF = REFETCH_ROW && !LOOP;  // x read again from L2 after the reduction
    if (!LOOP && ROW_TPR > 0) tpr = ROW_TPR;  // a row module: the launcher passes the same value
    __shared__ float scratch[96];  // three reduction slots: sum, max, rescaled sum
    // tpr is a power of two here (the launcher's rule): shifts, not the integer division and
    // remainder by a runtime value (~20 instructions each, on the path to the first load).
    const int tpr_log = __ffs(tpr) - 1;
    const int lane = threadIdx.x & (tpr - 1);
    const int rows_per_block = blockDim.x >> tpr_log;
    const int row_in_block = threadIdx.x >> tpr_log;

    // The weight stays packed in registers and is widened where it is used: converting it here
    // would make every thread wait for the weight's DRAM round trip before issuing its x loads
    // (ncu, 1 × 4096 bf16: two round trips in a row per block; run V10 in benchmarks/NOTES.md).
    WPack wq[WREG ? NPT : 1];
    if (WREG) {
#pragma unroll
        for (int i = 0; i < NPT; ++i) {
            const int col = (i * tpr + lane) * VEC;
#pragma unroll
            for (int v = 0; v < VEC; ++v) wq[WREG ? i : 0].e[v] = 0;
            wq[WREG ? i : 0] = load_w_if(w + col, col < N);
        }
    }

    // The launcher never starts more blocks than row groups, so every block's first group exists:
    // no test of M ahead of the first loads.
    i64 base = (i64)blockIdx.x * rows_per_block;
    do {
        const i64 row = base + row_in_block;
        const bool active = row < M;
        // An inactive row (past M, in the last group) reads row M - 1, so no load waits for the row
        // test, and the first load of the row is predicated inside an asm (load_x_if), so the compiler
        // cannot fetch the pointer arguments only after the column test: that made two dependent
        // constant-bank round trips before the first load, 0.3–0.45 µs at M <= 256 (NOTES.md, V17).
        const i64 lrow = active ? row : M - 1;
        const XS* xr = x + lrow * ldx;
        // Issue every load of the row before converting any: with the conversion inside the
        // guarded load, the compiler serialised the bf16 loads (one register, a branch around
        // each), four DRAM round trips instead of one (run 6 SASS; bf16 ran at 88% of copy).
        XPack raw[NPT];
        load_row_first<NPT, RF>(raw, xr, lane, tpr, N);
#if RESID
        XPack rraw[NPT];
        const XS* rr = res + lrow * ldr;
        load_row_first<NPT, RF>(rraw, rr, lane, tpr, N);
#endif
#if FWD_L2PF > 0 && VEC * IN_BYTES == 16
        if (!LOOP && lane == 0) {  // the same row of the block FWD_L2PF blocks later
            const i64 prow = row + (i64)FWD_L2PF * rows_per_block;
            if (prow < M) {
                l2_prefetch_row(x + prow * ldx, (unsigned)N * IN_BYTES);
                if (RESID) l2_prefetch_row(res + prow * ldr, (unsigned)N * IN_BYTES);
            }
        }
#endif
#if RESID
        // h = x + residual, rounded once to the input type; h is what gets normalised. Under RF it is stored on the
        // second pass, from x and the residual read again.
#pragma unroll
        for (int i = 0; i < NPT; ++i) {
#if HADD_PAIRS
            raw[i] = add_h(raw[i], rraw[i]);
#else  // add_h's fp32 path written out: through add_h the default module's schedule changed (s40d), so it stays as verified
            float hs[VEC];
#pragma unroll
            for (int v = 0; v < VEC; ++v) hs[v] = load_elem<IN_T>(raw[i].e[v]) + load_elem<IN_T>(rraw[i].e[v]);
            raw[i] = pack_in(hs);
#endif
#if !HLATE
            const int col = (i * tpr + lane) * VEC;
            if (!RF && active && col < N) store_x(hout + row * ldh + col, raw[i]);
#endif
        }
#endif
        // PACKED: x stays in its 16-bit form and is widened again for the output (one instruction an
        // element), which leaves the registers for the weight (V21).
        constexpr bool XRAW = PACKED || RF;  // x widened where it is used, from raw
        float xv[XRAW ? 1 : NPT][VEC];
        float ss = 0.0f;
#pragma unroll
        for (int i = 0; i < NPT; ++i) {
#pragma unroll
            for (int v = 0; v < VEC; ++v) {
                const float f = load_elem<IN_T>(raw[i].e[v]);
                if (!XRAW) xv[XRAW ? 0 : i][v] = f;
                ss = fmaf(f, f, ss);
            }
        }
        ss = row_reduce<false>(ss, tpr, scratch);
#if RESID && HLATE
        // h stored after the reduction, so that no store of the block's rows is issued among its loads
        // (and before the rescue below, which reads h back).
#pragma unroll
        for (int i = 0; i < NPT; ++i) {
            const int col = (i * tpr + lane) * VEC;
            if (!RF && active && col < N) store_x(hout + row * ldh + col, raw[i]);
        }
#endif
        float rstd = finish_rstd(ss, N, eps);
        float rs = mode_rstd(rstd);  // y = (x · xscale) · rs · w
        float xscale = 1.0f;

#if RESID
        const XS* again = hout + lrow * ldh;  // h, as stored above (active rows)
#else
        const XS* again = xr;
#endif
#if TINY_EPS
        // Overflow, or underflow with eps < 2^-80: power-of-two rescaling (pow2_scale).
        const bool rescale = active && (isinf(ss) || ss < 0x1p-100f);
#else
        // Overflow of the fp32 sum (finite input, infinite sum): rescale by the row's max |x|.
        const bool rescale = active && isinf(ss);
#endif
#if REFETCH_ROW
        bool h_stored = !RESID || !RF;  // whether the second pass reads h (stored) rather than x and the residual
#endif
        if (any_in_block(rescale, tpr)) {
#if RESID && REFETCH_ROW
            if (RF) {  // the rescue reads h back: store it first (x and the residual read again)
#pragma unroll
                for (int i = 0; i < NPT; ++i) {
                    const int col = (i * tpr + lane) * VEC;
                    if (active && col < N) store_x(hout + row * ldh + col, add_h(load_x(xr + col), load_x(rr + col)));
                }
                asm volatile("" ::: "memory");
                h_stored = true;
            }
#endif
            const RowScale r = rescue_row<NPT>(again, active, rescale, lane, tpr, N, eps, scratch, RowScale{rstd, rs, xscale});
            rstd = r.rstd;
            rs = r.rs;
            xscale = r.xscale;
        }

        if (active) {
            if (rstd_out != nullptr && lane == 0) rstd_out[row] = rstd;
            YS* yr = y + row * ldy;
#if REFETCH_ROW
            if (RF && REFETCH_CHUNKED && !RESID) {
#pragma unroll 1
                for (int i = 0; i < NPT; ++i) {
                    const int col = (i * tpr + lane) * VEC;
                    XPack p;
                    p.raw = ld16_rf_again_if(again + col, col < N);
                    const WPack q = load_w_if(w + col, col < N);
                    float r[VEC];
                    float wv[VEC];
#pragma unroll
                    for (int v = 0; v < VEC; ++v) {
                        const float xs = load_elem<IN_T>(p.e[v]) * xscale;
                        wv[v] = weight_value(load_elem<W_T>(q.e[v]), w_offset);
                        r[v] = norm_first(xs, rs, wv[v]);
                    }
                    norm_rest(r, wv);
                    if (col < N) store_y(yr + col, pack_out(r, out_scale));
                }
                continue;  // RF excludes LOOP: this ends the kernel's one pass
            }
            if (RF && h_stored) {
#pragma unroll
                for (int i = 0; i < NPT; ++i) {
                    const int col = (i * tpr + lane) * VEC;
                    raw[i].raw = ld16_rf_again_if(again + col, col < N);  // x's (or h's) last use
                }
            }
#if RESID
            if (RF && !h_stored) {  // x and the residual read again, h stored with y
#pragma unroll
                for (int i = 0; i < NPT; ++i) {
                    const int col = (i * tpr + lane) * VEC;
                    XPack a, b;
                    a.raw = ld16_rf_again_if(xr + col, col < N);
                    b.raw = ld16_rf_again_if(rr + col, col < N);
                    raw[i] = add_h(a, b);
                    if (col < N) store_x(hout + row * ldh + col, raw[i]);
                }
            }
#endif
#endif
            // Weight read after the reduction (not held in registers): every vector of it requested
            // before the first is used. Loaded where each is used, under its own column test, the loads
            // were serialised with the stores of y (one L2 round trip per vector; 256 x 4096 bf16 fused
            // add 8.7 -> 7.9 us, V26). Only where the packed weight fits in 16 registers (fp32 with 8
            // vectors a thread spilled). Wider slices under YPOLICY are loaded in batches of 16 registers
            // (WG vectors): its stores are asm statements, which the compiler moves no load across, so one
            // weight load a vector would wait for each store (V67: 4096 x 512 fp32 +11% with the policy).
            constexpr int WGROUP = 64 / (VEC * (int)sizeof(WS));  // 2 or more: a vector is at most 32 bytes
            constexpr bool WALL = WBATCH && !WREG && NPT * VEC * sizeof(WS) <= 64;
            constexpr bool WB = WALL || (WBATCH && !WREG && YPOLICY != 0);
            constexpr int WG = WALL ? NPT : (WB ? WGROUP : 1);
#pragma unroll
            for (int c = 0; c < NPT; c += WG) {
                WPack wl[WB ? WG : 1];
                if (WB) {
#pragma unroll
                    for (int g = 0; g < WG; ++g) {
                        const int col = ((c + g) * tpr + lane) * VEC;
#pragma unroll
                        for (int v = 0; v < VEC; ++v) wl[WB ? g : 0].e[v] = 0;
                        if (c + g < NPT) wl[WB ? g : 0] = load_w_if(w + col, col < N);
                    }
                }
#pragma unroll
                for (int g = 0; g < WG; ++g) {
                    const int i = c + g;
                    const int col = (i * tpr + lane) * VEC;
                    if (i < NPT && col < N) {
                        float r[VEC];
                        if (WREG) {
                            float wv[VEC];
#pragma unroll
                            for (int v = 0; v < VEC; ++v) {
                                const float xf = XRAW ? load_elem<IN_T>(raw[i].e[v]) : xv[XRAW ? 0 : i][v];
                                const float xs = xf * xscale;
                                wv[v] = weight_value(load_elem<W_T>(wq[WREG ? i : 0].e[v]), w_offset);
                                r[v] = norm_first(xs, rs, wv[v]);
                            }
                            norm_rest(r, wv);
                        } else {
                            const WPack p = WB ? wl[WB ? g : 0] : load_w(w + col);
                            float wv[VEC];
#pragma unroll
                            for (int v = 0; v < VEC; ++v) {
                                const float xf = XRAW ? load_elem<IN_T>(raw[i].e[v]) : xv[XRAW ? 0 : i][v];
                                const float xs = xf * xscale;
                                wv[v] = weight_value(load_elem<W_T>(p.e[v]), w_offset);
                                r[v] = norm_first(xs, rs, wv[v]);
                            }
                            norm_rest(r, wv);
                        }
                        store_y(yr + col, pack_out(r, out_scale));
                    }
                }
            }
        }
        // Slots are reused by the next row group (block-uniform condition).
        if (LOOP && tpr > 32 && base + (i64)gridDim.x * rows_per_block < M) __syncthreads();
        base += (i64)gridDim.x * rows_per_block;
    } while (LOOP && base < M);
}

// Weight in registers only while the row slice is small (<= 16 floats per thread): beyond
// that the registers are better spent on x, and the weight comes from L1.
// The loop-free kernels with 32 16-bit elements a thread and a 16-bit weight hold both packed
// (16 + 16 registers), the weight loaded with x ahead of the reduction.
#ifndef PACKED32
#define PACKED32 1  // 0: the V20 layout (x widened once, the weight read after the reduction)
#endif
#define PACKED_ROW(K) (PACKED32 && IN_T != 0 && W_T != 0 && RESID == 0 && K * VEC == 32)
#ifndef PACKED_WREG
#define PACKED_WREG 1  // 0 (an experiment): the packed layout reads its weight after the reduction (fewer registers)
#endif
#ifndef WREG_SMALL
// 0 (an experiment, session 40): rows of at most 16 elements a thread read their weight after the reduction instead of
// holding it (the bf16 2 x 512 fused add: 53 -> 44 registers; bounded at 3 blocks of 512, 40 with a 4-byte spill).
#define WREG_SMALL 1
#endif
#ifndef WREG_ALL
// 1: the loop-free register kernels all hold their weight, loaded with x ahead of the reduction (64 registers at 4 x 8
// bf16 with the residual, no spill; fp16 spills 16 bytes, an fp32 weight 32). The launcher sets it on the bf16 fused
// add's row modules at few rows or 64 threads a row (V93: 1 x 16,384 -8.2%, 4096 x 2048 -4.5%; 256 x 16,384 +1.3%,
// and the plain forward's 4096 x 5120 +27%, where the registers cost it its 5 blocks an SM), and on fp16's at no more rows
// than SMs with REG_BOUND at the row's threads, so nothing spills (V94-V97; bf16 at <= 64 rows since V96).
#define WREG_ALL 0
#endif
#define WREG_ROW(K) (!REFETCH_ROW && ((WREG_SMALL && K * VEC <= 16) || (PACKED_ROW(K) && PACKED_WREG) || WREG_ALL))
// ROW_MINB (0 = off): the row module of ROW_MINB_TPR threads a row (one row a block) bounds its register kernels
// at ROW_MINB blocks an SM (__launch_bounds__(ROW_TPR, ROW_MINB)), i.e. more rows in flight for fewer registers.
// The launcher sets 5 with PACKED32 0 (KernelSpecialization.rowMinBlocks) for bf16 rows that fill 1/2 to 7/10 of
// the 4 x 256 layout on high-bandwidth GPUs: 47 registers, no spill (V71, V72 on an H200: 4608-5632 columns
// -4 to -9%); full rows lost 0.3-1.3% and fp16 spills at that bound (+17%), so they keep the default.
#ifndef ROW_MINB
#define ROW_MINB 0
#endif
#ifndef ROW_MINB_TPR
#define ROW_MINB_TPR 256
#endif
#if ROW_TPR > 32 && ROW_MINB > 0 && ROW_TPR == ROW_MINB_TPR
#define ROW_BOUNDS __launch_bounds__(ROW_TPR, ROW_MINB)
#else
#define ROW_BOUNDS __launch_bounds__(REG_BOUND)
#endif
#if ROW_TPR > 0
#define DEFINE_REG(K)                                                                          \
    extern "C" __global__ void ROW_BOUNDS rmsnorm_fwd_row_npt##K(FWD_PARAMS, int tpr) {        \
        PDL_ENTRY();                                                                           \
        fwd_reg<K, WREG_ROW(K), false, PACKED_ROW(K)>(FWD_ARGS, tpr);                          \
    }
#else
#define DEFINE_REG(K)                                                                          \
    extern "C" __global__ void __launch_bounds__(REG_BOUND) rmsnorm_fwd_reg_npt##K(FWD_PARAMS, int tpr) { \
        PDL_ENTRY();                                                                           \
        fwd_reg<K, (K * VEC <= 16), true, false>(FWD_ARGS, tpr);                               \
    }                                                                                          \
    extern "C" __global__ void __launch_bounds__(REG_BOUND) rmsnorm_fwd_row_npt##K(FWD_PARAMS, int tpr) { \
        PDL_ENTRY();                                                                           \
        fwd_reg<K, WREG_ROW(K), false, PACKED_ROW(K)>(FWD_ARGS, tpr);                          \
    }
#endif

DEFINE_REG(1)
DEFINE_REG(2)
DEFINE_REG(4)
#if VEC <= 4
DEFINE_REG(8)
#endif
#if VEC <= 2
DEFINE_REG(16)
#endif
#if VEC <= 1
DEFINE_REG(32)
#endif

// ---------------------------------------------------------------------------------------
// Aligned interior, for rows whose starts are not 16-byte aligned (N not a multiple of 16 bytes'
// worth of elements, e.g. N = 769): the row is read and written as 16-byte vectors from its first
// 16-byte boundary on, and its first `head` and last few elements (fewer than VEC each) one per lane.
// The launcher uses it only when every row of y sits at the same offset from a 16-byte boundary
// as the same row of x (same row stride and base addresses 16 bytes apart, or in place), for the
// forward and its casting modes (no fused add, no fp8 output: their other operands would not line
// up). The weight, whose alignment against the row changes from row to row, is read per element
// (it stays in L1). Before this, such rows took VEC = 1: one scalar access per element.
#if RESID == 0 && OUT_T == IN_T && VEC * IN_BYTES == 16

// The rescue for these rows: the same rule as rescue_row, over a plain strided loop.
__device__ __noinline__ RowScale rescue_row_scalar(const XS* row, bool active, bool rescale, int lane, int tpr, int N,
                                                   float eps, float* scratch, RowScale keep) {
    auto local_max = [&] {
        float m = 0.0f;
        for (int c = lane; active && c < N; c += tpr) m = fmaxf(m, fabsf(load_elem<IN_T>(row[c])));
        return m;
    };
    auto local_sum = [&](float f1, float f2) {
        float s = 0.0f;
        for (int c = lane; active && c < N; c += tpr) { const float t = (load_elem<IN_T>(row[c]) * f1) * f2; s = fmaf(t, t, s); }
        return s;
    };
    return rescue_from(local_max, local_sum, rescale, tpr, N, eps, scratch, keep);
}

// Grid covers every row group (no loop); tpr >= 2 · VEC (each lane holds at most one edge element).
template <int NPT>
__device__ __forceinline__ void fwd_ai(FWD_PARAMS, int tpr)
{
    if (ROW_TPR > 0) tpr = ROW_TPR;  // a row module: the launcher passes the same value
    __shared__ float scratch[96];
    const int tpr_log = __ffs(tpr) - 1;
    const int lane = threadIdx.x & (tpr - 1);
    const i64 row = (i64)blockIdx.x * (blockDim.x >> tpr_log) + (threadIdx.x >> tpr_log);
    const bool active = row < M;
    const i64 lrow = active ? row : M - 1;
    const XS* xr = x + lrow * ldx;
    // Elements ahead of the row's first 16-byte boundary, whole vectors from there, and the first
    // element after them; the edge elements (the head and the last N - tail) go one to a lane.
    const int head = min(N, (int)(((16u - ((unsigned)(size_t)xr & 15u)) & 15u) / IN_BYTES));
    const int body = (N - head) / VEC;
    const int tail = head + body * VEC;
    const int e = lane < head ? lane : tail + (lane - head);
    const bool edge = e < N;
    const XS* xb = xr + head;
    XPack raw[NPT];
#pragma unroll
    for (int i = 0; i < NPT; ++i) {
        const int c = i * tpr + lane;
        if (i == 0) {
            raw[i] = load_x_if(xb + c * VEC, c < body);
        } else {
#pragma unroll
            for (int v = 0; v < VEC; ++v) raw[i].e[v] = 0;
            if (c < body) raw[i] = load_x(xb + c * VEC);
        }
    }
    const float xe = edge ? load_elem<IN_T>(xr[e]) : 0.0f;
    // Small slices: the weight read before the reduction, as the register kernels keep it.
    constexpr bool WEARLY = NPT * VEC <= 16;
    WS wq[WEARLY ? NPT : 1][VEC];
    if (WEARLY) {
#pragma unroll
        for (int i = 0; i < NPT; ++i) {
            const int c = i * tpr + lane;
#pragma unroll
            for (int v = 0; v < VEC; ++v) wq[WEARLY ? i : 0][v] = c < body ? w[head + c * VEC + v] : (WS)0;
        }
    }
    const WS we = edge ? w[e] : (WS)0;

    float xv[NPT][VEC];
    float ss = 0.0f;
#pragma unroll
    for (int i = 0; i < NPT; ++i) {
#pragma unroll
        for (int v = 0; v < VEC; ++v) {
            xv[i][v] = load_elem<IN_T>(raw[i].e[v]);
            ss = fmaf(xv[i][v], xv[i][v], ss);
        }
    }
    ss = fmaf(xe, xe, ss);
    ss = row_reduce<false>(ss, tpr, scratch);
    float rstd = finish_rstd(ss, N, eps);
    float rs = mode_rstd(rstd);
    float xscale = 1.0f;
#if TINY_EPS
    const bool rescale = active && (isinf(ss) || ss < 0x1p-100f);
#else
    const bool rescale = active && isinf(ss);
#endif
    if (any_in_block(rescale, tpr)) {
        const RowScale r = rescue_row_scalar(xr, active, rescale, lane, tpr, N, eps, scratch, RowScale{rstd, rs, xscale});
        rstd = r.rstd;
        rs = r.rs;
        xscale = r.xscale;
    }
    if (!active) return;
    if (rstd_out != nullptr && lane == 0) rstd_out[row] = rstd;
    YS* yr = y + row * ldy;
    YS* yb = yr + head;
#pragma unroll
    for (int i = 0; i < NPT; ++i) {
        const int c = i * tpr + lane;
        if (c < body) {
            float r[VEC];
            float wv[VEC];
#pragma unroll
            for (int v = 0; v < VEC; ++v) {
                const WS ws = WEARLY ? wq[WEARLY ? i : 0][v] : w[head + c * VEC + v];
                const float xs = xv[i][v] * xscale;
                wv[v] = weight_value(load_elem<W_T>(ws), w_offset);
                r[v] = norm_first(xs, rs, wv[v]);
            }
            norm_rest(r, wv);
            store_y(yb + c * VEC, pack_out(r, out_scale));
        }
    }
    if (edge) yr[e] = store_elem<IN_T>(norm_value(xe * xscale, rs, weight_value(load_elem<W_T>(we), w_offset)));
}

#define DEFINE_AI(K)                                                                          \
    extern "C" __global__ void __launch_bounds__(REG_BOUND) rmsnorm_fwd_ai_npt##K(FWD_PARAMS, int tpr) { \
        PDL_ENTRY();                                                                          \
        fwd_ai<K>(FWD_ARGS, tpr);                                                             \
    }
// Up to 4 vectors a thread: 32 elements of 16-bit types, 16 of fp32 (an 8-vector fp32 twin spilled).
DEFINE_AI(1)
DEFINE_AI(2)
DEFINE_AI(4)
#endif

#if ROW_TPR == 0  // a row module ends here

// ---------------------------------------------------------------------------------------
// Block-per-row paths for long rows. blockDim.x is a multiple of 32 (up to 1024).

__device__ __forceinline__ float block_sum(float v, float* scratch) {
    return row_reduce<false>(v, blockDim.x, scratch);
}

// Thread-block clusters (sm_90+): a row split over the CS blocks of one cluster, each block's partial
// result read by the others from its shared memory (distributed shared memory).
#if __CUDA_ARCH__ >= 900
__device__ __forceinline__ void cluster_arrive() { asm volatile("barrier.cluster.arrive.release.aligned;" ::: "memory"); }
// An arrive without release semantics (no MEMBAR.ALL.GPU ahead of it in SASS): for a block that only says it is done
// reading its peers' slots, whose loaded values it has already used.
__device__ __forceinline__ void cluster_arrive_relaxed() { asm volatile("barrier.cluster.arrive.relaxed.aligned;" ::: "memory"); }
__device__ __forceinline__ void cluster_wait() { asm volatile("barrier.cluster.wait.acquire.aligned;" ::: "memory"); }
// The float at `p` (a __shared__ variable) in the shared memory of block `rank` of this cluster.
__device__ __forceinline__ float cluster_peer_load(const float* p, unsigned rank) {
    float v;
    asm volatile("{ .reg .u64 g; .reg .u32 a, r;\n\t"
                 "cvta.to.shared.u64 g, %1; cvt.u32.u64 a, g;\n\t"
                 "mapa.shared::cluster.u32 r, a, %2;\n\t"
                 "ld.shared::cluster.f32 %0, [r]; }"
                 : "=f"(v) : "l"(p), "r"(rank) : "memory");
    return v;
}
#endif

// Sum (or max) of `v` over the block and then over the CS blocks of the cluster (CS = 1: the block).
// Each block publishes its result in `part` (one slot per reduction: never rewritten), and every warp
// reads the CS slots in lanes 0..CS-1 and combines them with the same butterfly: the same bits on
// every thread of every block, whatever the order in which the blocks got there.
template <int CS, bool IS_MAX>
__device__ __forceinline__ float split_reduce(float v, float* scratch, float* part) {
    v = row_reduce<IS_MAX>(v, blockDim.x, scratch);
#if __CUDA_ARCH__ >= 900
    if (CS > 1) {
#if CLUSTER_FENCE_ONE
        // Only the writer of the slot orders it before the barrier (a cluster-scope fence, then every thread's relaxed
        // arrive), instead of every thread's release arrive (a MEMBAR.ALL.GPU each).
        if (threadIdx.x == 0) {
            *part = v;
            asm volatile("fence.acq_rel.cluster;" ::: "memory");
        }
        cluster_arrive_relaxed();
#else
        if (threadIdx.x == 0) *part = v;
        cluster_arrive();
#endif
        cluster_wait();
        const float t = cluster_peer_load(part, threadIdx.x & (CS - 1));
        v = IS_MAX ? warp_max(t, CS) : warp_sum(t, CS);
    }
#endif
    return v;
}

// With RESID: h = x + residual at vector j of the row (fp32 sum, rounded once), stored to the row of
// hout; returns h (otherwise x as loaded).
__device__ __forceinline__ XPack resid_first(XPack p, const XS* rr, XS* hr, int j) {
#if RESID
    XPack q = load_x(rr + j * VEC);
#if HADD_PAIRS
    p = add_h(p, q);
#else
    float hs[VEC];
#pragma unroll
    for (int v = 0; v < VEC; ++v) hs[v] = load_elem<IN_T>(p.e[v]) + load_elem<IN_T>(q.e[v]);
    p = pack_in(hs);
#endif
    store_x(hr + j * VEC, p);
#endif
    return p;
}

// Σ x² over vectors [lo, hi) of a row, four 16-byte loads in flight a thread before any is used;
// `first(p, j)` turns loaded vector j into the row's value (h, staged in shared memory) before it is summed.
// KEEP: the loads ask L2 to keep x (evict_last) for a second pass that reads it again (LOOP_HINTS).
template <bool KEEP = false>
__device__ __forceinline__ XPack load_x_first(const XS* p) {
#if VEC * IN_BYTES == 16 && __CUDA_ARCH__ >= 800
    if (KEEP) { XPack v; v.raw = ld16_el_if(p, true); return v; }
#endif
#if XL1 && VEC * IN_BYTES == 16
    { XPack v; v.raw = ld16_l1na_if(p, true); return v; }
#endif
    return load_x(p);
}
// U vectors of the row (j, j + blockDim.x, …) loaded before any is used, then turned into the row's value by
// `first` and their squares added to `ss`.
template <int U, bool KEEP, typename First>
__device__ __forceinline__ float sum_squares_of(const XS* xr, int j, First first, float ss) {
    XPack p[U];
#pragma unroll
    for (int u = 0; u < U; ++u) p[u] = load_x_first<KEEP>(xr + (j + u * blockDim.x) * VEC);
#pragma unroll
    for (int u = 0; u < U; ++u) {
        p[u] = first(p[u], j + u * blockDim.x);
#pragma unroll
        for (int v = 0; v < VEC; ++v) { const float f = load_elem<IN_T>(p[u].e[v]); ss = fmaf(f, f, ss); }
    }
    return ss;
}
template <bool KEEP = false, typename First>
__device__ __forceinline__ float slice_sum_squares(const XS* xr, int lo, int hi, First first) {
    float ss = 0.0f;
    int j = lo + threadIdx.x;
    for (; j + 3 * (int)blockDim.x < hi; j += 4 * blockDim.x) ss = sum_squares_of<4, KEEP>(xr, j, first, ss);
#if SLICE_PAIRS
    // Two loads in flight where fewer than four vectors a thread remain (e.g. 512 threads on 1,024 vectors).
    for (; j + (int)blockDim.x < hi; j += 2 * blockDim.x) ss = sum_squares_of<2, KEEP>(xr, j, first, ss);
#endif
    for (; j < hi; j += blockDim.x) {
        XPack p = first(load_x_first<KEEP>(xr + j * VEC), j);
#pragma unroll
        for (int v = 0; v < VEC; ++v) { const float f = load_elem<IN_T>(p.e[v]); ss = fmaf(f, f, ss); }
    }
    return ss;
}

// One block per row (CS = 1), or one cluster of CS blocks per row, each block taking a contiguous
// slice of ceil(N / VEC / CS) vectors. STAGE: the first pass copies the slice (h with RESID) into
// dynamic shared memory and later passes read it from there (x read once from DRAM); otherwise
// later passes read the row again (x, or with RESID the h this block just wrote, from L2).
template <bool STAGE, int CS, int U = PASS2_U>
__device__ __forceinline__ void fwd_block_row(FWD_PARAMS)
{
    extern __shared__ __align__(16) unsigned char smem_raw[];
    XS* row_buf = reinterpret_cast<XS*>(smem_raw);
    __shared__ float scratch[96];  // three reduction slots: sum, max, rescaled sum
    __shared__ float part[3];      // this block's share of the same three, read by the cluster (CS > 1)
    const int nvec = N / VEC;
    // Slice of the row: vectors [lo, hi). The grid is M · CS blocks (CS > 1), at most M (CS = 1).
    const int per = CS == 1 ? nvec : (nvec + CS - 1) / CS;
    const int lo = CS == 1 ? 0 : (int)(blockIdx.x % CS) * per;
    const int hi = CS == 1 ? nvec : min(nvec, lo + per);
    i64 row = CS == 1 ? (i64)blockIdx.x : (i64)(blockIdx.x / CS);  // no test ahead of the first loads
#if WPREFETCH
    // At M <= 16, the block's slice of the weight asked into L2 ahead of the first pass, so that the
    // second pass does not wait on DRAM for it after the reduction (one request per 128-byte line).
    // V28: 1 x 65536 fp32 8.74 -> 8.00 us, 4 x 262144 bf16 10.91 -> 10.37; with many rows the weight
    // is in L2 after the first and the requests cost (512 x 65536 fp32 +0.9%).
    if (M <= 16) {
        const char* wb = reinterpret_cast<const char*>(w + lo * VEC);
        const int lines = (int)(((i64)(hi - lo) * VEC * W_BYTES + 127) / 128);
        for (int l = threadIdx.x; l < lines; l += blockDim.x)
            asm volatile("prefetch.global.L2 [%0];" ::"l"(wb + (i64)l * 128));
    }
#endif
    do {
        const XS* xr = x + row * ldx;
#if RESID
        const XS* rr = res + row * ldr;
        XS* hr = hout + row * ldh;
        const XS* again = hr;
#else
        const XS* again = xr;
#endif
        // Vector j of the row, after the first pass.
        auto fetch = [&](int j) -> XPack {
            if (STAGE) return *reinterpret_cast<const XPack*>(row_buf + (j - lo) * VEC);
#if LOOP_HINTS && VEC * IN_BYTES == 16 && __CUDA_ARCH__ >= 800
            if (!RESID) { XPack v; v.raw = ld16_ef_if(again + j * VEC, true); return v; }  // x's last use
#endif
            return RESID ? load_x_plain(again + j * VEC) : load_x(again + j * VEC);
        };
        // The row's value at vector j on the first pass: x, or h = x + residual (stored).
        auto first = [&](XPack p, int j) -> XPack {
#if RESID
            p = resid_first(p, rr, hr, j);
#endif
            if (STAGE) *reinterpret_cast<XPack*>(row_buf + (j - lo) * VEC) = p;
            return p;
        };
        float ss = slice_sum_squares<!STAGE && !RESID && LOOP_HINTS>(xr, lo, hi, first);  // the first pass
        ss = split_reduce<CS, false>(ss, scratch, part);
        float rstd = finish_rstd(ss, N, eps);
        float rs = mode_rstd(rstd), xscale = 1.0f;  // y = (x · xscale) · rs · w
#if TINY_EPS
        if (isinf(ss) || ss < 0x1p-100f) {  // uniform across the block and cluster: ss is the row's sum
            float m = 0.0f;
            for (int k = lo + threadIdx.x; k < hi; k += blockDim.x) {
                XPack p = fetch(k);
#pragma unroll
                for (int v = 0; v < VEC; ++v) m = fmaxf(m, fabsf(load_elem<IN_T>(p.e[v])));
            }
            m = split_reduce<CS, true>(m, scratch + 32, part + 1);
            const Pow2Scale sc = pow2_scale(m);
            float s2 = 0.0f;
            for (int k = lo + threadIdx.x; k < hi; k += blockDim.x) {
                XPack p = fetch(k);
#pragma unroll
                for (int v = 0; v < VEC; ++v) { const float t = (load_elem<IN_T>(p.e[v]) * sc.f1) * sc.f2; s2 = fmaf(t, t, s2); }
            }
            s2 = split_reduce<CS, false>(s2, scratch + 64, part + 2);
            float scaled;
            pow2_finish(s2, N, eps, sc, rstd, scaled);
#if CAST == 2
            rs = round_in(rstd);
#else
            rs = scaled;
            xscale = sc.f1;
#endif
        }
#else
        if (isinf(ss)) {  // uniform across the block and cluster: ss is the row's sum
            float m = 0.0f;
            for (int k = lo + threadIdx.x; k < hi; k += blockDim.x) {
                XPack p = fetch(k);
#pragma unroll
                for (int v = 0; v < VEC; ++v) m = fmaxf(m, fabsf(load_elem<IN_T>(p.e[v])));
            }
            m = split_reduce<CS, true>(m, scratch + 32, part + 1);
            const float inv = (m > 0.0f && !isinf(m)) ? 1.0f / m : 1.0f;
            float s2 = 0.0f;
            for (int k = lo + threadIdx.x; k < hi; k += blockDim.x) {
                XPack p = fetch(k);
#pragma unroll
                for (int v = 0; v < VEC; ++v) { const float t = load_elem<IN_T>(p.e[v]) * inv; s2 = fmaf(t, t, s2); }
            }
            s2 = split_reduce<CS, false>(s2, scratch + 64, part + 2);
            rstd = inv * rsqrtf(s2 / (float)N + eps * inv * inv);
            rs = mode_rstd(rstd);
        }
#endif
#if __CUDA_ARCH__ >= 900
#if CLUSTER_READ_RELAXED
        if (CS > 1) cluster_arrive_relaxed();  // this block has read the others' slots (they wait before exiting)
#else
        if (CS > 1) cluster_arrive();  // this block has read the others' slots (they wait before exiting)
#endif
#endif
        if (rstd_out != nullptr && threadIdx.x == 0 && lo == 0) rstd_out[row] = rstd;
        YS* yr = y + row * ldy;
        auto finish = [&](const XPack& p, const WPack& q, int k) {
            float r[VEC];
            float wv[VEC];
#pragma unroll
            for (int v = 0; v < VEC; ++v) {
                const float xs = load_elem<IN_T>(p.e[v]) * xscale;
                wv[v] = weight_value(load_elem<W_T>(q.e[v]), w_offset);
                r[v] = norm_first(xs, rs, wv[v]);
            }
            norm_rest(r, wv);
            store_y(yr + k * VEC, pack_out(r, out_scale));
        };
        // The last pass, U vectors of the row (from shared memory, or x / h again) and of the weight requested
        // before the first is used: with one at a time each weight load is a round trip on the way to its store
        // (V90: two at a time -0.2 to -7% where a thread holds 8 or more vectors, +2 to +3% with 6, where the extra
        // registers cost blocks an SM; four at a time +2 to +17%).
        for (int k = lo + threadIdx.x; k < hi; k += U * blockDim.x) {
            XPack p[U];
            WPack q[U];
#pragma unroll
            for (int u = 0; u < U; ++u) {
                const int j = k + u * (int)blockDim.x;
                if (j < hi) {
                    p[u] = fetch(j);
#if WL1 && VEC * W_BYTES == 16
                    q[u].raw = ld16_nc_l1el_if(w + j * VEC, true);
#else
                    q[u] = load_w(w + j * VEC);
#endif
                }
            }
#pragma unroll
            for (int u = 0; u < U; ++u) {
                const int j = k + u * (int)blockDim.x;
                if (j < hi) finish(p[u], q[u], j);
            }
        }
#if __CUDA_ARCH__ >= 900
        if (CS > 1) cluster_wait();  // no block leaves while another may still read its slots
#endif
        if (CS > 1) break;
        if (row + gridDim.x < M) __syncthreads();  // row_buf and the slots are reused by the next row
        row += gridDim.x;
    } while (row < M);
}

extern "C" __global__ void __launch_bounds__(1024) rmsnorm_fwd_smem(FWD_PARAMS) {
    PDL_ENTRY();
    fwd_block_row<true, 1>(FWD_ARGS);
}

extern "C" __global__ void __launch_bounds__(1024) rmsnorm_fwd_loop(FWD_PARAMS) {
    PDL_ENTRY();
    fwd_block_row<false, 1>(FWD_ARGS);
}

// A row split over a cluster of K blocks, each staging its slice in shared memory (sm_90+; the
// launcher starts M · K blocks, and for K = 16 allows the non-portable cluster size). Before sm_90
// the entry points exist (every module has the same kernels) but trap: no plan names them there.
#if __CUDA_ARCH__ >= 900
#define DEFINE_CLUSTER(K)                                                                         \
    extern "C" __global__ void __cluster_dims__(K, 1, 1) __launch_bounds__(1024)                  \
        rmsnorm_fwd_smem_c##K(FWD_PARAMS) {                                                       \
        PDL_ENTRY();                                                                              \
        fwd_block_row<true, K>(FWD_ARGS);                                                         \
    }                                                                                             \
    extern "C" __global__ void __cluster_dims__(K, 1, 1) __launch_bounds__(1024)                  \
        rmsnorm_fwd_smem_c##K##_b2(FWD_PARAMS) {                                                  \
        PDL_ENTRY();                                                                              \
        fwd_block_row<true, K, 2>(FWD_ARGS);                                                      \
    }
#else
#define DEFINE_CLUSTER(K)                                                                         \
    extern "C" __global__ void rmsnorm_fwd_smem_c##K(FWD_PARAMS) { __trap(); }                    \
    extern "C" __global__ void rmsnorm_fwd_smem_c##K##_b2(FWD_PARAMS) { __trap(); }
#endif
DEFINE_CLUSTER(2)
DEFINE_CLUSTER(4)
DEFINE_CLUSTER(8)
DEFINE_CLUSTER(16)

// A row split over S blocks of an ordinary grid (no cluster, so any number of SMs): two kernels.
// rmsnorm_fwd_split_sum: each block sums the squares of its slice of ceil(N / VEC / S) vectors (with
// RESID: of h = x + residual, which it stores) into part[row · S + b]. rmsnorm_fwd_split_norm: each
// block adds the row's S partial sums in a fixed order (lane k of warp 0 takes k, k + 32, …, then the
// butterfly: the same bits in every block of the row), re-reads its slice (x, or h; from L2 at the
// sizes the launcher picks this for) and normalises it. For few rows of huge N, where a cluster's 16
// SMs bound the bandwidth (V28 item 5; V29–V31: 1 × 262,144 fp32 12.0 → 9.0 µs on an H100). The overflow (and
// TINY_EPS) path recomputes the row's maximum and rescaled sum over the whole row in every block,
// with block reductions only: the same bits in every block; rare, so its cost does not matter. It reads the whole row while other blocks store their y,
// so the launcher never runs these kernels with y over x (in place); with RESID it reads h.
// Programmatic dependent launch (sm_90+; no-ops before): the first kernel lets the second start at once
// (its blocks load their weight, and x, while the first still runs); the second waits for the first's
// completion and memory before it reads the partial sums, or h. The wait runs on every path, so the
// second kernel never completes before the first. Without the launch attribute the wait returns at once.

extern "C" __global__ void __launch_bounds__(1024) rmsnorm_fwd_split_sum(FWD_PARAMS, float* part, int S) {
    __shared__ float scratch[32];
#if PDL
    if (PDL_TRIGGER != 2) grid_launch_dependents();
    grid_dependency_wait();  // x (and the residual) may be the previous kernel's output
    if (PDL_TRIGGER == 2) grid_launch_dependents();
#else
    grid_launch_dependents();
#endif
    const int nvec = N / VEC;
    const int per = (nvec + S - 1) / S;
    const int b = (int)(blockIdx.x % (unsigned)S);
    const i64 row = (i64)(blockIdx.x / (unsigned)S);
    const int lo = b * per, hi = min(nvec, lo + per);
#if WPREFETCH
    if (M <= 16) {  // the second kernel's weight slice, asked into L2 while this one reads x
        const char* wb = reinterpret_cast<const char*>(w + lo * VEC);
        const int lines = hi > lo ? (int)(((i64)(hi - lo) * VEC * W_BYTES + 127) / 128) : 0;
        for (int l = threadIdx.x; l < lines; l += blockDim.x)
            asm volatile("prefetch.global.L2 [%0];" ::"l"(wb + (i64)l * 128));
    }
#endif
    const XS* xr = x + row * ldx;
#if RESID
    const XS* rr = res + row * ldr;
    XS* hr = hout + row * ldh;
    float ss = slice_sum_squares(xr, lo, hi, [&](XPack p, int j) { return resid_first(p, rr, hr, j); });
#else
    float ss = slice_sum_squares(xr, lo, hi, [](XPack p, int) { return p; });
#endif
    ss = row_reduce<false>(ss, blockDim.x, scratch);
    if (threadIdx.x == 0) part[row * S + b] = ss;
}

// The rescue over the whole row (every block of a split row, block reductions only; rmsnorm_fwd_split_norm).
__device__ __noinline__ RowScale rescue_whole_row(const XS* src, int N, float eps, float* scratch, RowScale keep) {
    const int nvec = N / VEC;
    return rescue_from(
        [&] {
            float m = 0.0f;
            for (int k = threadIdx.x; k < nvec; k += blockDim.x) {
                const XPack p = load_x_plain(src + k * VEC);
#pragma unroll
                for (int v = 0; v < VEC; ++v) m = fmaxf(m, fabsf(load_elem<IN_T>(p.e[v])));
            }
            return m;
        },
        [&](float f1, float f2) {
            float t2 = 0.0f;
            for (int k = threadIdx.x; k < nvec; k += blockDim.x) {
                const XPack p = load_x_plain(src + k * VEC);
#pragma unroll
                for (int v = 0; v < VEC; ++v) { const float t = (load_elem<IN_T>(p.e[v]) * f1) * f2; t2 = fmaf(t, t, t2); }
            }
            return t2;
        },
        true, blockDim.x, N, eps, scratch, keep);
}

extern "C" __global__ void __launch_bounds__(1024) rmsnorm_fwd_split_norm(FWD_PARAMS, const float* part, int S) {
    __shared__ float scratch[96];
    __shared__ float total;
    const int nvec = N / VEC;
    const int per = (nvec + S - 1) / S;
    const int b = (int)(blockIdx.x % (unsigned)S);
    const i64 row = (i64)(blockIdx.x / (unsigned)S);
    const int lo = b * per, hi = min(nvec, lo + per);
#if RESID
    const XS* src = hout + row * ldh;
#else
    const XS* src = x + row * ldx;
#endif
    // Each thread's first two vectors of the weight (and of x; h is the first kernel's output) are
    // requested before the wait: with programmatic launch they arrive while the first kernel runs.
    // With PDL = 1 the first kernel itself may still be waiting for the producer of x and the weight,
    // so everything is read after the wait (and this kernel lets the next one start).
    int k = lo + threadIdx.x;
    const bool has0 = k < hi, has1 = k + (int)blockDim.x < hi;
#if PDL
    PDL_ENTRY();
#endif
    const WPack q0 = load_w_if(w + (has0 ? k : lo) * VEC, has0);
    const WPack q1 = load_w_if(w + (has1 ? k + blockDim.x : lo) * VEC, has1);
#if !RESID && !PDL
    const XPack p0 = load_x_if(src + (has0 ? k : lo) * VEC, has0);
    const XPack p1 = load_x_if(src + (has1 ? k + blockDim.x : lo) * VEC, has1);
#endif
#if !PDL
    grid_dependency_wait();
#endif
#if RESID || PDL
    const XPack p0 = load_x_if(src + (has0 ? k : lo) * VEC, has0);
    const XPack p1 = load_x_if(src + (has1 ? k + blockDim.x : lo) * VEC, has1);
#endif
    if (threadIdx.x < 32) {
        float t = 0.0f;
        for (int j = threadIdx.x; j < S; j += 32) t += part[row * S + j];
        t = warp_sum(t, 32);
        if (threadIdx.x == 0) total = t;
    }
    __syncthreads();
    const float ss = total;
    RowScale sc{finish_rstd(ss, N, eps), 0.0f, 1.0f};  // y = (x · xscale) · rs · w
    sc.rs = mode_rstd(sc.rstd);
#if TINY_EPS
    if (isinf(ss) || ss < 0x1p-100f) sc = rescue_whole_row(src, N, eps, scratch, sc);  // uniform across the row's blocks
#else
    if (isinf(ss)) sc = rescue_whole_row(src, N, eps, scratch, sc);
#endif
    const float rstd = sc.rstd, rs = sc.rs, xscale = sc.xscale;
    if (rstd_out != nullptr && threadIdx.x == 0 && b == 0) rstd_out[row] = rstd;
    YS* yr = y + row * ldy;
    auto finish = [&](const XPack& p, const WPack& q, int kk) {
        float r[VEC];
        float wv[VEC];
#pragma unroll
        for (int v = 0; v < VEC; ++v) {
            const float xs = load_elem<IN_T>(p.e[v]) * xscale;
            wv[v] = weight_value(load_elem<W_T>(q.e[v]), w_offset);
            r[v] = norm_first(xs, rs, wv[v]);
        }
        norm_rest(r, wv);
        store_y(yr + kk * VEC, pack_out(r, out_scale));
    };
    if (has0) finish(p0, q0, k);
    if (has1) finish(p1, q1, k + blockDim.x);
    // The rest of the slice (the launcher's plans give each thread two vectors, so usually none), two
    // vectors of x and of the weight in flight before the first store.
    for (k += 2 * blockDim.x; k + (int)blockDim.x < hi; k += 2 * blockDim.x) {
        const XPack r0 = load_x_plain(src + k * VEC), r1 = load_x_plain(src + (k + blockDim.x) * VEC);
        const WPack w0 = load_w(w + k * VEC), w1 = load_w(w + (k + blockDim.x) * VEC);
        finish(r0, w0, k);
        finish(r1, w1, k + blockDim.x);
    }
    if (k < hi) finish(load_x_plain(src + k * VEC), load_w(w + k * VEC), k);
}

// Overwrites n 16-byte words: the benchmark's L2 flush before each timed repetition (a plain
// kernel, like the peers' `tensor.fill_`, so every method starts from the same cache state).
extern "C" __global__ void rmsnorm_flush(uint4* dst, i64 n, unsigned v) {
    const uint4 word = make_uint4(v, v, v, v);
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) dst[i] = word;
}

// Waits `cycles` SM clock cycles and returns: the benchmark's hold after each flush, so the host has
// enqueued the timed call before its start event is reached (host time never lands in an event time).
extern "C" __global__ void rmsnorm_spin(long long cycles) {
    const long long start = clock64();
    while (clock64() - start < cycles) {}
}

// Copies n 16-byte words: the benchmark's same-size copy, as a kernel (a device-to-device memcpy
// left later kernels' event times ~1.3 µs longer in that process; V26 in benchmarks/NOTES.md).
extern "C" __global__ void rmsnorm_copy(const uint4* __restrict__ src, uint4* __restrict__ dst, i64 n) {
    PDL_ENTRY();
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) dst[i] = src[i];
}

// Fills n elements with standard-normal values times `scale` (counter-based hash and
// Box-Muller), so the benchmark can make gigabytes of fresh random input without the host.
extern "C" __global__ void rmsnorm_fill_normal(XS* dst, i64 n, unsigned long long seed, float scale) {
    for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) {
        unsigned long long z = seed + 0x9e3779b97f4a7c15ull * (unsigned long long)(i + 1);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        const float u1 = ((float)(z >> 40) + 1.0f) * 5.9604645e-8f;  // (0, 1]
        const float u2 = (float)(z & 0xffffffull) * 5.9604645e-8f;    // [0, 1)
        const float g = sqrtf(-2.0f * logf(u1)) * cospif(2.0f * u2);
        dst[i] = store_elem<IN_T>(g * scale);
    }
}

#endif  // ROW_TPR == 0
#endif  // KIND == 0

// ---------------------------------------------------------------------------------------
// Backward kernels (KIND 1). With x̂ = x·rstd and w' = w_offset + w:
//
//   dx = rstd · (w'·dy − x̂ · kk) (+ dres),   kk = mean(x̂·w'·dy) = Σ(x̂·w'·dy) / N
//   dw = Σ_rows dy · x̂
//
// fp32 throughout. The dot product is taken over x̂, not x: |x̂| ≤ √N, so it stays in fp32's range
// whenever dx does (Σ x·w'·dy overflows for |x| near the fp32 maximum, and rstd² for tiny rows).
// RECOMPUTE 0: rstd comes from the forward (rstd_in), loaded with the row. RECOMPUTE 1 (a module of
// its own): rstd is recomputed from Σx² first, with the forward's rescaling when that sum overflows
// (or, TINY_EPS, underflows), then the dot product — one more row reduction.
// dres (RESID 1) is the gradient arriving at the fused add's h output; it is added to dx, which is
// then the gradient of both x and the residual.
// dw is reduced deterministically, without atomics: each block writes one row of fp32 partial sums
// (its rows in a fixed order; several rows of a block combined in a fixed order through shared
// memory), then rmsnorm_dw_reduce sums the partial rows column by column in a fixed order.
#if KIND == 1

#ifndef BWD_XPOLICY
// L2 eviction priority of the fused backward's row loads of x and dy (DW 0: the row blocks of
// rmsnorm_bwd_fused…, whose column blocks read x and dy again from L2; not measured with a residual gradient,
// which keeps normal loads): 2 evict_last, the default, 0 normal.
// V45 on an H100, same-process A/B after the benchmark's flush: 256 x 4096 bf16 11.18 -> 10.22 us, fp32
// 13.38 -> 11.71, 256 x 16,384 bf16 23.79 -> 23.03. The other backward kernels load normally: with
// evict_last their many-row shapes ran 1.6x slower (16,384 and 65,536 x 4096 bf16) and 4096 rows +-1%.
#define BWD_XPOLICY 2
#endif
#if BWD_XPOLICY == 2 && __CUDA_ARCH__ >= 800
// One policy register a thread (createpolicy is pure, so the compiler may compute it once).
__device__ __forceinline__ unsigned long long bwd_policy() {
    unsigned long long pol;
    asm("createpolicy.fractional.L2::evict_last.b64 %0, 1.0;" : "=l"(pol));
    return pol;
}
#endif

// The backward's row loads of x and dy: with BWD_XPOLICY's priority where POL (16-byte vectors), else plain.
template <bool POL>
__device__ __forceinline__ XPack load_xb(const XS* p) {
#if BWD_XPOLICY == 2 && __CUDA_ARCH__ >= 800 && VEC * IN_BYTES == 16
    if (POL) {
        XPack v;
        asm("ld.global.L2::cache_hint.v4.u32 {%0, %1, %2, %3}, [%4], %5;"
            : "=r"(v.raw.x), "=r"(v.raw.y), "=r"(v.raw.z), "=r"(v.raw.w) : "l"(p), "l"(bwd_policy()));
        return v;
    }
#endif
    return load_x(p);
}

#ifndef BWD_ONE_XPOLICY
#define BWD_ONE_XPOLICY 0  // 2: rmsnorm_bwd_one's loads of x and dy with L2 evict_last (V47: within 0.5%, so off)
#endif
// rmsnorm_bwd_one's loads of x and dy (predicated inside the asm, as load_x_if).
__device__ __forceinline__ XPack load_one_if(const XS* p, bool pred) {
#if BWD_ONE_XPOLICY == 2 && __CUDA_ARCH__ >= 800 && VEC * IN_BYTES == 16
    XPack v;
    v.raw = ld16_el_if(p, pred);
    return v;
#else
    return load_x_if(p, pred);
#endif
}

// Asynchronous copies global → shared (sm_80+): each thread copies its own slice of a row and later
// reads back only what it copied, so its own wait_group is the only synchronisation the data needs.
// Groups: one per row issued (empty where the row is past M), so "at most stages − 1 pending" always
// means "this row has landed". Stubs before sm_80, where the staged kernels do not exist.
__device__ __forceinline__ void cp_async16(void* s, const void* g) {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"((unsigned)__cvta_generic_to_shared(s)), "l"(g) : "memory");
#endif
}
__device__ __forceinline__ void cp_async4(void* s, const void* g) {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4;" ::"r"((unsigned)__cvta_generic_to_shared(s)), "l"(g) : "memory");
#endif
}
// One vector of 8, 16 or 32 bytes.
template <int BYTES>
__device__ __forceinline__ void cp_async_vec(void* s, const void* g) {
#if __CUDA_ARCH__ >= 800
    if (BYTES == 8)
        asm volatile("cp.async.ca.shared.global [%0], [%1], 8;" ::"r"((unsigned)__cvta_generic_to_shared(s)), "l"(g) : "memory");
    for (int b = 0; b < BYTES / 16; ++b) cp_async16(static_cast<char*>(s) + 16 * b, static_cast<const char*>(g) + 16 * b);
#endif
}
__device__ __forceinline__ void cp_async_commit() {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.commit_group;" ::: "memory");
#endif
}
// Until at most `pending` (1–3) of this thread's newest groups are still in flight.
__device__ __forceinline__ void cp_async_wait(int pending) {
#if __CUDA_ARCH__ >= 800
    if (pending <= 1) asm volatile("cp.async.wait_group 1;" ::: "memory");
    else if (pending == 2) asm volatile("cp.async.wait_group 2;" ::: "memory");
    else asm volatile("cp.async.wait_group 3;" ::: "memory");
#endif
}

// One dw vector, rounded to the weight's type, in one store (8 two-byte stores a vector held the
// fused backward's column blocks at a few stores a cycle).
__device__ __forceinline__ void store_w(WS* p, const float (&a)[VEC]) {
    WPack q;
#pragma unroll
    for (int v = 0; v < VEC; ++v) q.e[v] = store_elem<W_T>(a[v]);
    *reinterpret_cast<decltype(q.raw)*>(p) = q.raw;
}

#ifndef RECOMPUTE
#define RECOMPUTE 0
#endif
// The VEC fp32 values of one lane's slice of a dw partial row, at `out` (col a multiple of VEC): float4 accesses
// where VEC is a multiple of 4 (the launcher starts the partial rows on a 16-byte boundary, and N is then a
// multiple of 4). With one float a store, each lane's 4 bytes landed in their own 32-byte sector (lanes VEC
// floats apart): a warp's store touched 32 sectors for 128 bytes, float4 as many for 512 (V57).
template <int V>
__device__ __forceinline__ void store_partial(float* out, const float (&a)[V]) {
    if (V % 4 == 0) {
#pragma unroll
        for (int q = 0; q < V / 4; ++q)
            *reinterpret_cast<float4*>(out + 4 * q) = make_float4(a[4 * q], a[4 * q + 1], a[4 * q + 2], a[4 * q + 3]);
    } else {
#pragma unroll
        for (int v = 0; v < V; ++v) out[v] = a[v];
    }
}
template <int V>
__device__ __forceinline__ void load_partial(const float* in, float (&a)[V]) {
    if (V % 4 == 0) {
#pragma unroll
        for (int q = 0; q < V / 4; ++q) {
            const float4 t = *reinterpret_cast<const float4*>(in + 4 * q);
            a[4 * q] = t.x; a[4 * q + 1] = t.y; a[4 * q + 2] = t.z; a[4 * q + 3] = t.w;
        }
    } else {
#pragma unroll
        for (int v = 0; v < V; ++v) a[v] = in[v];
    }
}

#ifndef DW_UNROLL
#define DW_UNROLL 4  // partial rows a thread of rmsnorm_dw_reduce loads before it adds them (16: 1-2% slower, V41)
#endif

// The loop's lean forms (V42), a mask per kernel family (bwd_reg's LEAN): 1 rows alternate between two
// sets of reduction slots instead of a barrier after each row; 2 the warps' sums read four at a time;
// 4 (KEEPF) w'·dy kept instead of dy, dw's sums taken in the first phase; 8 the rstd slot's copier and
// 1/N computed once. Each family's mask is what measured fastest on an H100 (benchmarks/NOTES.md, V42);
// a define overrides it (RMSNORM_KERNEL_DEFINES, e.g. BWD_LEAN_R128=15).
#ifndef BWD_LEAN_REG
#define BWD_LEAN_REG 15  // rmsnorm_bwd_reg_npt…
#endif
#ifndef BWD_LEAN_R128
#define BWD_LEAN_R128 14  // rmsnorm_bwd_reg_npt…_r128: alternating slots cost 65,536 × 5120 bf16 +12%
#endif
#ifndef BWD_LEAN_ASYNC
#define BWD_LEAN_ASYNC 15  // rmsnorm_bwd_async_npt2
#endif
#ifndef BWD_LEAN_ASYNC_R128
#define BWD_LEAN_ASYNC_R128 7  // rmsnorm_bwd_async_npt2_r128 (the staged kernels: every mask within ±2%)
#endif
#ifndef BWD_LEAN_FUSED
#define BWD_LEAN_FUSED (IN_BYTES == 4 ? 0 : 15)  // the fused row blocks (fp32, vec 1: spills 52 -> 128 bytes)
#endif
#ifndef BWD_LEAN_ONE
#define BWD_LEAN_ONE 0  // rmsnorm_bwd_one_npt… (one row: nothing to gain across rows)
#endif

#define BWD_PARAMS                                                                               \
    const XS* x, i64 ldx, const WS* __restrict__ w, const XS* dy, i64 lddy, const XS* dres,     \
        i64 ldres, XS* dx, i64 lddx, const float* rstd_in, float* dw_partial, i64 M, int N,     \
        float eps, float w_offset
#define BWD_ARGS x, ldx, w, dy, lddy, dres, ldres, dx, lddx, rstd_in, dw_partial, M, N, eps, w_offset

// Row in registers: `tpr` threads per row, NPT vectors each, blockDim.x / tpr rows per block, the
// grid striding over row groups. x and dy stay packed in registers (half the registers of floats for
// 16-bit types); the weight is read from L1 in both phases; each thread's dw sums stay in registers
// across rows. PF: the next row's x and dy are loaded before this row is reduced, so a block always
// has loads in flight (for slices of at most 32 bytes of x a thread). Dynamic shared memory:
// (rows per block) × N floats when a block holds several rows, for the fixed-order combination of
// their dw sums.
// DW 1: each block writes its dw partial row. DW 0 (rmsnorm_bwd_fused's row blocks): dx only; dw is
// left to the column blocks. DW 2 (rmsnorm_bwd_one, M = 1): the row's dy·x̂ is dw, written in the
// weight's type to dw_partial (which then points at dw). `nblocks` and `bid`: the blocks of this role
// and this block's index among them.
// ASYNC (rmsnorm_bwd_async_npt…, 16-byte vectors, sm_80+): instead of PF's one row in registers, rows
// are copied into shared memory `stages` deep (cp.async): while a row is reduced, the next stages − 1
// rows of the block are in flight, without registers. Shared memory after the dw rows: the weight, one
// copy per row of the block (each thread's slices, copied once, by the thread that reads them; with
// little L1 left beside the stages, re-reading it from L1 would mostly go to L2), then `stages` stages
// of rows_per_block rows of x, dy (and dres), then each stage's rstd slots: one per warp (tpr ≥ 32) or
// per row (tpr < 32), copied by its first thread and read by the others after a __syncwarp. (Holding
// the packed weight in registers instead spilled at 64 registers.) With KEEPF (blocks of up to 512
// threads, 128 registers) the weight is held converted in registers, as are x̂ and dy between the two
// phases of a row, and shared memory holds no weight.
template <int NPT, bool PF, bool KEEPF, int DW = 1, bool ASYNC = false, int LEAN = 0, bool RANGE = false>
__device__ __forceinline__ void bwd_reg(BWD_PARAMS, int tpr, unsigned nblocks, unsigned bid, int stages = 0,
                                        i64 range_lo = 0, i64 range_hi = 0)
{
    extern __shared__ __align__(16) unsigned char smem_raw[];
    float* dw_rows = reinterpret_cast<float*>(smem_raw);
    // Two sets (alternate rows) of reduction slots: Σx̂·w'·dy, Σx², max|x|, Σ(x·2^k)², 32 floats each.
    __shared__ __align__(16) float scratch[256];
    // DW 2 (the launcher's one row in one block of tpr > 32 threads): the block is the row, so no integer
    // division ahead of the first load (V39); in a one-row module (ROW_TPR) its size is known here (V47).
    if (DW == 2) tpr = ROW_TPR > 0 ? ROW_TPR : (int)blockDim.x;
#if BWD_ROWS
    if (DW == 1) tpr = ROW_TPR;  // a backward row module (V105): the launcher passes the same value
#elif BWD_TPR > 0
    if (DW == 1) tpr = BWD_TPR;  // the experiment's fixed threads a row (every launch of the module must use it)
#endif
    const int lane = DW == 2 ? (int)threadIdx.x : threadIdx.x % tpr;
    const int rows_per_block = DW == 2 ? 1 : blockDim.x / tpr;
    const int row_in_block = DW == 2 ? 0 : threadIdx.x / tpr;
    // RANGE (rmsnorm_bwd_async_npt2_rng): this block's rows are [range_lo, range_hi), taken in order; else every
    // nblocks-th row group from the block's own.
    const i64 row_step = RANGE ? (i64)rows_per_block : (i64)nblocks * rows_per_block;
    const i64 first_base = RANGE ? range_lo : (i64)bid * rows_per_block;
    const i64 row_end = RANGE ? range_hi : M;  // rows at or past it are not this block's
    constexpr int ARRAYS = RESID ? 3 : 2;  // staged arrays a row: x, dy (, dres)
    const int seg = tpr < 32 ? tpr : 32;   // the threads that share an rstd slot
    const int wbytes = KEEPF ? 0 : (N * W_BYTES + 15) & ~15;  // a weight copy, padded to 16 bytes (KEEPF: none)
    unsigned char* const wbase = smem_raw + (rows_per_block > 1 ? (i64)rows_per_block * N * 4 : 0);
    WS* const wsh = reinterpret_cast<WS*>(wbase + row_in_block * wbytes);
    XS* const stage0 = reinterpret_cast<XS*>(wbase + rows_per_block * wbytes);
    const WS* const wsrc = ASYNC ? wsh : w;  // where the weight is read
    const i64 stage_elems = (i64)rows_per_block * ARRAYS * N;
    float* const slots = reinterpret_cast<float*>(stage0 + (ASYNC ? stages : 0) * stage_elems);
    const int nseg = blockDim.x / seg, my_slot = threadIdx.x / seg;
    const bool slot_copier = (LEAN & 8) ? (threadIdx.x & (seg - 1)) == 0 : false;  // seg: a power of two
    const float inv_n = 1.0f / (float)N;

    float acc[NPT][VEC];
    // KEEPF (kernels with registers to spare): the weight converted once, x̂ and dy converted once
    // a row. Else both are converted again where used (a cvt per use for fp16: in run V4 this held
    // fp16 to 64% of copy where bf16, whose conversion is a shift, reached 83%). The weight is only
    // loaded here; it is converted after the first row's loads are issued (run V10).
    float wk[KEEPF ? NPT : 1][VEC];
    WPack wq[KEEPF ? NPT : 1];
#pragma unroll
    for (int i = 0; i < NPT; ++i) {
        const int col = (i * tpr + lane) * VEC;
#pragma unroll
        for (int v = 0; v < VEC; ++v) { acc[i][v] = 0.0f; wk[KEEPF ? i : 0][v] = 0.0f; wq[KEEPF ? i : 0].e[v] = 0; }
        if (KEEPF && col < N) wq[KEEPF ? i : 0] = load_w(w + col);
    }
    auto convert_weights = [&]() {
#pragma unroll
        for (int i = 0; i < NPT; ++i)
#pragma unroll
            for (int v = 0; v < VEC; ++v) wk[KEEPF ? i : 0][v] = w_offset + load_elem<W_T>(wq[KEEPF ? i : 0].e[v]);
    };
    auto weight_at = [&](int i, int v, const WPack& q) -> float {
        return KEEPF ? wk[KEEPF ? i : 0][v] : w_offset + load_elem<W_T>(q.e[v]);
    };

    // Loads a row's slice of x and dy, and its rstd (issued with the row, so that its latency is
    // never on the path from the reduction to dx: in run 2 of the variants it was, and held the
    // 65,536-row shapes to 50-64% of copy).
    // DW 2: row 0 of M = 1, and loads predicated inside the asm (load_x_if), so that no branch puts the
    // pointers' constant-bank loads ahead of them (as the forward found in V17). The weight is loaded with
    // them (`wone`), and a branch ptxas does not move code across follows the loads: without it, the
    // products of the first vectors were scheduled ahead of the later vectors' loads, two DRAM round trips
    // in a row (fp32, 8 elements a thread; V47).
    WPack wone[DW == 2 && !KEEPF ? NPT : 1];
    auto load_row = [&](i64 row, XPack (&xr)[NPT], XPack (&gr)[NPT], float& rs) {
        rs = (!RECOMPUTE && (DW == 2 || row < row_end)) ? rstd_in[row] : 0.0f;
#pragma unroll
        for (int i = 0; i < NPT; ++i) {
            const int col = (i * tpr + lane) * VEC;
            if (DW == 2) {
                xr[i] = load_one_if(x + col, col < N);
                gr[i] = load_one_if(dy + col, col < N);
                if (!KEEPF) wone[DW == 2 && !KEEPF ? i : 0] = load_w_if(w + col, col < N);
                if (i == NPT - 1 && N <= 0) __trap();
                continue;
            }
#pragma unroll
            for (int v = 0; v < VEC; ++v) { xr[i].e[v] = 0; gr[i].e[v] = 0; }
            if (row < row_end && col < N) {
                xr[i] = load_xb<DW == 0 && !RESID>(x + row * ldx + col);
                gr[i] = load_xb<DW == 0 && !RESID>(dy + row * lddy + col);
            }
        }
    };
    // ASYNC: copies of a row's slices into stage s (then one commit, row or no row).
    auto issue_row = [&](i64 row, int s) {
        if (row < row_end) {
            XS* st = stage0 + s * stage_elems + (i64)row_in_block * ARRAYS * N;
#pragma unroll
            for (int i = 0; i < NPT; ++i) {
                const int col = (i * tpr + lane) * VEC;
                if (col < N) {
                    cp_async16(st + col, x + row * ldx + col);
                    cp_async16(st + N + col, dy + row * lddy + col);
                    if (RESID) cp_async16(st + 2 * N + col, dres + row * ldres + col);
                }
            }
            if (!RECOMPUTE && ((LEAN & 8) ? slot_copier : threadIdx.x % seg == 0)) cp_async4(slots + s * nseg + my_slot, rstd_in + row);
        }
        cp_async_commit();
    };
    // ASYNC: waits for stage s's row, then reads this thread's slices of it (zeros past N or M).
    auto take_row = [&](i64 row, int s, XPack (&xr)[NPT], XPack (&gr)[NPT], XPack (&dr)[NPT], float& rs) {
        cp_async_wait(stages - 1);
        if (!RECOMPUTE) __syncwarp();  // the slot's copy, made by another thread, is visible after its wait
        const XS* st = stage0 + s * stage_elems + (i64)row_in_block * ARRAYS * N;
        rs = (!RECOMPUTE && row < row_end) ? slots[s * nseg + my_slot] : 0.0f;
#pragma unroll
        for (int i = 0; i < NPT; ++i) {
            const int col = (i * tpr + lane) * VEC;
#pragma unroll
            for (int v = 0; v < VEC; ++v) { xr[i].e[v] = 0; gr[i].e[v] = 0; dr[i].e[v] = 0; }
            if (row < row_end && col < N) {
                xr[i] = load_x_plain(st + col);
                gr[i] = load_x_plain(st + N + col);
                if (RESID) dr[i] = load_x_plain(st + 2 * N + col);
            }
        }
    };
    XPack xnext[NPT], gnext[NPT];
    float rnext = 0.0f;
    int s_read = 0;  // ASYNC: the stage holding this iteration's row
    if (PF) load_row(first_base + row_in_block, xnext, gnext, rnext);
    if (KEEPF && (PF || ASYNC)) convert_weights();
    if (ASYNC && !KEEPF) {
#pragma unroll
        for (int i = 0; i < NPT; ++i) {  // the weight's copies join the first row's group
            const int col = (i * tpr + lane) * VEC;
            if (col < N) cp_async_vec<VEC * W_BYTES>(wsh + col, w + col);
        }
    }
    if (ASYNC)
        for (int s = 0; s + 1 < stages; ++s) issue_row(first_base + row_in_block + s * row_step, s);

    // This row's set of reduction slots (scratch + 128·parity). LEAN & 1: sets alternate, so no barrier follows
    // a row: a set is written again two rows later, after the barrier of the reduction in between, which every
    // thread reaches only after reading the set.
    int parity = 0;
#if BWD_L2PF > 0 && VEC * IN_BYTES == 16
    // The rows BWD_L2PF row steps ahead of each row, into L2 (V103); first the ramp, rows 1 … BWD_L2PF − 1 steps ahead.
    auto l2_prefetch_rows = [&](i64 prow) {
        if (DW == 1 && lane == 0 && prow < row_end) {
            l2_prefetch_row(x + prow * ldx, (unsigned)N * IN_BYTES);
            l2_prefetch_row(dy + prow * lddy, (unsigned)N * IN_BYTES);
            if (RESID) l2_prefetch_row(dres + prow * ldres, (unsigned)N * IN_BYTES);
        }
    };
    for (int k = 1; k < BWD_L2PF; ++k) l2_prefetch_rows(first_base + row_in_block + k * row_step);
#endif
#if BWD_PF2
    // V104: two rows in flight in the same registers. With KEEPF a row's packed x and dy are dead once
    // they are converted (x̂ and dy are held as floats from there on), so the registers that held them take the loads
    // of the row after next while this row is reduced: the two row buffers alternate (a loop unrolled by two, so no
    // register moves wait on loads in flight).
    if constexpr (PF && KEEPF && DW == 1 && !ASYNC && !RECOMPUTE) {
        XPack xalt[NPT], galt[NPT];
        float ralt = 0.0f;
        load_row(first_base + row_in_block + row_step, xalt, galt, ralt);
        auto pf2_row = [&](i64 base, XPack (&cx)[NPT], XPack (&cg)[NPT], float& cr) {
            const i64 row = base + row_in_block;
            const bool active = row < row_end;
            const float rstd = cr;
            XPack draw[NPT];  // RESID only
#if RESID
#pragma unroll
            for (int i = 0; i < NPT; ++i) {
                const int col = (i * tpr + lane) * VEC;
#pragma unroll
                for (int v = 0; v < VEC; ++v) draw[i].e[v] = 0;
                if (active && col < N) draw[i] = load_x(dres + row * ldres + col);
            }
#endif
            float dot = 0.0f;
            float xf[NPT][VEC], gf[NPT][VEC];
#pragma unroll
            for (int i = 0; i < NPT; ++i)
#pragma unroll
                for (int v = 0; v < VEC; ++v) {
                    const float xh = load_elem<IN_T>(cx[i].e[v]) * rstd, gv = load_elem<IN_T>(cg[i].e[v]);
                    const float wg = wk[i][v] * gv;
                    xf[i][v] = xh;
                    gf[i][v] = (LEAN & 4) ? wg : gv;
                    if (LEAN & 4) acc[i][v] = fmaf(gv, xh, acc[i][v]);
                    dot = fmaf(xh, wg, dot);
                }
            load_row(row + 2 * row_step, cx, cg, cr);  // the row after next, into this row's packed registers
            dot = row_reduce<false, (LEAN & 2) != 0>(dot, tpr, scratch + 128 * parity);
            if (LEAN & 1) parity ^= 1;
            if (active) {
                const float kk = (LEAN & 8) ? dot * inv_n : dot / (float)N;
#pragma unroll
                for (int i = 0; i < NPT; ++i) {
                    const int col = (i * tpr + lane) * VEC;
                    if (col < N) {
                        float r[VEC];
#pragma unroll
                        for (int v = 0; v < VEC; ++v) {
                            if (LEAN & 4) {
                                r[v] = rstd * fmaf(-xf[i][v], kk, gf[i][v]);
                            } else {
                                r[v] = rstd * (wk[i][v] * gf[i][v] - xf[i][v] * kk);
                                acc[i][v] = fmaf(gf[i][v], xf[i][v], acc[i][v]);
                            }
#if RESID
                            r[v] += load_elem<IN_T>(draw[i].e[v]);
#endif
                        }
                        store_x(dx + row * lddx + col, pack_in(r));
                    }
                }
            }
            if (!(LEAN & 1) && tpr > 32 && base + row_step < row_end) __syncthreads();
        };
        for (i64 base = first_base; base < row_end; base += 2 * row_step) {
            pf2_row(base, xnext, gnext, rnext);
            if (base + row_step >= row_end) break;
            pf2_row(base + row_step, xalt, galt, ralt);
        }
    } else
#endif
    // DW 2: row 0 of M = 1, one pass and no test of M ahead of the loads (V47).
    for (i64 base = first_base; DW == 2 || base < row_end; base += row_step) {
        const i64 row = base + row_in_block;
        const bool active = DW == 2 || row < row_end;
#if BWD_L2PF > 0 && VEC * IN_BYTES == 16
        l2_prefetch_rows(row + (i64)BWD_L2PF * row_step);
#endif
        XPack xraw[NPT], graw[NPT];
        float rstd;
        XPack draw[NPT];  // RESID only
        if (ASYNC) {
            __syncwarp();  // every thread of the warp has read the rstd slot that the next copy reuses
            issue_row(row + (i64)(stages - 1) * row_step, s_read == 0 ? stages - 1 : s_read - 1);
            take_row(row, s_read, xraw, graw, draw, rstd);
            s_read = s_read + 1 == stages ? 0 : s_read + 1;
        } else if (PF) {
#pragma unroll
            for (int i = 0; i < NPT; ++i) { xraw[i] = xnext[i]; graw[i] = gnext[i]; }
            rstd = rnext;
            load_row(row + row_step, xnext, gnext, rnext);
        } else {
            load_row(row, xraw, graw, rstd);
            if (KEEPF && base == first_base) convert_weights();
        }
#if RESID
        if (!ASYNC)
#pragma unroll
            for (int i = 0; i < NPT; ++i) {
                const int col = (i * tpr + lane) * VEC;
#pragma unroll
                for (int v = 0; v < VEC; ++v) draw[i].e[v] = 0;
                if (active && col < N) draw[i] = load_x(dres + row * ldres + col);
            }
#endif
#if RECOMPUTE
        {
            float ss = 0.0f;
#pragma unroll
            for (int i = 0; i < NPT; ++i)
#pragma unroll
                for (int v = 0; v < VEC; ++v) { const float xv = load_elem<IN_T>(xraw[i].e[v]); ss = fmaf(xv, xv, ss); }
            ss = row_reduce<false, (LEAN & 2) != 0>(ss, tpr, scratch + 128 * parity + 32);
            rstd = finish_rstd(ss, N, eps);
            // Σx² overflowed (or, TINY_EPS, underflowed): power-of-two rescaling, as in the forward.
            const bool rescale = active && (isinf(ss) || (TINY_EPS && ss < 0x1p-100f));
            if (any_in_block(rescale, tpr)) {
                float m = 0.0f;
#pragma unroll
                for (int i = 0; i < NPT; ++i)
#pragma unroll
                    for (int v = 0; v < VEC; ++v) m = fmaxf(m, fabsf(load_elem<IN_T>(xraw[i].e[v])));
                m = row_reduce<true, (LEAN & 2) != 0>(m, tpr, scratch + 128 * parity + 64);
                const Pow2Scale sc = pow2_scale(m);
                float s2 = 0.0f;
#pragma unroll
                for (int i = 0; i < NPT; ++i)
#pragma unroll
                    for (int v = 0; v < VEC; ++v) {
                        const float t = (load_elem<IN_T>(xraw[i].e[v]) * sc.f1) * sc.f2;
                        s2 = fmaf(t, t, s2);
                    }
                s2 = row_reduce<false, (LEAN & 2) != 0>(s2, tpr, scratch + 128 * parity + 96);
                float unused;
                if (rescale) pow2_finish(s2, N, eps, sc, rstd, unused);
            }
        }
#endif
        float dot = 0.0f;
        float xf[KEEPF ? NPT : 1][VEC], gf[KEEPF ? NPT : 1][VEC];
#pragma unroll
        for (int i = 0; i < NPT; ++i) {
            const int col = (i * tpr + lane) * VEC;
            WPack q;
#pragma unroll
            for (int v = 0; v < VEC; ++v) q.e[v] = 0;
            if (!KEEPF && col < N) q = DW == 2 ? wone[DW == 2 && !KEEPF ? i : 0] : load_w(wsrc + col);
#pragma unroll
            for (int v = 0; v < VEC; ++v) {
                const float xh = load_elem<IN_T>(xraw[i].e[v]) * rstd, gv = load_elem<IN_T>(graw[i].e[v]);
                const float wg = weight_at(i, v, q) * gv;
                if (KEEPF) {
                    xf[KEEPF ? i : 0][v] = xh;
                    gf[KEEPF ? i : 0][v] = (LEAN & 4) ? wg : gv;
                    if ((LEAN & 4) && DW) acc[i][v] = fmaf(gv, xh, acc[i][v]);  // zeros past N or M add nothing
                }
                dot = fmaf(xh, wg, dot);
            }
        }
        dot = row_reduce<false, (LEAN & 2) != 0>(dot, tpr, scratch + 128 * parity);
        if (LEAN & 1) parity ^= 1;
        if (active) {
            const float kk = (LEAN & 8) ? dot * inv_n : dot / (float)N;
#pragma unroll
            for (int i = 0; i < NPT; ++i) {
                const int col = (i * tpr + lane) * VEC;
                if (col < N) {
                    WPack q;
                    if (!KEEPF) q = DW == 2 ? wone[DW == 2 && !KEEPF ? i : 0] : load_w(wsrc + col);
                    float r[VEC];
#pragma unroll
                    for (int v = 0; v < VEC; ++v) {
                        const float xh = KEEPF ? xf[KEEPF ? i : 0][v] : load_elem<IN_T>(xraw[i].e[v]) * rstd;
                        if (KEEPF && (LEAN & 4)) {  // gf: w'·dy
                            r[v] = rstd * fmaf(-xh, kk, gf[KEEPF ? i : 0][v]);
                        } else {
                            const float gv = KEEPF ? gf[KEEPF ? i : 0][v] : load_elem<IN_T>(graw[i].e[v]);
                            r[v] = rstd * (weight_at(i, v, q) * gv - xh * kk);
                            if (DW) acc[i][v] = fmaf(gv, xh, acc[i][v]);
                        }
#if RESID
                        r[v] += load_elem<IN_T>(draw[i].e[v]);
#endif
                    }
                    store_x(dx + row * lddx + col, pack_in(r));
                }
            }
        }
        if (DW == 2) break;
        if (!(LEAN & 1) && tpr > 32 && base + row_step < row_end) __syncthreads();
    }

    if (DW == 0) return;
    if (DW == 2) {  // one row (M = 1): its slots of the block write dw
        WS* dw = reinterpret_cast<WS*>(dw_partial);
#pragma unroll
        for (int i = 0; i < NPT; ++i) {
            const int col = (i * tpr + lane) * VEC;
            if (row_in_block == 0 && col < N) store_w(dw + col, acc[i]);
        }
        return;
    }
    // This block's dw partial row.
    float* out = dw_partial + (i64)bid * N;
    if (rows_per_block == 1) {
#pragma unroll
        for (int i = 0; i < NPT; ++i) {
            const int col = (i * tpr + lane) * VEC;
            if (col < N) store_partial(out + col, acc[i]);
        }
        return;
    }
#pragma unroll
    for (int i = 0; i < NPT; ++i) {
        const int col = (i * tpr + lane) * VEC;
        if (col < N)
#pragma unroll
            for (int v = 0; v < VEC; ++v) dw_rows[row_in_block * N + col + v] = acc[i][v];
    }
    __syncthreads();
    for (int c = threadIdx.x; c < N; c += blockDim.x) {
        float s = 0.0f;
        for (int r = 0; r < rows_per_block; ++r) s += dw_rows[r * N + c];
        out[c] = s;
    }
}

// Up to 16 elements a thread in blocks of up to 1,024 threads (64 registers), 32 in blocks of up to
// 256 (registers to spare: the next row is prefetched there too). The 16-element kernel has an `_r128`
// twin with up to 96 registers, which the launcher uses where the 32-element kernel would leave fewer than
// 6 warps on an SM (N in (4096, 5120]: 65,536 × 5120 bf16 748 µs against 842 µs; at 64 registers it stays the
// better one elsewhere — run V15). Its blocks are then of at most 320 threads, and it is bounded to two of
// them an SM (96 registers): bounded at 512 threads only, it came out of V57's new stores one block an SM on
// the H100 (NVRTC 13.5 here: 97 → 100 registers), and 16,384 × 5120 bf16 ran 19% slower (185.6 → 220.0 µs; V58).
#define BWD_BOUND(K) ((K) * VEC <= 16 ? 1024 : 256)
#define BWD_TEMPLATE(K, L) bwd_reg<K, ((K) * VEC * sizeof(XS) <= 32) || ((K) * VEC > 16), ((K) * VEC > 16), 1, false, L>
#define DEFINE_BWD_REG(K)                                                                       \
    extern "C" __global__ void __launch_bounds__(BWD_BOUND(K)) rmsnorm_bwd_reg_npt##K(BWD_PARAMS, int tpr) { \
        BWD_ENTRY();                                                                            \
        BWD_TEMPLATE(K, BWD_LEAN_REG)(BWD_ARGS, tpr, gridDim.x, blockIdx.x);                                  \
    }
#define DEFINE_BWD_R128(K)                                                                      \
    extern "C" __global__ void __launch_bounds__(320, 2) rmsnorm_bwd_reg_npt##K##_r128(BWD_PARAMS, int tpr) { \
        BWD_ENTRY();                                                                            \
        BWD_TEMPLATE(K, BWD_LEAN_R128)(BWD_ARGS, tpr, gridDim.x, blockIdx.x);                                  \
    }
#if ROW_TPR == 0 || BWD_ROWS  // a one-row module (ROW_TPR without BWD_ROWS) holds only rmsnorm_bwd_one_npt…
#if VEC == 8
DEFINE_BWD_R128(2)
#elif VEC == 4
DEFINE_BWD_R128(4)
#elif VEC == 2
DEFINE_BWD_R128(8)
#else
DEFINE_BWD_R128(16)
#endif

DEFINE_BWD_REG(1)
DEFINE_BWD_REG(2)
DEFINE_BWD_REG(4)
#if VEC <= 4
DEFINE_BWD_REG(8)
#endif
#if VEC <= 2
DEFINE_BWD_REG(16)
#endif
#if VEC <= 1
DEFINE_BWD_REG(32)
#endif
#endif  // ROW_TPR == 0 || BWD_ROWS

// Staged rows (see ASYNC in bwd_reg): 16-byte vectors, 2 a thread (16 bf16 or 8 fp32 elements; 16 fp32
// spilled at 64 registers), up to 1,024 threads; `_r128`: blocks of up to 512 threads at 128 registers,
// each value converted once (KEEPF; V38). Before sm_80 (no cp.async) the names exist but trap; the
// launcher never plans them there.
#if VEC * IN_BYTES == 16 && ROW_TPR == 0
#if __CUDA_ARCH__ >= 800
#ifndef BWD_SMPROBE
#define BWD_SMPROBE 0  // a probe (s22f in benchmarks/NOTES.md): 1 prints each block's SM and start/end %globaltimer (ns)
#endif
#if BWD_SMPROBE
#define SMPROBE_BEGIN()                                                                          \
    unsigned long long probe_t0;                                                                 \
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(probe_t0))
#define SMPROBE_END()                                                                            \
    do {                                                                                         \
        __syncthreads();                                                                         \
        unsigned long long probe_t1;                                                             \
        unsigned probe_sm;                                                                       \
        asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(probe_t1));                             \
        asm volatile("mov.u32 %0, %%smid;" : "=r"(probe_sm));                                    \
        if (threadIdx.x == 0)                                                                    \
            printf("SMPROBE %d %u %llu %llu %lld\n", (int)blockIdx.x, probe_sm, probe_t0, probe_t1, (long long)M); \
    } while (0)
#else
#define SMPROBE_BEGIN() do { } while (0)
#define SMPROBE_END() do { } while (0)
#endif
extern "C" __global__ void __launch_bounds__(1024) rmsnorm_bwd_async_npt2(BWD_PARAMS, int tpr, int stages) {
    SMPROBE_BEGIN();
    BWD_ENTRY();
    bwd_reg<2, false, false, 1, true, BWD_LEAN_ASYNC>(BWD_ARGS, tpr, gridDim.x, blockIdx.x, stages);
    SMPROBE_END();
}
extern "C" __global__ void __launch_bounds__(512) rmsnorm_bwd_async_npt2_r128(BWD_PARAMS, int tpr, int stages) {
    BWD_ENTRY();
    bwd_reg<2, false, true, 1, true, BWD_LEAN_ASYNC_R128>(BWD_ARGS, tpr, gridDim.x, blockIdx.x, stages);
}
// The staged kernel over falling row ranges (many rows of 1,024-thread rows): the SMs of an H100 run the staged
// kernel at fixed, different rates (s22f in benchmarks/NOTES.md: 68-98% busy under an equal split), so the rows
// are cut into ranges that shrink in block order: phase 0 is `per_phase` blocks of `first` rows, each later phase
// `per_phase` blocks of half the rows before (at least `smallest`), until the rows run out. With more blocks than
// fit, the hardware hands the small late ranges to the SMs that finish first. Each block still writes one dw
// partial row (row `blockIdx.x`) of a fixed set of rows, summed in a fixed order: dw keeps its bits. The launcher
// computes the same schedule (LaunchPlan.BackwardRowRanges) and launches exactly its blocks, none empty.
extern "C" __global__ void __launch_bounds__(1024)
    rmsnorm_bwd_async_npt2_rng(BWD_PARAMS, int tpr, int stages, int per_phase, i64 first, int smallest) {
    SMPROBE_BEGIN();
    BWD_ENTRY();
    i64 start = 0, c = first;
    unsigned b = blockIdx.x;
    while (b >= (unsigned)per_phase && start + (i64)per_phase * c < M) {
        start += (i64)per_phase * c;
        b -= (unsigned)per_phase;
        c = c / 2 > (i64)smallest ? c / 2 : (i64)smallest;
    }
    const i64 lo = start + (i64)b * c;
    const i64 hi = lo + c < M ? lo + c : M;
    bwd_reg<2, false, false, 1, true, BWD_LEAN_ASYNC, true>(BWD_ARGS, tpr, gridDim.x, blockIdx.x, stages, lo, hi);
    SMPROBE_END();
}
#else
extern "C" __global__ void rmsnorm_bwd_async_npt2(BWD_PARAMS, int tpr, int stages) { __trap(); }
extern "C" __global__ void rmsnorm_bwd_async_npt2_r128(BWD_PARAMS, int tpr, int stages) { __trap(); }
extern "C" __global__ void rmsnorm_bwd_async_npt2_rng(BWD_PARAMS, int tpr, int stages, int per_phase, i64 first, int smallest) { __trap(); }
#endif
#endif

// Few rows with the forward's rstd (RECOMPUTE 0): one kernel and no partial rows, so a call is one
// launch with no scratch memory. Blocks [0, row_blocks) compute dx, one row group each (bwd_reg
// without dw sums). Every later block owns a tile of blockDim.x / rg column vectors and sums dy·x̂
// over all rows for them: thread group g (of rg) takes rows g, g + rg, g + 2·rg, … in order, and the
// groups' sums are added in group order through shared memory (rg · (blockDim.x / rg) · VEC floats),
// so dw has the same bits on every run. x and dy are read by both kinds of block; the launcher takes
// this kernel only for matrices small enough that the second read comes from L2.
// rmsnorm_bwd_one_npt… (one row, M = 1): one block, which writes dx and dw = dy·x̂ itself (the same
// fp32 product as a column block's, rounded once), so x and dy are read once and nothing waits on
// column blocks.
template <int U>
__device__ __forceinline__ void bwd_dw_columns(const XS* x, i64 ldx, const XS* dy, i64 lddy, const float* rstd_in,
                                               i64 M, int N, int tile, int rg, WS* dw)
{
    extern __shared__ __align__(16) unsigned char smem_raw[];
    float* red = reinterpret_cast<float*>(smem_raw);
    const int nv = N / VEC;
    const int ct = blockDim.x / rg;
    const int ci = threadIdx.x % ct, g = threadIdx.x / ct;
    const int cv = tile * ct + ci;
    const bool mine = cv < nv && g < rg;
    float acc[VEC];
#pragma unroll
    for (int v = 0; v < VEC; ++v) acc[v] = 0.0f;
    if (mine) {
        const i64 col = (i64)cv * VEC;
        i64 r = g;
        for (; r + (i64)(U - 1) * rg < M; r += (i64)U * rg) {
            XPack xp[U], gp[U];
            float rs[U];
#pragma unroll
            for (int u = 0; u < U; ++u) {
                const i64 row = r + (i64)u * rg;
                rs[u] = rstd_in[row];
                xp[u] = load_x(x + row * ldx + col);
                gp[u] = load_x(dy + row * lddy + col);
            }
#pragma unroll
            for (int u = 0; u < U; ++u)
#pragma unroll
                for (int v = 0; v < VEC; ++v)
                    acc[v] = fmaf(load_elem<IN_T>(gp[u].e[v]), load_elem<IN_T>(xp[u].e[v]) * rs[u], acc[v]);
        }
        for (; r < M; r += rg) {
            const float rs = rstd_in[r];
            const XPack xp = load_x(x + r * ldx + col), gp = load_x(dy + r * lddy + col);
#pragma unroll
            for (int v = 0; v < VEC; ++v) acc[v] = fmaf(load_elem<IN_T>(gp.e[v]), load_elem<IN_T>(xp.e[v]) * rs, acc[v]);
        }
    }
    if (rg > 1) {
        if (g < rg)
#pragma unroll
            for (int v = 0; v < VEC; ++v) red[(g * ct + ci) * VEC + v] = acc[v];
        __syncthreads();
        if (g != 0) return;
#pragma unroll
        for (int v = 0; v < VEC; ++v) {
            float t = red[ci * VEC + v];
            for (int j = 1; j < rg; ++j) t += red[(j * ct + ci) * VEC + v];
            acc[v] = t;
        }
    }
    if (mine) store_w(dw + (i64)cv * VEC, acc);
}

#if !RECOMPUTE && !BWD_ROWS
#ifndef BWD_COLS_FIRST
#define BWD_COLS_FIRST 1  // 0: the row blocks first (before session 16's V46)
#endif
// The fused kernel's roles. BWD_COLS_FIRST (the default): the column blocks come first in the grid, so they
// are dispatched in the first wave beside the first row blocks, and the row blocks that do not fit in it
// find x and dy in L2; with the row blocks first, the column blocks formed a partial second wave of their
// own (V46 in benchmarks/NOTES.md: 256 x 16,384 bf16 23.1 -> 20.3 us, 512 x 12,288 36.4 -> 27.1).
// (Macros, so that BWD_COLS_FIRST=0's code is the same as before the option existed.)
#if BWD_COLS_FIRST
#define FUSED_IS_ROW ((int)blockIdx.x >= (int)gridDim.x - row_blocks)
#define FUSED_ROW_INDEX (blockIdx.x - (gridDim.x - (unsigned)row_blocks))
#define FUSED_COL_INDEX ((int)blockIdx.x)
#else
#define FUSED_IS_ROW ((int)blockIdx.x < row_blocks)
#define FUSED_ROW_INDEX (blockIdx.x)
#define FUSED_COL_INDEX ((int)blockIdx.x - row_blocks)
#endif
#define BWD_DX_TEMPLATE(K) bwd_reg<K, ((K) * VEC * sizeof(XS) <= 32) || ((K) * VEC > 16), ((K) * VEC > 16), 0, false, BWD_LEAN_FUSED>
#define BWD_ONE_TEMPLATE(K) bwd_reg<K, false, ((K) * VEC > 16), 2, false, BWD_LEAN_ONE>  // no next row to prefetch
#define DEFINE_BWD_ONE(K, BOUND)                                                                 \
    extern "C" __global__ void __launch_bounds__(BOUND)                                          \
        rmsnorm_bwd_one_npt##K(BWD_PARAMS, int tpr) {                                            \
        PDL_ENTRY();                                                                             \
        BWD_ONE_TEMPLATE(K)(BWD_ARGS, tpr, 1u, 0u);                                              \
    }
#if ROW_TPR > 0
// A one-row module (the launcher's M = 1 plans): the block's size, hence the reduction's, fixed at compile
// time and the register cap set by it (V47 in benchmarks/NOTES.md).
#define DEFINE_BWD_FUSED(K) DEFINE_BWD_ONE(K, ROW_TPR)
#else
#define DEFINE_BWD_FUSED(K)                                                                      \
    extern "C" __global__ void __launch_bounds__(BWD_BOUND(K))                                   \
        rmsnorm_bwd_fused_npt##K(BWD_PARAMS, int tpr, int row_blocks, int rg, WS* dw) {          \
        PDL_ENTRY();                                                                             \
        if (FUSED_IS_ROW)                                                                        \
            BWD_DX_TEMPLATE(K)(BWD_ARGS, tpr, (unsigned)row_blocks, FUSED_ROW_INDEX);            \
        else                                                                                     \
            bwd_dw_columns<4>(x, ldx, dy, lddy, rstd_in, M, N, FUSED_COL_INDEX, rg, dw);         \
    }                                                                                            \
    DEFINE_BWD_ONE(K, BWD_BOUND(K))
#endif
DEFINE_BWD_FUSED(1)
DEFINE_BWD_FUSED(2)
#if VEC <= 4
DEFINE_BWD_FUSED(4)
#endif
#if VEC <= 2
DEFINE_BWD_FUSED(8)
#endif
#if VEC <= 1
DEFINE_BWD_FUSED(16)
#endif
// 32 elements a thread in blocks of at most 512 threads, two blocks an SM (64 registers): long rows
// (16-bit N over 8192) at few rows, whose 1,024-thread row blocks run one an SM.
#if VEC * IN_BYTES == 16 && VEC == 8 && ROW_TPR == 0
extern "C" __global__ void __launch_bounds__(512, 2)
    rmsnorm_bwd_fused_npt4_w512(BWD_PARAMS, int tpr, int row_blocks, int rg, WS* dw) {
    PDL_ENTRY();
    if (FUSED_IS_ROW)
        bwd_reg<4, false, false, 0, false, BWD_LEAN_FUSED>(BWD_ARGS, tpr, (unsigned)row_blocks, FUSED_ROW_INDEX);
    else
        bwd_dw_columns<4>(x, ldx, dy, lddy, rstd_in, M, N, FUSED_COL_INDEX, rg, dw);
}
#endif
#endif  // !RECOMPUTE && !BWD_ROWS

// Rows too long for registers: one block per row (grid striding over rows), the dot product's pass
// over the row and the dx pass (from L2), with RECOMPUTE a Σx² pass before them; dw accumulated in
// this block's partial row (read-modify-write; only this block touches it, in row order).
#if ROW_TPR == 0 || BWD_ROWS
extern "C" __global__ void __launch_bounds__(1024) rmsnorm_bwd_loop(BWD_PARAMS)
{
    __shared__ float scratch[128];  // the slots of bwd_reg
    BWD_ENTRY();
    const int nvec = N / VEC;
    float* out = dw_partial + (i64)blockIdx.x * N;
    for (i64 row = blockIdx.x; row < M; row += gridDim.x) {
        const XS* xr = x + row * ldx;
        const XS* gr = dy + row * lddy;
#if RECOMPUTE
        float ss = 0.0f;
        for (int j = threadIdx.x; j < nvec; j += blockDim.x) {
            XPack p = load_x_plain(xr + j * VEC);
#pragma unroll
            for (int v = 0; v < VEC; ++v) { const float f = load_elem<IN_T>(p.e[v]); ss = fmaf(f, f, ss); }
        }
        ss = row_reduce<false>(ss, blockDim.x, scratch + 32);
        float rstd = finish_rstd(ss, N, eps);
        if (isinf(ss) || (TINY_EPS && ss < 0x1p-100f)) {  // uniform across the block
            float m = 0.0f;
            for (int j = threadIdx.x; j < nvec; j += blockDim.x) {
                XPack p = load_x_plain(xr + j * VEC);
#pragma unroll
                for (int v = 0; v < VEC; ++v) m = fmaxf(m, fabsf(load_elem<IN_T>(p.e[v])));
            }
            m = row_reduce<true>(m, blockDim.x, scratch + 64);
            const Pow2Scale sc = pow2_scale(m);
            float s2 = 0.0f;
            for (int j = threadIdx.x; j < nvec; j += blockDim.x) {
                XPack p = load_x_plain(xr + j * VEC);
#pragma unroll
                for (int v = 0; v < VEC; ++v) { const float t = (load_elem<IN_T>(p.e[v]) * sc.f1) * sc.f2; s2 = fmaf(t, t, s2); }
            }
            s2 = row_reduce<false>(s2, blockDim.x, scratch + 96);
            float unused;
            pow2_finish(s2, N, eps, sc, rstd, unused);
        }
#else
        const float rstd = rstd_in[row];
#endif
        float dot = 0.0f;
        for (int j = threadIdx.x; j < nvec; j += blockDim.x) {
            XPack p = load_x_plain(xr + j * VEC), g = load_x_plain(gr + j * VEC);
            WPack q = load_w(w + j * VEC);
#pragma unroll
            for (int v = 0; v < VEC; ++v)
                dot = fmaf(load_elem<IN_T>(p.e[v]) * rstd, (w_offset + load_elem<W_T>(q.e[v])) * load_elem<IN_T>(g.e[v]), dot);
        }
        dot = row_reduce<false>(dot, blockDim.x, scratch);
        const float kk = dot / (float)N;
        const bool first_row = row == (i64)blockIdx.x;
        for (int j = threadIdx.x; j < nvec; j += blockDim.x) {
            XPack p = load_x_plain(xr + j * VEC), g = load_x_plain(gr + j * VEC);
            WPack q = load_w(w + j * VEC);
#if RESID
            XPack d = load_x_plain(dres + row * ldres + j * VEC);
#endif
            float r[VEC], part[VEC];
            if (first_row) {
#pragma unroll
                for (int v = 0; v < VEC; ++v) part[v] = 0.0f;
            } else {
                load_partial(out + j * VEC, part);
            }
#pragma unroll
            for (int v = 0; v < VEC; ++v) {
                const float xh = load_elem<IN_T>(p.e[v]) * rstd, gg = load_elem<IN_T>(g.e[v]);
                r[v] = rstd * ((w_offset + load_elem<W_T>(q.e[v])) * gg - xh * kk);
#if RESID
                r[v] += load_elem<IN_T>(d.e[v]);
#endif
                part[v] = fmaf(gg, xh, part[v]);
            }
            store_partial(out + j * VEC, part);
            store_x(dx + row * lddx + j * VEC, pack_in(r));
        }
        if (row + gridDim.x < M) __syncthreads();  // the reduction slots are reused by the next row
    }
}

// dw[c] = Σ_p partial[p][c] for p = 0 … P−1, rounded once to the weight's type. Block (32, 32):
// threadIdx.x picks the column, threadIdx.y sums every 32nd partial row in order, then the 32
// sums are added in order. The same inputs give the same bits on every run.
extern "C" __global__ void __launch_bounds__(1024) rmsnorm_dw_reduce(const float* partial, int P, int N, WS* dw)
{
    __shared__ float part[32][33];
    PDL_ENTRY();
#if !PDL
    grid_dependency_wait();  // launched as a programmatic dependent of the backward kernel (V54); else at once
#endif
    const int c = blockIdx.x * 32 + threadIdx.x;
    float s = 0.0f;
    if (c < N)
#pragma unroll DW_UNROLL
        for (int p = threadIdx.y; p < P; p += 32) s += partial[(i64)p * N + c];  // in order, unrolled or not
    part[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y == 0 && c < N) {
        float t = 0.0f;
        for (int i = 0; i < 32; ++i) t += part[i][threadIdx.x];
        dw[c] = store_elem<W_T>(t);
    }
}
#endif  // ROW_TPR == 0 || BWD_ROWS

#endif  // KIND == 1
