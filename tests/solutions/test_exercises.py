"""The exercises against their suites: solutions earn every point, stubs none, wrong math loses."""

import importlib
import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from autograder.cases import run_in_process
from autograder.selfcheck import check
from autograder.mistakes import known
from autograder.suites import ASSIGNMENTS, SUITES_DIR, get_suite, registered, suite_order
from autograder.suites._data import SIZES_HIDDEN, SIZES_VISIBLE

ROOT = Path(__file__).resolve().parents[2]


def load(kind: str, name: str):
    path = ROOT / kind / name / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{kind}_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class TestSuites:
    @pytest.mark.parametrize("name", ASSIGNMENTS)
    def test_points_add_up(self, name):
        """Each function's cases share exactly its points, with visible and hidden cases."""
        suite = get_suite(name)
        for fn, pts in suite.points.items():
            cases = [c for _, c in suite.for_function(fn)]
            assert sum(c.points for c in cases) == pytest.approx(pts)
            assert any(c.visible for c in cases) and any(not c.visible for c in cases)

    def test_every_exercise_has_its_own_seed(self):
        """No two suites share a default seed, so no two exercises draw the same hidden inputs."""
        seeds = [get_suite(n).seed for n in ASSIGNMENTS]
        assert len(set(seeds)) == len(seeds) == len(ASSIGNMENTS)

    def test_registry_is_the_suite_modules(self):
        """ASSIGNMENTS is every suite module, each with its own ORDER, sorted by it."""
        mods = {p.stem: suite_order(p) for p in SUITES_DIR.glob("*.py") if not p.name.startswith("_")}
        assert set(ASSIGNMENTS) == set(mods) and len(set(mods.values())) == len(mods)
        assert [mods[n] for n in ASSIGNMENTS] == sorted(mods.values()) and all(isinstance(o, int) for o in mods.values())

    def test_registry_order_from_files(self, tmp_path):
        """A folder of suites is listed by ORDER, then name; a module without ORDER comes last, _private ones never."""
        for name, text in (("b", "ORDER = 2\n"), ("a", "ORDER = 3  # c\n"), ("z", ""), ("c", "x = 1\nORDER = 1\n"),
                           ("_data", "ORDER = 0\n")):
            (tmp_path / f"{name}.py").write_text(text)
        assert registered(tmp_path) == ("c", "b", "a", "z")

    def test_sizes_have_no_square_by_accident(self):
        """T, d+1, H, H+1 and m differ within every size; T = 1 and H = 1 both occur."""
        for T, d, H, m in SIZES_VISIBLE + SIZES_HIDDEN:
            assert len({T, d + 1, H, H + 1, m}) == 5
        assert any(s[0] == 1 for s in SIZES_VISIBLE + SIZES_HIDDEN)
        assert any(s[2] == 1 for s in SIZES_VISIBLE + SIZES_HIDDEN)

    @pytest.mark.parametrize("name", ASSIGNMENTS)
    def test_reference_inputs_are_float64(self, name):
        """Every array a case hands to a student is float64."""
        suite = get_suite(name)
        for i, case in enumerate(suite.cases):
            args, _, _ = case.build(suite.seed, i)
            stack = list(args)
            while stack:
                a = stack.pop()
                if isinstance(a, dict):
                    stack.extend(a.values())
                elif isinstance(a, (list, tuple)):
                    stack.extend(a)
                elif isinstance(a, np.ndarray):
                    assert a.dtype == np.float64, case.name


class TestSolutionsAndStubs:
    @pytest.mark.parametrize("name", ASSIGNMENTS)
    def test_solution_gets_full_marks(self, name, capsys):
        """The reference solution passes every case, visible and hidden, at another seed too."""
        suite = get_suite(name)
        mod = vars(load("solutions", name))
        for seed in (suite.seed, 12345):
            total = sum(check(name, fn, mod, hidden=True, seed=seed) for fn in suite.points)
            assert total == pytest.approx(suite.max_score), capsys.readouterr().out

    @pytest.mark.parametrize("name", ASSIGNMENTS)
    def test_stub_gets_zero_without_crashing(self, name):
        """The untouched stub earns nothing, each case saying 'not implemented yet'."""
        suite = get_suite(name)
        mod = load("assignments", name)
        for i, case in enumerate(suite.cases):
            r = run_in_process(case, getattr(mod, case.function), suite.seed, i)
            assert r.score == 0 and r.status == "error" and "not implemented yet" in r.output, r.output


NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                "sixteen seventeen eighteen nineteen twenty").split()


def known_mistakes() -> int:
    """How many known mistakes the grader can name: those of autograder/known_mistakes/<assignment>.py, counted
    from the files themselves."""
    n = 0
    for name in ASSIGNMENTS:
        if (ROOT / "autograder" / "known_mistakes" / f"{name}.py").is_file():
            n += sum(len(ms) for ms in importlib.import_module(f"autograder.known_mistakes.{name}").MISTAKES.values())
    assert n == sum(len(ms) for ms in known(ASSIGNMENTS).values())
    return n


