// Prototype: a row split over blocks of one persistent kernel, slices held in registers, partial sums
// exchanged through global memory (per-row arrival counters that the row's last reader resets), items
// taken from a ticket counter in order (deadlock-free for any residency, since a block holds a ticket
// only while it is not waiting).
typedef long long i64;
typedef unsigned long long u64;
#ifndef BF16
#define BF16 0
#endif
#ifndef NPT
#define NPT 4
#endif
#ifndef BLOCK
#define BLOCK 256
#endif
#ifndef WEARLY
#define WEARLY 1
#endif
#define EPV (BF16 ? 8 : 4)

__device__ __forceinline__ void unpack(const uint4 v, float* f) {
#if BF16
    const unsigned u[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int i = 0; i < 4; ++i) { f[2 * i] = __uint_as_float(u[i] << 16); f[2 * i + 1] = __uint_as_float(u[i] & 0xffff0000u); }
#else
    f[0] = __uint_as_float(v.x); f[1] = __uint_as_float(v.y); f[2] = __uint_as_float(v.z); f[3] = __uint_as_float(v.w);
#endif
}
__device__ __forceinline__ unsigned rne(float f) { unsigned u = __float_as_uint(f); u += 0x7fffu + ((u >> 16) & 1u); return u >> 16; }
__device__ __forceinline__ uint4 pack(const float* f) {
#if BF16
    return make_uint4(rne(f[0]) | (rne(f[1]) << 16), rne(f[2]) | (rne(f[3]) << 16), rne(f[4]) | (rne(f[5]) << 16), rne(f[6]) | (rne(f[7]) << 16));
#else
    return make_uint4(__float_as_uint(f[0]), __float_as_uint(f[1]), __float_as_uint(f[2]), __float_as_uint(f[3]));
#endif
}
__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}
__device__ __forceinline__ unsigned ld_acquire(const unsigned* p) {
    unsigned v; asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(p) : "memory"); return v;
}
__device__ __forceinline__ float ld_relaxed(const float* p) {
    float v; asm volatile("ld.relaxed.gpu.global.f32 %0, [%1];" : "=f"(v) : "l"(p) : "memory"); return v;
}

extern "C" __global__ void __launch_bounds__(BLOCK) proto(const uint4* __restrict__ x, const uint4* __restrict__ w,
    uint4* __restrict__ y, i64 M, int nvec, int S, int per, float eps, int N, unsigned* ws, float* part) {
    __shared__ float red[BLOCK / 32];
    __shared__ float tot;
    __shared__ unsigned tk[2];
    const u64 items = (u64)M * (u64)S;
    unsigned* ticket = ws;
    unsigned* exited = ws + 1;
    unsigned* ctr = ws + 2;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (threadIdx.x == 0) tk[0] = atomicAdd(ticket, 1u);
    __syncthreads();
    unsigned it = tk[0];
    int par = 0;
    while (it < items) {
        const i64 row = it / (unsigned)S;
        const int s = (int)(it - (unsigned)row * (unsigned)S);
        const int lo = s * per, hi = min(nvec, lo + per);
        const uint4* xr = x + row * nvec;
        uint4 v[NPT];
#pragma unroll
        for (int k = 0; k < NPT; ++k) {
            const int j = lo + threadIdx.x + k * BLOCK;
            v[k] = j < hi ? xr[j] : make_uint4(0, 0, 0, 0);
        }
        float ss = 0.0f;
#pragma unroll
        for (int k = 0; k < NPT; ++k) {
            float f[EPV]; unpack(v[k], f);
#pragma unroll
            for (int e = 0; e < EPV; ++e) ss = fmaf(f[e], f[e], ss);
        }
        ss = warp_sum(ss);
        if (lane == 0) red[warp] = ss;
        __syncthreads();
        if (warp == 0) {
            float t = lane < BLOCK / 32 ? red[lane] : 0.0f;
            t = warp_sum(t);
            if (lane == 0) {
                part[row * S + s] = t;
                __threadfence();
                atomicAdd(&ctr[2 * row], 1u);
            }
        }
#if WEARLY
        uint4 q[NPT];
#pragma unroll
        for (int k = 0; k < NPT; ++k) {
            const int j = lo + threadIdx.x + k * BLOCK;
            q[k] = j < hi ? w[j] : make_uint4(0, 0, 0, 0);
        }
#endif
        if (warp == 0) {
            if (lane == 0) { while (ld_acquire(&ctr[2 * row]) < (unsigned)S) { } }
            __syncwarp();
            float a = 0.0f;
            for (int j = lane; j < S; j += 32) a += ld_relaxed(part + row * S + j);
            a = warp_sum(a);
            if (lane == 0) {
                tot = a;
                if (atomicAdd(&ctr[2 * row + 1], 1u) == (unsigned)S - 1) { ctr[2 * row] = 0; ctr[2 * row + 1] = 0; }
                tk[par ^ 1] = atomicAdd(ticket, 1u);
            }
        }
        __syncthreads();
        const float rstd = rsqrtf(tot / (float)N + eps);
        uint4* yr = y + row * nvec;
#pragma unroll
        for (int k = 0; k < NPT; ++k) {
            const int j = lo + threadIdx.x + k * BLOCK;
            if (j < hi) {
#if WEARLY
                const uint4 qq = q[k];
#else
                const uint4 qq = w[j];
#endif
                float f[EPV], g[EPV], r[EPV];
                unpack(v[k], f); unpack(qq, g);
#pragma unroll
                for (int e = 0; e < EPV; ++e) r[e] = f[e] * rstd * g[e];
                yr[j] = pack(r);
            }
        }
        it = tk[par ^ 1];
        par ^= 1;
    }
    if (threadIdx.x == 0) {
        __threadfence();
        if (atomicAdd(exited, 1u) == gridDim.x - 1) { *ticket = 0; *exited = 0; }
    }
}
