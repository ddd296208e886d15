#!/usr/bin/env bash
# CPU variants, the library's CPU code before (HEAD b53ce32's CPUVariants.swift: generic, element at a time) and after
# (prespecialised, 8 lanes), both with this session's CPU bench (which times the variant), alternated twice.
S=1024x4096:bf16,1024x4096:fp16,1024x4096:fp32,16x4096:bf16,199x769:fp16
for r in 1 2; do
  for v in add gemma llama fp8 add-fp8 backward; do
    for b in before after; do
      /tmp/bench-$b run --cpu --variant $v --shapes $S --no-peers --output /tmp/cpuvar/$v-$b-$r > /tmp/cpuvar/$v-$b-$r.txt 2>&1
    done
  done
done
echo finished