class TestReadme:
    """The README's numbers, counted from the registry."""

    text = (ROOT / "README.md").read_text(encoding="utf-8")

    def test_exercises_table(self):
        """The exercises table lists the registry's exercises in its order, with each suite's points."""
        rows = re.findall(r"^\| `(\w+)` \|.*\| (\d+) \|$", self.text, re.MULTILINE)
        assert [n for n, _ in rows] == list(ASSIGNMENTS)
        assert all(float(pts) == get_suite(n).max_score for n, pts in rows)

    def test_number_of_exercises(self):
        """Every 'the N exercises' says how many the registry holds."""
        said = re.findall(r"the (\w+) exercises", self.text)
        assert said and all(w == NUMBER_WORDS[len(ASSIGNMENTS)] for w in said if w in NUMBER_WORDS), said

    def test_number_of_known_mistakes(self):
        """'one of the N known mistakes' is the number the grader knows."""
        assert re.findall(r"the (\d+) known mistakes", self.text) == [str(known_mistakes())]


def _case(name, fn):
    suite = get_suite(name)
    return [(i, c) for i, c in suite.for_function(fn)], suite.seed


def _earned(name, fn, func):
    cases, seed = _case(name, fn)
    results = [run_in_process(c, func, seed, i) for i, c in cases]
    return sum(r.score for r in results), results


class TestWrongMathLoses:
    def test_deltas_with_W_instead_of_WT(self):
        """δ recursion with W instead of Wᵀ fails every case with T > 1 and H > 1."""

        def deltas(U, Yhat, Y, W, W_out):
            T, H = U.shape
            D = np.zeros((H, T))
            nxt = np.zeros(H)
            for t in reversed(range(T)):
                nxt = (W @ nxt + W_out[:, 1:].T @ (Yhat[t] - Y[t])) * (1 - np.tanh(U[t]) ** 2)
                D[:, t] = nxt
            return D

        score, results = _earned("rnn_bptt", "deltas", deltas)
        failed = [r for r in results if not r.passed]
        assert score < get_suite("rnn_bptt").points["deltas"]
        assert all("T=1" in r.name or "H=1" in r.name for r in results if r.passed)
        assert any("δ_" in r.output and "Wᵀ δ_{t+1}" in r.output for r in failed)

    def test_grad_W_with_Z_instead_of_Z_tilde(self):
        """D Z instead of D Z̃ fails with the Z̃ hint."""
        score, results = _earned("rnn_bptt", "grad_W", lambda D, Z: D @ Z)
        assert score == 0
        assert all("Z̃ = (z_0, …, z_{T−1})" in r.output for r in results)

    def test_grad_W_out_without_bias_column(self):
        """Dropping the bias column is a shape failure naming (m, H+1)."""
        score, results = _earned("rnn_bptt", "grad_W_out", lambda Yhat, Y, Z: (Yhat - Y).T @ Z)
        assert score == 0 and all("wrong shape" in r.output for r in results)

    def test_softmax_without_max_shift(self):
        """A softmax without the max shift overflows on the large-logits and the rows-apart cases, with the hint."""

        def forward(X, W_in, W, W_out, task="regression"):
            T, H = X.shape[0], W.shape[0]
            U, Z = np.zeros((T, H)), np.zeros((T, H))
            z = np.zeros(H)
            for t in range(T):
                U[t] = W_in @ X[t] + W @ z
                z = Z[t] = np.tanh(U[t])
            V = Z @ W_out[:, 1:].T + W_out[:, 0]
            Yhat = np.exp(V) / np.exp(V).sum(1, keepdims=True) if task == "classification" else V
            return U, Z, Yhat

        score, results = _earned("rnn_bptt", "forward", forward)
        failed = [r for r in results if not r.passed]
        assert [r.name for r in failed] == ["forward [large logits, classification]",
                                            "forward [rows apart by 2000, classification]",
                                            "forward [rows apart by 2000, classification (2)]",
                                            "forward [rows apart by 2000, classification (3)]"]
        assert all("not finite" in r.output and "subtract max_k v_tk" in r.output for r in failed)
        assert score == pytest.approx(get_suite("rnn_bptt").points["forward"] * 4 / 8)

    def test_lstm_gates_swapped(self):
        """An LSTM step with forget and input gates swapped fails every case."""
        sol = load("solutions", "lstm")

        def lstm_step(x, z_prev, s_prev, P):
            Q = dict(P, W_F_in=P["W_I_in"], W_F=P["W_I"], W_I_in=P["W_F_in"], W_I=P["W_F"])
            return sol.lstm_step(x, z_prev, s_prev, Q)

        score, results = _earned("lstm", "lstm_step", lstm_step)
        assert score == 0

    def test_gru_z_and_one_minus_z_swapped(self):
        """A GRU step with z and 1 − z swapped fails every case."""
        sol = load("solutions", "gru")

        def gru_step(x, h_prev, P):
            h, cache = sol.gru_step(x, h_prev, P)
            z, c = cache["z"], cache["c"]
            return z * h_prev + (1 - z) * c, cache

        score, results = _earned("gru", "gru_step", gru_step)
        assert score == 0 and all("(1 − z)⊙h_prev + z⊙h̃" in r.output for r in results)


