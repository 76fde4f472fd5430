#!/usr/bin/env python3
"""PyTorch reference for `npm run bench` (issues 3 and 10).

Trains and runs the SAME tiny GPT as src/transformer.ts on the CPU: token + learned position
embeddings, pre-LayerNorm blocks with one fused q|k|v projection, causal softmax attention written
out (q k^T / sqrt(hs), masked, softmax, @ v), a GELU (tanh approximation) MLP of width 4 dModel, a
final LayerNorm and an untied bias-free LM head; mean cross-entropy; AdamW (betas 0.9/0.99, eps 1e-8,
weight decay on matrices only) with global-norm gradient clipping at 1.0, as src/train.ts does.

Prints one JSON object on stdout: {"torch": {version, threads...}, "results": [{backend, case, metric,
value, unit}], "timings": [{backend, case, steps, wallMsPerStep, cpuMsPerStep}]}. Skips (exit code 3, message on stderr) when torch is not installed.

Usage: /usr/bin/python3 scripts/bench_torch.py [--seconds 3] [--threads 1,2] [--cases gptA-train,...]
"""
import argparse
import json
import math
import os
import resource
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:  # pragma: no cover - depends on the machine
    print(f"bench_torch: PyTorch not available ({e}); skipping the reference", file=sys.stderr)
    sys.exit(3)

SIZES = {
    "A": dict(vocab=64, seq_len=64, d_model=64, n_head=4, n_layer=2),
    "B": dict(vocab=64, seq_len=64, d_model=128, n_head=4, n_layer=4),
    # C: big enough for a GPU to matter (scripts/bench.ts runs it on GPU backends only by default).
    "C": dict(vocab=256, seq_len=256, d_model=512, n_head=8, n_layer=8),
}
BATCHES = {"A": 32, "B": 32, "C": 64}
DEVICE = "cpu"


class Block(nn.Module):
    def __init__(self, d, n_head):
        super().__init__()
        self.n_head = n_head
        self.ln1 = nn.LayerNorm(d, eps=1e-5)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d, eps=1e-5)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)
        self.gelu = nn.GELU(approximate="tanh")

    def forward(self, x, mask):
        B, T, C = x.shape
        hs = C // self.n_head
        q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)  # 3 x [B, T, C]
        q = q.view(B, T, self.n_head, hs).transpose(1, 2)  # [B, nH, T, hs]
        k = k.view(B, T, self.n_head, hs).transpose(1, 2)
        v = v.view(B, T, self.n_head, hs).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))  # [B, nH, T, T]
        scores = scores.masked_fill(mask[:T, :T] == 0, float("-inf"))
        att = F.softmax(scores, dim=-1) @ v  # [B, nH, T, hs]
        x = x + self.proj(att.transpose(1, 2).contiguous().view(B, T, C))
        x = x + self.fc2(self.gelu(self.fc1(self.ln2(x))))
        return x


class GPT(nn.Module):
    def __init__(self, vocab, seq_len, d_model, n_head, n_layer):
        super().__init__()
        self.wte = nn.Embedding(vocab, d_model)
        self.wpe = nn.Embedding(seq_len, d_model)
        self.blocks = nn.ModuleList([Block(d_model, n_head) for _ in range(n_layer)])
        self.lnf = nn.LayerNorm(d_model, eps=1e-5)
        self.head = nn.Linear(d_model, vocab, bias=False)
        self.register_buffer("mask", torch.tril(torch.ones(seq_len, seq_len)))
        for p in self.parameters():
            if p.dim() >= 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, idx):
        T = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(T, device=idx.device))
        for b in self.blocks:
            x = b(x, self.mask)
        return self.head(self.lnf(x))


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


TIMINGS = []


def timed(fn, seconds, min_steps=2, label=None):
    """Mean wall seconds per call after one warm-up call; also records wall and CPU ms per call."""
    fn()  # warm-up
    steps, t0, c0 = 0, time.perf_counter(), time.process_time()
    while steps < min_steps or time.perf_counter() - t0 < seconds:
        fn()
        steps += 1
    wall = (time.perf_counter() - t0) / steps
    if label is not None:
        TIMINGS.append(dict(backend=label[0], case=label[1], steps=steps, wallMsPerStep=wall * 1000,
                            cpuMsPerStep=(time.process_time() - c0) / steps * 1000))
    return wall


