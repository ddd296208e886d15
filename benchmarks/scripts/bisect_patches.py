"""Source edits of rmsnorm.cu for one experiment (benchmarks/NOTES.md, V22): each removes one
difference between the register row kernel and the minimal probe kernels (probes.cu), to find
what costs ours ~0.3 µs at M <= 256. Experiments only: several of them are not correct in general
(no overflow rescue; tpr fixed at 256, valid for bf16 N = 4096 with 2 vectors a thread)."""

FWD_REG = "__device__ __forceinline__ void fwd_reg(FWD_PARAMS, int tpr)\n{"
PATCHES = {
    "norescue": [("if (any_in_block(rescale, tpr)) {", "if (false && any_in_block(rescale, tpr)) {")],
    "fastdiv": [("return rsqrtf(ss / (float)n + eps);", "return rsqrtf(__fdividef(ss, (float)n) + eps);")],
    "tpr256": [(FWD_REG, FWD_REG + "\n    tpr = 256;")],
    "nowoff": [("norm_value(xf * xscale, rs, weight_value(load_elem<W_T>(wq[WREG ? i : 0].e[v]), w_offset))",
                "norm_value(xf, rs, load_elem<W_T>(wq[WREG ? i : 0].e[v]))")],
}
PATCHES["all"] = [p for k in ("norescue", "fastdiv", "tpr256", "nowoff") for p in PATCHES[k]]


def patched(source, names):
    for name in names:
        for old, new in PATCHES[name]:
            if old not in source:
                raise SystemExit(f"patch {name}: text not found: {old[:60]}")
            source = source.replace(old, new)
    return source
