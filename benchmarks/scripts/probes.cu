// Probe kernels for the small-M study (benchmarks/NOTES.md, V22): one bf16 row of N = 4096 per
// block of 128 threads, 4 x 16-byte vectors a thread, the layout of the Triton peer's kernel. Each
// probe changes one thing; same_harness.py times them beside Triton's kernel and ours.
//   W_EARLY  1: weight loaded before x; 2: right after x; 0: once x has arrived (as the Triton
//            kernel orders it; the scheduler sinks the loads there)
//   W_NC     1: weight through the read-only path (ld.global.nc); 0: a plain load
//   FAST_DIV 1: ss / n with the approximate division; 0: IEEE division
//   RED      0: 4 partials read in a loop from shared memory; 1: one float4 read
typedef unsigned short bf16_t;
typedef unsigned long long u64;
__device__ __forceinline__ float bf(unsigned v) { return __uint_as_float(v << 16); }
__device__ __forceinline__ float bfh(unsigned v) { return __uint_as_float(v & 0xffff0000u); }
__device__ __forceinline__ unsigned pack2(float a, float b) {
    unsigned r;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(b), "f"(a));
    return r;
}
// Loads in asm volatile, so the compiler keeps them in the order written.
__device__ __forceinline__ uint4 ldx(const bf16_t* p) {
    uint4 v;
    asm volatile("ld.global.v4.u32 {%0,%1,%2,%3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    return v;
}
__device__ __forceinline__ uint4 ldw(const bf16_t* p) {
    uint4 v;
#if W_NC
    asm volatile("ld.global.nc.v4.u32 {%0,%1,%2,%3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
#else
    asm volatile("ld.global.v4.u32 {%0,%1,%2,%3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
#endif
    return v;
}

#define PROBE(NAME, W_EARLY, FAST_DIV, RED)                                          \
extern "C" __global__ void __launch_bounds__(128) NAME(const bf16_t* __restrict__ x, const bf16_t* __restrict__ w, \
                                                       bf16_t* __restrict__ y, long long ld, int n, float eps) { \
    const int t = threadIdx.x;                                                                    \
    const bf16_t* xr = x + (long long)blockIdx.x * ld;                                            \
    uint4 xv[4], wv[4];                                                                           \
    if (W_EARLY == 1) {                                                                           \
        _Pragma("unroll") for (int i = 0; i < 4; ++i) wv[i] = ldw(w + (i * 128 + t) * 8);         \
        if (n < 0) asm volatile("trap;"); /* a block boundary the scheduler does not sink loads past */ \
    }                                                                                             \
    _Pragma("unroll") for (int i = 0; i < 4; ++i) xv[i] = ldx(xr + (i * 128 + t) * 8);          \
    if (W_EARLY == 2) {                                                                           \
        _Pragma("unroll") for (int i = 0; i < 4; ++i) wv[i] = ldw(w + (i * 128 + t) * 8);         \
        if (n < 0) asm volatile("trap;");                                                         \
    }                                                                                             \
    float ss = 0.f;                                                                               \
    _Pragma("unroll") for (int i = 0; i < 4; ++i) {                                               \
        const unsigned* u = reinterpret_cast<const unsigned*>(&xv[i]);                            \
        _Pragma("unroll") for (int k = 0; k < 4; ++k) {                                           \
            float a = bf(u[k]), b = bfh(u[k]);                                                    \
            ss = fmaf(a, a, ss); ss = fmaf(b, b, ss);                                             \
        }                                                                                         \
    }                                                                                             \
    _Pragma("unroll") for (int o = 16; o > 0; o >>= 1) ss += __shfl_xor_sync(0xffffffffu, ss, o); \
    if (W_EARLY == 0) {                                                                               \
        _Pragma("unroll") for (int i = 0; i < 4; ++i) wv[i] = ldw(w + (i * 128 + t) * 8);         \
    }                                                                                             \
    __shared__ __align__(16) float part[4];                                                       \
    if ((t & 31) == 0) part[t >> 5] = ss;                                                         \
    __syncthreads();                                                                              \
    float tot;                                                                                    \
    if (RED) { float4 p = *reinterpret_cast<const float4*>(part); tot = (p.x + p.y) + (p.z + p.w); } \
    else { tot = 0.f; for (int i = 0; i < 4; ++i) tot += part[i]; }                               \
    const float mean = FAST_DIV ? __fdividef(tot, (float)n) : tot / (float)n;                     \
    const float r = rsqrtf(mean + eps);                                                           \
    bf16_t* yr = y + (long long)blockIdx.x * ld;                                                  \
    _Pragma("unroll") for (int i = 0; i < 4; ++i) {                                               \
        const unsigned* u = reinterpret_cast<const unsigned*>(&xv[i]);                            \
        const unsigned* q = reinterpret_cast<const unsigned*>(&wv[i]);                            \
        uint4 o;                                                                                  \
        unsigned* ov = reinterpret_cast<unsigned*>(&o);                                           \
        _Pragma("unroll") for (int k = 0; k < 4; ++k)                                             \
            ov[k] = pack2(bf(u[k]) * r * bf(q[k]), bfh(u[k]) * r * bfh(q[k]));                    \
        *reinterpret_cast<uint4*>(yr + (i * 128 + t) * 8) = o;                                    \
    }                                                                                             \
}

PROBE(probe_late, 0, 1, 1)
PROBE(probe_early, 1, 1, 1)
PROBE(probe_after_x, 2, 1, 1)
PROBE(probe_after_x_ieee_loop, 2, 0, 0)