def bench_gpt(size, seconds, threads):
    cfg = SIZES[size]
    BATCH = BATCHES[size]
    torch.manual_seed(1)
    model = GPT(**cfg).to(DEVICE)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=3e-3, betas=(0.9, 0.99), eps=1e-8,
    )
    gen = torch.Generator().manual_seed(5)
    T, V = cfg["seq_len"], cfg["vocab"]

    def batch():
        # Drawn on the CPU and uploaded each step, as the tfjs bench does.
        seq = torch.randint(0, V, (BATCH, T + 1), generator=gen).to(DEVICE)
        return seq[:, :-1], seq[:, 1:]

    def train_step():
        x, y = batch()
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    x_inf, _ = batch()

    def infer_step():
        with torch.no_grad():
            model(x_inf).sum().item()

    tag = "torch-cuda" if DEVICE == "cuda" else f"torch-{threads}t"
    train_s = timed(train_step, seconds, label=(tag, f"gpt{size}-train"))
    infer_s = timed(infer_step, seconds, label=(tag, f"gpt{size}-infer"))
    rss = peak_rss_mib()
    return [
        dict(backend=tag, case=f"gpt{size}-train", metric="tokensPerSec", value=BATCH * T / train_s, unit="tokens/s"),
        dict(backend=tag, case=f"gpt{size}-train", metric="peakRssMiB", value=rss, unit="MiB"),
        dict(backend=tag, case=f"gpt{size}-infer", metric="tokensPerSec", value=BATCH * T / infer_s, unit="tokens/s"),
        dict(backend=tag, case=f"gpt{size}-infer", metric="peakRssMiB", value=rss, unit="MiB"),
    ]


def bench_matmul(n, seconds, threads):
    a = torch.randn(n, n, device=DEVICE)
    b = torch.randn(n, n, device=DEVICE)
    tag = "torch-cuda" if DEVICE == "cuda" else f"torch-{threads}t"
    s = timed(lambda: (a @ b)[0, 0].item(), seconds, min_steps=5, label=(tag, f"matmul{n}"))
    return [dict(backend=tag, case=f"matmul{n}", metric="gflops", value=2 * n**3 / s / 1e9, unit="GFLOP/s")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0, help="timed seconds per case (after one warm-up step)")
    ap.add_argument("--threads", default=None, help="comma-separated thread counts (default: 1 and the CPU count)")
    ap.add_argument("--cases", default="matmul512,gptA-train,gptA-infer,gptB-train,gptB-infer")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                    help="cuda: eager PyTorch on the GPU, float32 (TF32 off, PyTorch's default for matmul)")
    args = ap.parse_args()
    global DEVICE
    DEVICE = args.device
    if DEVICE == "cuda" and not torch.cuda.is_available():
        print("bench_torch: --device cuda but torch.cuda.is_available() is False", file=sys.stderr)
        sys.exit(4)
    cpus = os.cpu_count() or 1
    default_threads = torch.get_num_threads()
    threads = [int(t) for t in args.threads.split(",")] if args.threads else sorted({1, cpus})
    if DEVICE == "cuda":
        threads = [default_threads]
    cases = set(args.cases.split(","))
    results = []
    for n in threads:
        torch.set_num_threads(n)
        for mm in (512, 2048):
            if f"matmul{mm}" in cases:
                results += bench_matmul(mm, args.seconds, n)
        for size in ("A", "B", "C"):
            if f"gpt{size}-train" in cases or f"gpt{size}-infer" in cases:
                rows = bench_gpt(size, args.seconds, n)
                results += [r for r in rows if r["case"] in cases]
    info = dict(version=torch.__version__, threads=threads, defaultThreads=default_threads, cpus=cpus, device=DEVICE)
    if DEVICE == "cuda":
        info["gpu"] = torch.cuda.get_device_name(0)
        info["cuda"] = torch.version.cuda
        info["tf32"] = torch.backends.cuda.matmul.allow_tf32
    print(json.dumps(dict(torch=info, results=results, timings=TIMINGS)))


if __name__ == "__main__":
    main()