class TestSolutionGradients:
    """The solutions' backward passes against central differences of their own forward passes."""

    def test_rnn_bptt(self):
        """DX, DZ̃ and (g(V) − Y)[1 Z] of the solution are the gradients of its loss, both tasks and many-to-one."""
        from rnnref import add_bias, gradcheck

        sol = load("solutions", "rnn_bptt")
        rng = np.random.default_rng(0)
        T, d, H, m = 6, 2, 4, 3
        X = add_bias(rng.standard_normal((T, d)))
        P = {"W_in": rng.normal(0, .5, (H, d + 1)), "W": rng.normal(0, .5, (H, H)), "W_out": rng.normal(0, .5, (m, H + 1))}
        for task, Y in (("regression", rng.standard_normal((T, m))), ("classification", np.eye(m)[rng.integers(0, m, T)])):
            def E(p, task=task, Y=Y):
                return sol.loss(sol.forward(X, p["W_in"], p["W"], p["W_out"], task)[2], Y, task)

            U, Z, Yhat = sol.forward(X, P["W_in"], P["W"], P["W_out"], task)
            D = sol.deltas(U, Yhat, Y, P["W"], P["W_out"])
            grads = {"W_in": sol.grad_W_in(D, X), "W": sol.grad_W(D, Z), "W_out": sol.grad_W_out(Yhat, Y, Z)}
            report = gradcheck(E, P, grads)
            assert report.passed, str(report)

        y = np.eye(m)[1]

        def E1(p):
            Yhat = sol.forward(X, p["W_in"], p["W"], p["W_out"], "classification")[2]
            return sol.loss(Yhat[-1:], y[None], "classification")

        U, Z, Yhat = sol.forward(X, P["W_in"], P["W"], P["W_out"], "classification")
        D = sol.deltas_many_to_one(U, Yhat[-1], y, P["W"], P["W_out"])
        grads = {"W_in": sol.grad_W_in(D, X), "W": sol.grad_W(D, Z),
                 "W_out": sol.grad_W_out_many_to_one(Yhat[-1], y, Z[-1])}
        report = gradcheck(E1, P, grads)
        assert report.passed, str(report)

    @pytest.mark.parametrize("name", ["lstm", "gru"])
    def test_gated(self, name):
        """The gated cell's backward is the gradient of Σ_t ⟨g_t, output_t⟩ (T = 1 included)."""
        from rnnref import add_bias, gradcheck

        sol = load("solutions", name)
        keys = sol.LSTM_KEYS if name == "lstm" else sol.GRU_KEYS
        fwd = sol.lstm_forward if name == "lstm" else sol.gru_forward
        bwd = sol.lstm_backward if name == "lstm" else sol.gru_backward
        for T in (5, 1):
            rng = np.random.default_rng(T)
            d, H = 3, 4
            X = add_bias(rng.standard_normal((T, d)))
            P = {k: rng.normal(0, .5, (H, d + 1) if k.endswith("_in") else (H, H)) for k in keys}
            G = rng.standard_normal((T, H))
            out = fwd(X, P)
            report = gradcheck(lambda p: float(np.sum(fwd(X, p)[0] * G)), P, bwd(G, out[-1], P))
            assert report.passed, str(report)


class TestIsolatedGrading:
    @pytest.mark.parametrize("name", ASSIGNMENTS)
    def test_notebooks_through_the_worker(self, name, tmp_path):
        """In the isolated worker (rnngrade grade, rnngrade nbgrader autograde): the student notebook with the
        solutions filled in earns every point, the untouched one none."""
        import json

        from autograder import api
        from autograder.course import filled_release

        release = json.loads((ROOT / "assignments" / name / f"{name}.ipynb").read_text(encoding="utf-8"))
        source = json.loads((ROOT / "solutions" / name / f"{name}.ipynb").read_text(encoding="utf-8"))
        for folder, nb, expected in (("solved", filled_release(release, source), get_suite(name).max_score),
                                     ("untouched", release, 0.0)):
            path = tmp_path / folder / f"{name}.ipynb"
            path.parent.mkdir()
            path.write_text(json.dumps(nb), encoding="utf-8")
            res = api.grade(path, name)
            assert res.score == pytest.approx(expected), [t.output for t in res.tests if not t.passed][:3]
