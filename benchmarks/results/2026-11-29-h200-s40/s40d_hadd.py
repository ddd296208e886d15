# s40d: is one packed 16-bit add (add.rn.bf16x2 / add.rn.f16x2, what the fused add's kernels use since HADD_PACKED)
# bit-identical to widening both operands to fp32, adding and rounding once to nearest even (what they did before, and
# what the reference does)? Every pair of 16-bit values (2^32 pairs a type) on the GPU. NaN against NaN counts as equal
# (payloads may differ); a control that rounds the fp32 sum toward zero must mismatch.
import torch, triton, triton.language as tl

BF16_ASM = """{
.reg .b32 xl, xh, yl, yh, s0, s1;
add.rn.bf16x2 $0, $2, $3;
shl.b32 xl, $2, 16; and.b32 xh, $2, 0xffff0000;
shl.b32 yl, $3, 16; and.b32 yh, $3, 0xffff0000;
add.rn.f32 s0, xl, yl; add.rn.f32 s1, xh, yh;
cvt.MODE.bf16x2.f32 $1, s1, s0;
}"""
F16_ASM = """{
.reg .b16 xl, xh, yl, yh;
.reg .f32 a0, a1, b0, b1, s0, s1;
add.rn.f16x2 $0, $2, $3;
mov.b32 {xl, xh}, $2; mov.b32 {yl, yh}, $3;
cvt.f32.f16 a0, xl; cvt.f32.f16 a1, xh; cvt.f32.f16 b0, yl; cvt.f32.f16 b1, yh;
add.rn.f32 s0, a0, b0; add.rn.f32 s1, a1, b1;
cvt.MODE.f16x2.f32 $1, s1, s0;
}"""


@triton.jit
def check(count_ptr, nan_ptr, first_ptr, ASM: tl.constexpr, NANMAX: tl.constexpr, BLOCK: tl.constexpr):
    a = tl.program_id(0).to(tl.uint32)
    b = (tl.program_id(1) * BLOCK + tl.arange(0, BLOCK)).to(tl.uint32)
    pa = a | (a << 16)
    pb = b | ((b ^ 0x8000) << 16)
    got, ref = tl.inline_asm_elementwise(asm=ASM, constraints="=r,=r,r,r", args=[pa, pb],
                                         dtype=(tl.uint32, tl.uint32), is_pure=True, pack=1)
    bad = tl.zeros([BLOCK], dtype=tl.int32)
    nans = tl.zeros([BLOCK], dtype=tl.int32)
    for half in tl.static_range(2):
        g = (got >> (16 * half)) & 0xFFFF
        r = (ref >> (16 * half)) & 0xFFFF
        gn = (g & 0x7FFF) > NANMAX
        rn = (r & 0x7FFF) > NANMAX
        bad += ((g != r) & ((gn & rn) == 0)).to(tl.int32)
        nans += ((g != r) & gn & rn).to(tl.int32)
    tl.atomic_add(count_ptr, tl.sum(bad, axis=0).to(tl.int64))
    tl.atomic_add(nan_ptr, tl.sum(nans, axis=0).to(tl.int64))
    key = tl.where(bad > 0, (a.to(tl.int64) << 16) | b.to(tl.int64), 1 << 40)
    tl.atomic_min(first_ptr, tl.min(key, axis=0))


for name, asm_t, nanmax in (("bf16", BF16_ASM, 0x7F80), ("fp16", F16_ASM, 0x7C00)):
    for mode in ("rn", "rz"):
        count = torch.zeros(1, dtype=torch.int64, device="cuda")
        nan = torch.zeros(1, dtype=torch.int64, device="cuda")
        first = torch.full((1,), 1 << 40, dtype=torch.int64, device="cuda")
        check[(65536, 16)](count, nan, first, ASM=asm_t.replace("MODE", mode), NANMAX=nanmax, BLOCK=4096)
        torch.cuda.synchronize()
        f = first.item()
        where = "none" if f == 1 << 40 else f"a=0x{f >> 16:04x} b=0x{f & 0xFFFF:04x}"
        role = "packed add against the fp32 sum rounded to nearest even" if mode == "rn" else "control (rounded toward zero)"
        print(f"{name} {role}: {2 * 65536 * 65536} lanes, {count.item()} mismatches (first {where}), "
              f"{nan.item()} NaN pairs with other payloads", flush=True)
