#!/usr/bin/env python3
"""Projects data-parallel training throughput of TwoTower to 2..128 machines (docs/DISTRIBUTED.md).

Model of one step with global batch B, embedding width d, N ranks (one per machine):
  compute(N)  = a * B^2 / N + c * B          a*B^2: the scoring GEMMs (logits b x B, dQ, dI), split
                                             across ranks; c*B: per-row work every rank repeats
                                             (embedding lookups, optimizer update of every touched row)
  local(N)    = a * B^2 / N^2 + c * B        --negatives local: each rank scores b x b only
  gather(N)   = 2 * [(N-1) * alpha + (N-1)/N * B*d*4 / bw]     all-gather of the positives' embeddings
                                                             and reduce-scatter of their gradient (ring)
  sparse(N)   = (N-1) * alpha + (N-1)/N * R*(4d+4) / bw       all-gather-v of the touched embedding rows
                                                             (R = 2B rows: B users and B items)
  step        = compute + gather + sparse  (no overlap of communication with compute: a bound)
a and c come from two single-process timings (B and B/2) passed on the command line, measured with
`twotower-bench data-parallel --threads 1 --batch B` (and --batch B/2) on the same machine.
Usage: scripts/cost-model.py STEP_MS_AT_B STEP_MS_AT_HALF_B [--batch 1024] [--dim 64] [--alpha-us 5]
"""
import argparse


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("step_ms", type=float, help="ms per step, one process, one thread, batch B")
    p.add_argument("half_step_ms", type=float, help="ms per step, one process, one thread, batch B/2")
    p.add_argument("--batch", type=int, default=1024)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--alpha-us", type=float, default=5.0, help="per-message latency in µs (default 5)")
    args = p.parse_args()
    B, d = args.batch, args.dim
    t1, th = args.step_ms / 1e3, args.half_step_ms / 1e3
    # t1 = a B^2 + c B ; th = a B^2/4 + c B/2  =>  a B^2 = 2 (t1 - 2 th), c B = t1 - a B^2
    gemm = max(2 * (t1 - 2 * th), 0.0)
    rowwise = max(t1 - gemm, 0.0)
    alpha = args.alpha_us * 1e-6
    print(f"one process: {t1*1e3:.2f} ms/step = scoring {gemm*1e3:.2f} ms (∝ B²) + per-row {rowwise*1e3:.2f} ms (∝ B); "
          f"{B/t1:,.0f} examples/s\n")
    print("| Gb/s | machines | step ms (global) | examples/s (global) | efficiency | step ms (local) | examples/s (local) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for gbps in (10, 25, 100):
        bw = gbps * 1e9 / 8
        for n in (2, 4, 8, 16, 32, 64, 128):
            gather = 2 * ((n - 1) * alpha + (n - 1) / n * B * d * 4 / bw)
            sparse = (n - 1) * alpha + (n - 1) / n * 2 * B * (4 * d + 4) / bw
            glob = gemm / n + rowwise + gather + sparse
            local = gemm / n**2 + rowwise + sparse
            eff = (t1 / glob) / n
            print(f"| {gbps} | {n} | {glob*1e3:.2f} | {B/glob:,.0f} | {eff:.0%} | {local*1e3:.2f} | {B/local:,.0f} |")
    # Weak scaling: each rank keeps b = B rows, the global batch grows to N*B.
    print("\nWeak scaling (each machine keeps B rows; global batch N·B; 25 Gb/s):\n")
    print("| machines | global batch | step ms (global) | step ms (local) | global/local |")
    print("|---:|---:|---:|---:|---:|")
    bw = 25e9 / 8
    for n in (2, 4, 8, 16, 32, 64, 128):
        G = n * B
        a = gemm / B**2
        gather = 2 * ((n - 1) * alpha + (n - 1) / n * G * d * 4 / bw)
        sparse = (n - 1) * alpha + (n - 1) / n * 2 * G * (4 * d + 4) / bw
        glob = a * B * G + rowwise * n + gather + sparse
        local = a * B * B + rowwise * n + sparse
        print(f"| {n} | {G:,} | {glob*1e3:.1f} | {local*1e3:.1f} | {glob/local:.2f} |")


if __name__ == "__main__":
    main()
