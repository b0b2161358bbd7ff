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


def _student_truncated(kind):
    """A student's truncated BPTT: rows of G back from t = T, with the cut placed as `kind` says."""

    def truncated_state_gradients(U, W, dZ, k):
        T, H = U.shape
        if kind == "sliding":  # every error dZ_s walks back k steps on its own
            G = np.zeros((T, H))
            for s in range(T):
                e = dZ[s]
                for step in range(k):
                    t = s - step
                    if t < 0:
                        break
                    G[t] = G[t] + e
                    e = W.T @ (e * (1 - np.tanh(U[t]) ** 2))
            return G
        G = dZ.copy()
        for t in reversed(range(T - 1)):
            step = t + 1  # z_t of the lecture is row t−1
            if kind == "row index":  # the 0-based row tested as if it were the step
                cut = t % k == 0
            elif kind == "early":  # the step after the chunk end tested instead of the end itself
                cut = (step + 1) % k == 0
            elif kind == "from end":
                cut = (T - step) % k == 0
            else:
                cut = False
            if not cut:
                G[t] = G[t] + W.T @ (G[t + 1] * (1 - np.tanh(U[t + 1]) ** 2))
        return G

    return truncated_state_gradients


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
    ("truncated_state_gradients", "cut_one_step_late"): _student_truncated("row index"),
    ("truncated_state_gradients", "cut_one_step_early"): _student_truncated("early"),
    ("truncated_state_gradients", "sliding_window"): _student_truncated("sliding"),
    ("truncated_state_gradients", "chunks_from_the_end"): _student_truncated("from end"),
    ("truncated_state_gradients", "not_truncated"): _student_truncated("none"),
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


    def test_truncation_mistakes_never_named_for_each_other(self):
        """Each wrong truncation fails with its own hint in every failing case, never another truncation mistake's."""
        ms = MISTAKES["truncated_state_gradients"]
        for m in ms:
            results = run_function(A, "truncated_state_gradients", WRONG[("truncated_state_gradients", m.name)])
            failed = [r for r in results if not r.passed]
            assert failed and all(r.output.endswith(m.hint_en) for r in failed), (m.name, [r.output for r in failed])


class TestFiniteDifferenceCase(FiniteDifferenceContract):
    A, FD_FUNCTIONS = A, ["state_gradients", "truncated_state_gradients"]

    def test_truncated_case_detaches(self):
        """The truncated case's central differences hold the state fixed at chunk ends: the full BPTT fails it."""
        full = run_function(A, "truncated_state_gradients", lambda U, W, dZ, k: sol.state_gradients(U, W, dZ),
                            only="gradcheck")
        assert len(full) == 1 and not full[0].passed and "central differences" in full[0].output
