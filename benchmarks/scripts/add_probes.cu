// Probe kernels for the fused-add study (benchmarks/NOTES.md, V26): h = x + r (bf16, rounded
// once), y = rms_norm(h) * w, one row of N = THREADS * NV * 8 per block, THREADS threads with NV
// 16-byte vectors each. The layout and order of the Triton kernel in add_harness.py: every load of
// x and r first (interleaved), h stored, the block reduction, the weight loaded, y stored.
//   FENCE  1: a branch the scheduler does not move loads across, after the loads of x and r
//   LATE   1: h stored beside y after the reduction, not before it (session 8)
//   RELOAD 1: x and r read again after the reduction (L2 hits), as torch.compile's looped reduction
//             does, instead of kept in registers; h and y stored then (session 8)
typedef unsigned short bf16_t;
__device__ __forceinline__ float bf(unsigned v) { return __uint_as_float(v << 16); }
__device__ __forceinline__ float bfh(unsigned v) { return __uint_as_float(v & 0xffff0000u); }
__device__ __forceinline__ unsigned pack2(float a, float b) {
    unsigned r;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(b), "f"(a));
    return r;
}

__device__ __forceinline__ uint4 ld_again(const bf16_t* p) {
    uint4 v;
    asm volatile("ld.global.v4.u32 {%0, %1, %2, %3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    return v;
}

template <int THREADS, int NV, bool FENCE, bool LATE = false, bool RELOAD = false>
__device__ __forceinline__ void probe_add(const bf16_t* __restrict__ x, const bf16_t* __restrict__ r,
                                          const bf16_t* __restrict__ w, bf16_t* __restrict__ h,
                                          bf16_t* __restrict__ y, long long ld, int n, float eps) {
    const int t = threadIdx.x;
    const long long off = (long long)blockIdx.x * ld;
    uint4 xv[NV], rv[NV];
#pragma unroll
    for (int i = 0; i < NV; ++i) {
        xv[i] = *reinterpret_cast<const uint4*>(x + off + (i * THREADS + t) * 8);
        rv[i] = *reinterpret_cast<const uint4*>(r + off + (i * THREADS + t) * 8);
    }
    if (FENCE && n < 0) asm volatile("trap;");
    float ss = 0.f;
#pragma unroll
    for (int i = 0; i < NV; ++i) {
        const unsigned* a = reinterpret_cast<const unsigned*>(&xv[i]);
        const unsigned* b = reinterpret_cast<const unsigned*>(&rv[i]);
        unsigned* o = reinterpret_cast<unsigned*>(&xv[i]);
#pragma unroll
        for (int k = 0; k < 4; ++k) {
            o[k] = pack2(bf(a[k]) + bf(b[k]), bfh(a[k]) + bfh(b[k]));
            const float lo = bf(o[k]), hi = bfh(o[k]);
            ss = fmaf(lo, lo, ss);
            ss = fmaf(hi, hi, ss);
        }
        if (!LATE && !RELOAD) *reinterpret_cast<uint4*>(h + off + (i * THREADS + t) * 8) = xv[i];
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) ss += __shfl_xor_sync(0xffffffffu, ss, o);
    __shared__ float part[THREADS / 32];
    if ((t & 31) == 0) part[t >> 5] = ss;
    __syncthreads();
    float tot = 0.f;
#pragma unroll
    for (int i = 0; i < THREADS / 32; ++i) tot += part[i];
    const float rs = rsqrtf(tot / (float)n + eps);
#pragma unroll
    for (int i = 0; i < NV; ++i) {
        if (RELOAD) {
            const uint4 a4 = ld_again(x + off + (i * THREADS + t) * 8), b4 = ld_again(r + off + (i * THREADS + t) * 8);
            const unsigned* a = reinterpret_cast<const unsigned*>(&a4);
            const unsigned* b = reinterpret_cast<const unsigned*>(&b4);
            unsigned* o = reinterpret_cast<unsigned*>(&xv[i]);
#pragma unroll
            for (int k = 0; k < 4; ++k) o[k] = pack2(bf(a[k]) + bf(b[k]), bfh(a[k]) + bfh(b[k]));
        }
        if (LATE || RELOAD) *reinterpret_cast<uint4*>(h + off + (i * THREADS + t) * 8) = xv[i];
        const uint4 wq = *reinterpret_cast<const uint4*>(w + (i * THREADS + t) * 8);
        const unsigned* u = reinterpret_cast<const unsigned*>(&xv[i]);
        const unsigned* q = reinterpret_cast<const unsigned*>(&wq);
        uint4 o;
        unsigned* ov = reinterpret_cast<unsigned*>(&o);
#pragma unroll
        for (int k = 0; k < 4; ++k) ov[k] = pack2(bf(u[k]) * rs * bf(q[k]), bfh(u[k]) * rs * bfh(q[k]));
        *reinterpret_cast<uint4*>(y + off + (i * THREADS + t) * 8) = o;
    }
}

#define PROBE_ADD(T, NV, FENCE, NAME, ...)                                                          \
    extern "C" __global__ void __launch_bounds__(T) NAME(const bf16_t* x, const bf16_t* r, const bf16_t* w, \
                                                         bf16_t* h, bf16_t* y, long long ld, int n, float eps) { \
        probe_add<T, NV, FENCE, ##__VA_ARGS__>(x, r, w, h, y, ld, n, eps);                          \
    }
PROBE_ADD(128, 4, false, probe_add_128x4)
PROBE_ADD(128, 4, true, probe_add_128x4_fence)
PROBE_ADD(256, 2, false, probe_add_256x2)
PROBE_ADD(512, 1, false, probe_add_512x1)
PROBE_ADD(256, 2, false, probe_add_256x2_late, true, false)
PROBE_ADD(256, 2, false, probe_add_256x2_reload, false, true)
PROBE_ADD(512, 1, false, probe_add_512x1_late, true, false)
PROBE_ADD(512, 1, false, probe_add_512x1_reload, false, true)
PROBE_ADD(128, 4, false, probe_add_128x4_reload, false, true)
