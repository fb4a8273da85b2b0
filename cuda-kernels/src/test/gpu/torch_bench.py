"""PyTorch baselines for gpu-check.sh: the masked layer ((W * M) @ X, forward and backward) and
PyTorch's BSR product (forward), on the grid of the harness, timed with CUDA events (3 warm-up
runs, median of 50). Writes OUTDIR/torch.csv in the harness's columns.

usage: python3 torch_bench.py OUTDIR [--quick]
"""
import csv
import statistics
import sys

import torch


def median_ms(fn, reps=50, warm=3):
    for _ in range(warm):
        fn()
    times = []
    for _ in range(reps):
        a = torch.cuda.Event(enable_timing=True)
        b = torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b))
    return statistics.median(times)


def ring_mask(n, k, sizes, device):
    """Dense 0/1 mask of a ring of degree k over n nodes (self and k - 1 nearest)."""
    offs = [0]
    for s in sizes:
        offs.append(offs[-1] + s)
    m = torch.zeros(offs[-1], offs[-1], device=device)
    for v in range(n):
        have, off = 0, 0
        seen = set()
        while have < k and off < n:
            for s in (1, -1):
                if have >= k or (off == 0 and s < 0):
                    continue
                u = (v + s * off) % n
                if u not in seen:
                    seen.add(u)
                    have += 1
                    m[offs[v]:offs[v + 1], offs[u]:offs[u + 1]] = 1
            off += 1
    return m


def main():
    out = sys.argv[1]
    quick = "--quick" in sys.argv[2:]
    torch.backends.cuda.matmul.allow_tf32 = False  # FP32, as the harness's cuBLAS
    dev = torch.device("cuda")
    widths = [512, 1539] if quick else [512, 1024, 1539, 2048]
    batches = [128, 1024] if quick else [128, 1024, 8192, 65536]
    kns = [0.125, 1.0] if quick else [0.125, 0.25, 0.5, 1.0]
    n = 64
    rows = []
    for width in widths:
        sizes = [width // n + (1 if i < width % n else 0) for i in range(n)]
        for kn in kns:
            k = max(1, round(kn * n))
            mask = ring_mask(n, k, sizes, dev)
            w = torch.randn(width, width, device=dev, requires_grad=True)
            weights = int(mask.sum().item())
            blocks = n * min(k, n)
            for batch in batches:
                x = torch.randn(width, batch, device=dev, requires_grad=True)
                flops = 2.0 * weights * batch
                y = (w * mask) @ x
                gy = torch.randn_like(y)
                fwd = median_ms(lambda: (w * mask) @ x)

                def fwd_bwd():
                    yy = (w * mask) @ x
                    yy.backward(gy)

                both = median_ms(fwd_bwd)
                rows.append([width, batch, kn, n, blocks, "fwd", "torch_masked", fwd,
                             flops / fwd / 1e6, ""])
                rows.append([width, batch, kn, n, blocks, "fwd_bwd", "torch_masked", both,
                             3 * flops / both / 1e6, "forward, dX and dW by autograd"])
                if width % n:
                    rows.append([width, batch, kn, n, blocks, "fwd", "torch_bsr", -1, flops,
                                 "skipped: blocks of uneven size"])
                    continue
                bs = width // n
                try:
                    with torch.no_grad():
                        wb = (w * mask).detach().to_sparse_bsr((bs, bs))
                        xd = x.detach()
                        ms = median_ms(lambda: wb @ xd)
                    rows.append([width, batch, kn, n, blocks, "fwd", "torch_bsr", ms,
                                 flops / ms / 1e6, ""])
                except Exception as e:  # noqa: BLE001 - report why, keep going
                    rows.append([width, batch, kn, n, blocks, "fwd", "torch_bsr", -1, 0,
                                 "failed: " + str(e).splitlines()[0][:120].replace(",", ";")])
                del x, y, gy
            torch.cuda.empty_cache()
    with open(out + "/torch.csv", "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["width", "batch", "kn", "nodes", "blocks", "product", "backend",
                     "median_ms", "gflops", "note"])
        wr.writerows(rows)
    print(f"wrote {len(rows)} timings to {out}/torch.csv (torch {torch.__version__})")


if __name__ == "__main__":
    main()
