"""Merges OUTDIR/harness.csv and OUTDIR/torch.csv (when present) into OUTDIR/summary.md: per
width, k/n and batch, the median times (ms) of a layer's three products and the ratios the
targets name. usage: python3 summarize.py OUTDIR"""
import csv
import os
import sys
from collections import defaultdict


def load(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def main():
    out = sys.argv[1]
    rows = load(os.path.join(out, "harness.csv")) + load(os.path.join(out, "torch.csv"))
    t = defaultdict(dict)  # (width, batch, kn) or (width, batch) -> {(backend, product): ms}
    for r in rows:
        ms = float(r["median_ms"])
        if ms <= 0:
            continue
        kn = float(r["kn"])
        key = (int(r["width"]), int(r["batch"]), kn)
        t[key][(r["backend"], r["product"])] = ms

    def total(d, backend):
        v = [d.get((backend, p)) for p in ("fwd", "bwd_data", "dw")]
        return sum(v) if all(x is not None for x in v) else None

    def fmt(x):
        return "—" if x is None else f"{x:.3f}"

    def ratio(a, b):
        return "—" if a is None or b is None else f"{a / b:.2f}"

    lines = [
        "| width | k/n | batch | block-sparse fwd+bwd+dW | dense same width | dense 512 | masked | "
        "BS / dense-512 | masked / BS | BS / dense | cuSPARSE BSR fwd / BS fwd | torch masked fwd+bwd | torch BSR fwd |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    widths = sorted({k[0] for k in t})
    for w in widths:
        for kn in sorted({k[2] for k in t if k[0] == w and k[2] > 0}):
            for b in sorted({k[1] for k in t if k[0] == w}):
                d = t.get((w, b, kn), {})
                dense = total(t.get((w, b, 0.0), {}), "cublas_dense")
                masked = total(t.get((w, b, 0.0), {}), "cublas_masked")
                d512 = total(t.get((512, b, 0.0), {}), "cublas_dense_512")
                bs = total(d, "blocksparse")
                bsr = d.get(("cusparse_bsr", "fwd"))
                lines.append(
                    f"| {w} | {kn:g} | {b} | {fmt(bs)} | {fmt(dense)} | {fmt(d512)} | {fmt(masked)} | "
                    f"{ratio(bs, d512)} | {ratio(masked, bs)} | {ratio(bs, dense)} | "
                    f"{ratio(bsr, d.get(('blocksparse', 'fwd')))} | "
                    f"{fmt(d.get(('torch_masked', 'fwd_bwd')))} | {fmt(d.get(('torch_bsr', 'fwd')))} |")
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write("Median ms over 50 runs (CUDA events), FP32. BS = block-sparse (relgraph kernels); "
                "dense and masked are cuBLAS SGEMM (masked adds W ⊙ M); dense 512 is the "
                "FLOP-matched baseline.\n\n")
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
