"""rnnref vs PyTorch CPU: forward + backward time of RNN, LSTM and GRU.

    python benchmarks/bench_rnnref.py            # the full table (about a minute on 2 cores)
    python benchmarks/bench_rnnref.py --quick    # tiny sizes, to check that the script runs

Both sides get the same thread count and the same work: the layer's forward over a batch
of sequences and the backward of sum(out ⊙ G) for a fixed random G, parameter and input
gradients included. rnnref's GRU runs in the torch convention, the one nn.GRU computes.
Each time is the median of several runs after a warm-up. The last line is
``worst_ratio=X.XX``: the largest rnnref time / torch time over every row printed.

It first prints the BLAS library, its kernel and threads (threadpoolctl). Where OPENBLAS_CORETYPE is set (the
development machines set it, which makes a current numpy run an older kernel), it says so and measures in a
subprocess without it, as a user's machine would; ``--as-here`` measures with it, in this process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

from rnnref.gru import gru_backward, gru_forward, init_gru_params
from rnnref.lstm import init_lstm_params, lstm_backward, lstm_forward
from rnnref.rnn import add_bias, init_params, rnn_backward, rnn_forward


sys.path.insert(0, str(Path(__file__).resolve().parent))
from blasinfo import FORCED, blas_lines, user_env  # noqa: E402


def blas_threads() -> int:
    from threadpoolctl import threadpool_info

    counts = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    if counts:
        return max(counts)
    return int(os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1)


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def rnnref_case(model: str, N, T, D, H, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = add_bias(rng.standard_normal((N, T, D))).astype(dtype)
    G = rng.standard_normal((N, T, H)).astype(dtype)
    if model == "rnn":
        P = {k: v.astype(dtype) for k, v in init_params(D, H, 1, seed=seed).items() if k != "W_out"}

        def run():
            _, cache = rnn_forward(X, P)
            return rnn_backward(G, cache)
    elif model == "lstm":
        P = {k: v.astype(dtype) for k, v in init_lstm_params(D, H, seed=seed).items()}

        def run():
            _, cache = lstm_forward(X, P)
            return lstm_backward(G, cache)
    else:
        P = {k: v.astype(dtype) for k, v in init_gru_params(D, H, seed=seed, convention="torch").items()}

        def run():
            _, cache = gru_forward(X, P, convention="torch")
            return gru_backward(G, cache)

    return run


def torch_case(model: str, N, T, D, H, dtype, seed=0):
    torch.manual_seed(seed)
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[model]
    net = cls(D, H, batch_first=True, dtype=tdtype)
    x = torch.randn(N, T, D, dtype=tdtype, requires_grad=True)
    G = torch.randn(N, T, H, dtype=tdtype)

    def run():
        net.zero_grad(set_to_none=True)
        x.grad = None
        out, _ = net(x)
        (out * G).sum().backward()

    return run


def row(model, N, T, D, H, dtype, repeats):
    t_ref = median_time(rnnref_case(model, N, T, D, H, dtype), repeats)
    t_torch = median_time(torch_case(model, N, T, D, H, dtype), repeats)
    return t_ref, t_torch


def main(argv=None) -> float:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes, one repeat: only checks that it runs")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--as-here", action="store_true",
                    help=f"measure in this process, with {FORCED} as set here (default: without it, in a subprocess)")
    args = ap.parse_args(argv)
    if os.environ.get(FORCED) and not args.as_here:
        print(f"{FORCED}={os.environ[FORCED]} is set here: OpenBLAS would run its {os.environ[FORCED]} kernel "
              f"instead of the one for this CPU; measuring in a subprocess without it, as a user's machine would "
              f"(--as-here: with it)", flush=True)
        rest = list(sys.argv[1:] if argv is None else argv)
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), *rest, "--as-here"], env=user_env())
        if proc.returncode:
            raise SystemExit(proc.returncode)
        return float("nan")
    for line in blas_lines():
        print(line)

    threads = blas_threads()
    torch.set_num_threads(threads)
    repeats = 1 if args.quick else args.repeats
    if args.quick:
        sizes = [(4, 5, 3, 6)]
        growth_T, growth_H = [3, 6], [4, 8]
        base = (4, 5, 3, 6)
    else:
        sizes = [(32, 50, 64, 128), (64, 100, 128, 256)]
        growth_T, growth_H = [25, 50, 100, 200], [64, 128, 256, 512]
        base = (32, 50, 64, 128)

    print(f"rnnref vs torch {torch.__version__} CPU, forward + backward, {threads} thread(s) each, "
          f"numpy {np.__version__}, median of {repeats}")
    header = f"{'model':<5} {'dtype':<8} {'(N, T, D, H)':<20} {'rnnref ms':>10} {'torch ms':>10} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    ratios = []
    for model in ("rnn", "lstm", "gru"):
        for dtype in (np.float64, np.float32):
            for N, T, D, H in sizes:
                t_ref, t_torch = row(model, N, T, D, H, dtype, repeats)
                ratios.append(t_ref / t_torch)
                print(f"{model:<5} {np.dtype(dtype).name:<8} {str((N, T, D, H)):<20} "
                      f"{1e3 * t_ref:>10.2f} {1e3 * t_torch:>10.2f} {t_ref / t_torch:>6.2f}")

    N0, T0, D0, H0 = base
    print()
    print(f"growth, float64, (N, D) = ({N0}, {D0}); time in ms, rnnref / torch")
    for model in ("rnn", "lstm", "gru"):
        cells = []
        for T in growth_T:
            t_ref, t_torch = row(model, N0, T, D0, H0, np.float64, repeats)
            ratios.append(t_ref / t_torch)
            cells.append(f"T={T}: {1e3 * t_ref:.1f}/{1e3 * t_torch:.1f}")
        print(f"{model:<5} H={H0:<4} " + "  ".join(cells))
        cells = []
        for H in growth_H:
            t_ref, t_torch = row(model, N0, T0, D0, H, np.float64, repeats)
            ratios.append(t_ref / t_torch)
            cells.append(f"H={H}: {1e3 * t_ref:.1f}/{1e3 * t_torch:.1f}")
        print(f"{model:<5} T={T0:<4} " + "  ".join(cells))

    worst = max(ratios)
    print(f"worst_ratio={worst:.2f}")
    return worst


if __name__ == "__main__":
    main()
