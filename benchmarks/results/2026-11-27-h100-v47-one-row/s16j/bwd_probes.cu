// Probe kernels for one row's backward (benchmarks/NOTES.md, V47): dx and dw of one bf16 row (M = 1) in one
// block of TPR threads, NPT 16-byte vectors a thread, everything but the row's length fixed at compile time.
// bwd_harness.py compiles them on the device (NVRTC) and times them beside ours and torch.compile's kernel.
//   RED      0: the block's warp sums added one after another from shared memory (as row_reduce does);
//            1: read by one lane each and added with warp shuffles
//   WRELOAD  1: the weight loaded again after the reduction (as ours, from L1); 0: kept in registers
//   RELOAD   1: x, dy and the weight all loaded again after the reduction (as torch.compile's two-loop kernel)
//   POL      1: the first loads with an L2 evict_last policy (as torch.compile's first loop)
//   NFIX     > 0: the row's length as a compile-time constant (as torch.compile's kernel); 0: the argument
//   SMID     1: after its stores, thread 0 appends the SM it ran on to smid_log (count first, then the ids)
#ifndef RELOAD
#define RELOAD 0
#endif
#ifndef POL
#define POL 0
#endif
#ifndef NFIX
#define NFIX 0
#endif
#ifndef SMID
#define SMID 0
#endif
typedef unsigned short bf16_t;
__device__ __forceinline__ float lo(unsigned v) { return __uint_as_float(v << 16); }
__device__ __forceinline__ float hi(unsigned v) { return __uint_as_float(v & 0xffff0000u); }
__device__ __forceinline__ unsigned pack2(float a, float b) {
    unsigned r;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(b), "f"(a));
    return r;
}
__device__ __forceinline__ uint4 ld16(const bf16_t* p, bool pred) {
    uint4 v;
#if POL
    asm volatile("{ .reg .pred q; .reg .b64 pol; setp.ne.b32 q, %5, 0;\n\t"
                 "createpolicy.fractional.L2::evict_last.b64 pol, 1.0;\n\t"
                 "mov.b32 %0, 0; mov.b32 %1, 0; mov.b32 %2, 0; mov.b32 %3, 0;\n\t"
                 "@q ld.global.L2::cache_hint.v4.u32 {%0, %1, %2, %3}, [%4], pol; }"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p), "r"((int)pred));
#else
    asm volatile("{ .reg .pred q; setp.ne.b32 q, %5, 0;\n\t"
                 "mov.b32 %0, 0; mov.b32 %1, 0; mov.b32 %2, 0; mov.b32 %3, 0;\n\t"
                 "@q ld.global.v4.u32 {%0, %1, %2, %3}, [%4]; }"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p), "r"((int)pred));
#endif
    return v;
}

extern "C" __global__ void __launch_bounds__(TPR) probe_bwd_one(const bf16_t* x, const bf16_t* w, const bf16_t* dy,
                                                                 const float* rstd_in, bf16_t* dx, bf16_t* dw, int n,
                                                                 float inv_n, unsigned* smid_log) {
#if NFIX > 0
    n = NFIX;
    inv_n = 1.0f / NFIX;
#endif
    __shared__ float slots[32];
    const int t = threadIdx.x;
    const float rstd = rstd_in[0];
    uint4 xv[NPT], gv[NPT], wv[NPT];
#pragma unroll
    for (int i = 0; i < NPT; ++i) {
        const int col = (i * TPR + t) * 8;
        xv[i] = ld16(x + col, col < n);
        gv[i] = ld16(dy + col, col < n);
        wv[i] = ld16(w + col, col < n);
    }
    float dot = 0.0f;
#pragma unroll
    for (int i = 0; i < NPT; ++i) {
        const unsigned* xu = reinterpret_cast<const unsigned*>(&xv[i]);
        const unsigned* gu = reinterpret_cast<const unsigned*>(&gv[i]);
        const unsigned* wu = reinterpret_cast<const unsigned*>(&wv[i]);
#pragma unroll
        for (int k = 0; k < 4; ++k) {
            dot = fmaf(lo(xu[k]) * rstd, lo(wu[k]) * lo(gu[k]), dot);
            dot = fmaf(hi(xu[k]) * rstd, hi(wu[k]) * hi(gu[k]), dot);
        }
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) dot += __shfl_xor_sync(0xffffffffu, dot, o);
    if ((t & 31) == 0) slots[t >> 5] = dot;
    __syncthreads();
    constexpr int NW = TPR / 32;
#if RED
    float s = (t & 31) < NW ? slots[t & 31] : 0.0f;
#pragma unroll
    for (int o = NW / 2; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
#else
    float s = 0.0f;
#pragma unroll
    for (int i = 0; i < NW; ++i) s += slots[i];
#endif
    const float kk = s * inv_n;
#pragma unroll
    for (int i = 0; i < NPT; ++i) {
        const int col = (i * TPR + t) * 8;
        if (col < n) {
#if WRELOAD || RELOAD
            wv[i] = *reinterpret_cast<const uint4*>(w + col);
#endif
#if RELOAD
            xv[i] = *reinterpret_cast<const uint4*>(x + col);
            gv[i] = *reinterpret_cast<const uint4*>(dy + col);
#endif
            const unsigned* xu = reinterpret_cast<const unsigned*>(&xv[i]);
            const unsigned* gu = reinterpret_cast<const unsigned*>(&gv[i]);
            const unsigned* wu = reinterpret_cast<const unsigned*>(&wv[i]);
            uint4 a, b;
            unsigned* au = reinterpret_cast<unsigned*>(&a);
            unsigned* bu = reinterpret_cast<unsigned*>(&b);
#pragma unroll
            for (int k = 0; k < 4; ++k) {
                const float x0 = lo(xu[k]) * rstd, x1 = hi(xu[k]) * rstd;
                const float g0 = lo(gu[k]), g1 = hi(gu[k]);
                au[k] = pack2(rstd * (lo(wu[k]) * g0 - x0 * kk), rstd * (hi(wu[k]) * g1 - x1 * kk));
                bu[k] = pack2(g0 * x0, g1 * x1);
            }
            *reinterpret_cast<uint4*>(dx + col) = a;
            *reinterpret_cast<uint4*>(dw + col) = b;
        }
    }
#if SMID
    if (t == 0) {
        unsigned sm;
        asm volatile("mov.u32 %0, %%smid;" : "=r"(sm));
        smid_log[1 + (atomicAdd(smid_log, 1u) & 4095u)] = sm;
    }
#endif
}
