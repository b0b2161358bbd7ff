"""vanishing's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the reference solution, independently of the variants in
autograder/known_mistakes/vanishing.py.
"""

import numpy as np

from autograder.known_mistakes.vanishing import MISTAKES

from .known_harness import FiniteDifferenceContract, KnownMistakesContract, load_solution, run_function

A = "vanishing"
sol = load_solution(A)


def _rho_no_abs(W):
    return float(max(np.linalg.eigvals(W).real))


def _rho_real_part(W):
    lam = np.linalg.eigvals(W)
    return float(np.abs(lam.real).max())


def _rho_complex(W):
    return np.max(np.linalg.eigvals(W))


def _rho_svd(W):
    return float(np.linalg.svd(W, compute_uv=False)[0])


def _rho_eigvalsh(W):
    return float(np.abs(np.linalg.eigvalsh(W)).max())


def _powers_entrywise(W, K):
    return np.array([np.linalg.norm(W ** k, 2) for k in range(K + 1)])


def _powers_fro(W, K):
    out, A = [], np.eye(len(W))
    for _ in range(K + 1):
        out.append(np.sqrt(np.sum(A * A)))
        A = W @ A
    return np.array(out)


def _powers_from_one(W, K):
    out, A = [], W.copy()
    for _ in range(K):
        out.append(np.linalg.norm(A, 2))
        A = A @ W
    return np.array(out)


def _student_state(transposed=True, fprime="tanh", every_step=True, deltas=False):
    def state_gradients(U, W, dZ):
        T, H = U.shape
        G, D = np.zeros((T, H)), np.zeros((T, H))
        for t in reversed(range(T)):
            g = dZ[t].copy() if (every_step or t == T - 1) else np.zeros(H)
            if t < T - 1:
                g += (W.T if transposed else W) @ D[t + 1]
            G[t] = g
            if fprime == "tanh":
                D[t] = g * (1 - np.tanh(U[t]) ** 2)
            elif fprime == "u":
                D[t] = g * (1 - U[t] ** 2)
            else:
                D[t] = g
        return D if deltas else G

    return state_gradients


def _student_clip(kind):
    def clip_grad_norm(grads, max_norm):
        norm = np.sqrt(sum((g ** 2).sum() for g in grads.values()))
        if kind == "each":
            return {k: g * min(1, max_norm / (np.linalg.norm(g) + 1e-6)) for k, g in grads.items()}, norm
        if kind == "always":
            return {k: g * max_norm / (norm + 1e-6) for k, g in grads.items()}, norm
        if kind == "np.clip":
            return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, norm
        if kind == "no eps":
            return {k: g * min(1, max_norm / norm) for k, g in grads.items()}, norm
        out, _ = sol.clip_grad_norm(grads, max_norm)
        return out, np.sqrt(sum((g ** 2).sum() for g in out.values()))

    return clip_grad_norm


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("spectral_radius", "largest_real_eigenvalue"): _rho_no_abs,
    ("spectral_radius", "modulus_of_real_part"): _rho_real_part,
    ("spectral_radius", "spectral_norm"): _rho_svd,
    ("spectral_radius", "eigvalsh_on_non_symmetric"): _rho_eigvalsh,
    ("spectral_radius", "complex_eigenvalue"): _rho_complex,
    ("power_norms", "entrywise_power"): _powers_entrywise,
    ("power_norms", "frobenius_norm"): _powers_fro,
    ("power_norms", "starts_at_W1"): _powers_from_one,
    ("state_gradients", "W_not_transposed"): _student_state(transposed=False),
    ("state_gradients", "returned_deltas"): _student_state(deltas=True),
    ("state_gradients", "f_prime_missing"): _student_state(fprime="none"),
    ("state_gradients", "f_prime_of_u_as_z"): _student_state(fprime="u"),
    ("state_gradients", "direct_error_only_at_T"): _student_state(every_step=False),
    ("grad_norms_over_time", "norm_over_time"): lambda G: np.sqrt((G ** 2).sum(axis=0)),
    ("grad_norms_over_time", "squared_norm"): lambda G: (G ** 2).sum(axis=1),
    ("clip_grad_norm", "per_array_norm"): _student_clip("each"),
    ("clip_grad_norm", "no_min_with_one"): _student_clip("always"),
    ("clip_grad_norm", "entrywise_clip"): _student_clip("np.clip"),
    ("clip_grad_norm", "epsilon_missing"): _student_clip("no eps"),
    ("clip_grad_norm", "norm_after_clipping"): _student_clip("after"),
}


class TestKnownMistakes(KnownMistakesContract):
    A, MISTAKES, WRONG = A, MISTAKES, WRONG

    def test_clip_in_place_is_a_mutation(self):
        """Scaling the caller's arrays in place (g *= c) fails as a modified input, not as a known mistake."""

        def clip_grad_norm(grads, max_norm):
            norm = float(np.sqrt(sum((g ** 2).sum() for g in grads.values())))
            for g in grads.values():
                g *= min(1.0, max_norm / (norm + 1e-6))
            return grads, norm

        results = run_function(A, "clip_grad_norm", clip_grad_norm)
        clipped = [r for r in results if "‖g‖ > θ" in r.name]
        assert clipped and all(not r.passed and "modified in place" in r.output for r in clipped)


class TestFiniteDifferenceCase(FiniteDifferenceContract):
    A, FD_FUNCTIONS = A, ["state_gradients"]
