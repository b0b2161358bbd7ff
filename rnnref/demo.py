"""A short rnnref demo: an Elman RNN learns to predict a noisy sine wave one step ahead.

Run ``python -m rnnref.demo``. It checks BPTT against finite differences, trains with Adam
(many-to-many regression, the lecture's E = ½ Σ_t ‖y_t − ŷ_t‖²), and prints the loss falling.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from .analysis import spectral_radius
from .gradcheck import gradcheck
from .optim import adam, clip_grad_norm
from .rnn import add_bias, bptt, init_params


def sine_data(N: int, T: int, *, noise: float = 0.05, seed: int = 0):
    """N noisy sine sequences of T+1 samples; inputs x_t (with the bias 1), targets y_t = x_{t+1}."""
    rng = np.random.default_rng(seed)
    omega = rng.uniform(0.15, 0.35, (N, 1))
    phase = rng.uniform(0, 2 * np.pi, (N, 1))
    s = np.sin(omega * np.arange(T + 1) + phase) + noise * rng.standard_normal((N, T + 1))
    return add_bias(s[:, :-1, None]), s[:, 1:, None]


def main(epochs: int = 300, H: int = 16, seed: int = 0, out=sys.stdout) -> float:
    """Train and print; returns the final loss per step (for the caller to assert on)."""
    X, Y = sine_data(32, 40, seed=seed)
    Xv, Yv = sine_data(16, 40, seed=seed + 1)
    params = init_params(1, H, 1, seed=seed)
    per_step = lambda E, Xs: E / (Xs.shape[0] * Xs.shape[1])  # noqa: E731

    small = (X[:2, :6], Y[:2, :6])
    check = gradcheck(lambda p: bptt(*small, p).E, params, bptt(*small, params).grads)
    print(f"BPTT vs finite differences: max rel. error {check.max_rel_error:.1e} "
          f"({'ok' if check.passed else 'FAILED'})", file=out)
    print(f"Elman RNN, H={H}, tanh, 32 noisy sine waves of T=40, Adam lr=0.01, clip 5.0", file=out)
    print(f"{'epoch':>6} {'train E/step':>13} {'valid E/step':>13} {'ρ(W)':>6}", file=out)
    state = None
    start = time.perf_counter()
    first = None
    for epoch in range(epochs + 1):
        res = bptt(X, Y, params)
        if epoch % (epochs // 10) == 0:
            valid = per_step(bptt(Xv, Yv, params).E, Xv)
            first = per_step(res.E, X) if first is None else first
            print(f"{epoch:>6} {per_step(res.E, X):>13.5f} {valid:>13.5f} {spectral_radius(params['W']):>6.3f}", file=out)
        grads, _ = clip_grad_norm(res.grads, 5.0)
        params, state = adam(params, grads, state, lr=0.01)
    final = per_step(bptt(X, Y, params).E, X)
    print(f"loss per step fell from {first:.4f} to {final:.4f} ({first / final:.0f}× lower) "
          f"in {time.perf_counter() - start:.1f} s", file=out)
    return final


if __name__ == "__main__":
    main()
