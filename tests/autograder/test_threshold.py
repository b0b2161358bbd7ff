"""compare="threshold" cases (cases.Threshold): a quantity measured in the grader reaches a bound; the
feedback's template in English and Japanese; and drivers.figure_lines, which reads a figure as plain data."""

import re

import numpy as np
import pytest

from autograder.cases import Case, Threshold, judge, run_in_process, threshold_mismatch
from autograder.drivers import DRIVERS, figure_lines
from autograder.feedback import THRESHOLD_CODES, problem_text

# <function>: <quantity> <problem>, expected <X> (got <Y>). <hint>
TEMPLATE_EN = re.compile(r"^[A-Za-z_]+: \S+ .+, expected .+ \(got .+\)\. \S.*$")
TEMPLATE_JA = re.compile(r"^[A-Za-z_]+: \S+ ?\S*[ぁ-んァ-ヶ一-龥].*（期待: .+、実際: .+）。\S.*$")

QUANTITY = {"en": "the test error", "ja": "テスト誤差"}
HINT = {"value": {"en": "Fit better.", "ja": "もっとよく当てはめてください。"}}


def _error(result, extra):
    return float(np.mean(np.abs(np.asarray(result) - extra["truth"])))


def _case(bound=0.1, at_least=False, like=True, outputs="pred", **kw):
    def make(rng):
        truth = rng.standard_normal(5)
        expected = Threshold("error", bound, _error, at_least=at_least, quantity=QUANTITY,
                             like=np.zeros(5) if like else None, extra={"truth": truth})
        return (truth.copy(),), {}, expected

    return Case("fit", "toy", make, 2.0, True, ("data",), outputs, compare="threshold", hints=HINT, **kw)


class TestThresholdObject:
    def test_is_a_one_item_dict_of_the_bound(self):
        """A Threshold is {name: bound}; the measure, the data and the student's format are attributes."""
        t = Threshold("accuracy", 0.9, _error, at_least=True, quantity=QUANTITY, extra={"truth": 1})
        assert dict(t) == {"accuracy": 0.9} and t.bound == 0.9 and t.at_least and t.like is None
        assert t.extra == {"truth": 1} and t.fmt == ".3g"


class TestJudge:
    def test_at_most_passes_and_fails(self):
        """An error at most the bound passes; above it fails, with the bound and the student's own value."""
        case = _case()
        (truth,), _, expected = case.build(1, 0)
        assert judge(case, truth + 0.05, expected, []).passed
        r = judge(case, truth + 0.5, expected, [])
        assert r.status == "failed" and r.score == 0
        assert r.output == "fit: the test error is too high, expected at most 0.1 (got 0.5). Fit better."

    def test_at_least(self):
        """at_least=True: a value below the bound fails as "too low", the bound itself passes."""
        case = _case(bound=0.2, at_least=True)
        (truth,), _, expected = case.build(1, 0)
        assert judge(case, truth + 0.2, expected, []).passed
        r = judge(case, truth + 0.1, expected, [], "en")
        assert "is too low, expected at least 0.2 (got 0.1)" in r.output

    def test_japanese(self):
        """The Japanese sentence names the quantity in Japanese, 以上 / 以下 and the two numbers."""
        case = _case()
        (truth,), _, expected = case.build(1, 0)
        r = judge(case, truth + 0.5, expected, [], "ja")
        assert r.output == "fit: テスト誤差が大きすぎます（期待: 0.1 以下、実際: 0.5）。もっとよく当てはめてください。"
        assert TEMPLATE_JA.match(r.output)
        high = _case(bound=0.9, at_least=True)
        low = judge(high, truth + 0.5, high.build(1, 0)[2], [], "ja")
        assert "が小さすぎます（期待: 0.9 以上、実際: 0.5）" in low.output

    def test_english_template(self):
        """The English sentence follows the house template."""
        case = _case()
        (truth,), _, expected = case.build(1, 0)
        assert TEMPLATE_EN.match(judge(case, truth + 1.0, expected, []).output)

    def test_structure_is_checked_first(self):
        """A result of the wrong shape or with a NaN fails on that, before anything is measured."""
        case = _case()
        (truth,), _, expected = case.build(1, 0)
        assert "pred has the wrong shape, expected (5,) (got (5, 1))" in judge(case, truth[:, None], expected, []).output
        nan = truth.copy()
        nan[2] = np.nan
        assert "pred is not finite" in judge(case, nan, expected, []).output

    def test_named_tuple_outputs_are_walked(self):
        """With named outputs, each item is checked for type and shape under its own name."""

        def make(rng):
            truth = rng.standard_normal(3)
            like = ({"w": np.zeros(2)}, np.zeros(3))
            return (truth,), {}, Threshold("error", 0.1, lambda r, e: _error(r[1], e), at_least=False,
                                           quantity=QUANTITY, like=like, extra={"truth": truth})

        case = Case("fit", "pair", make, 1.0, True, ("data",), ("P", "pred"), compare="threshold")
        (truth,), _, expected = case.build(2, 0)
        assert judge(case, ({"w": np.zeros(2)}, truth), expected, []).passed
        assert "P lacks the keys ['w']" in judge(case, ({}, truth), expected, []).output
        assert "has the wrong type, expected a tuple (P, pred)" in judge(case, truth, expected, []).output
        assert "wrong length" in judge(case, (truth,), expected, []).output

    def test_nan_never_reaches_a_bound(self):
        """A measure that is NaN, or that raises on the result, fails (got nan) in both directions."""
        for at_least in (True, False):
            t = Threshold("x", 0.5, lambda r, e: float("nan"), at_least=at_least, quantity=QUANTITY)
            m = threshold_mismatch(_case(like=False), np.zeros(5), t)
            assert m is not None and m.facts["got"] == "nan"
        boom = Threshold("x", 0.5, lambda r, e: r["missing"], at_least=True, quantity=QUANTITY)
        assert threshold_mismatch(_case(like=False), [1, 2], boom).facts["got"] == "nan"

    def test_no_like_measures_anything(self):
        """Without like, the raw result goes to the measure (e.g. the plain data of a figure)."""
        case = _case(like=False)
        (truth,), _, expected = case.build(1, 0)
        assert judge(case, list(truth), expected, []).passed

    def test_mutation_still_fails(self):
        """A passing value with a modified input fails as a mutation."""
        case = _case()
        (truth,), _, expected = case.build(1, 0)
        r = judge(case, truth, expected, ["data"])
        assert not r.passed and "modified in place" in r.output

    def test_never_shows_the_hidden_data(self):
        """The message holds the bound and the student's value, never the held-out truth."""
        case = _case()
        (truth,), _, expected = case.build(1, 0)
        out = judge(case, truth + 3.0, expected, []).output
        assert not any(f"{v:.3g}" in out for v in truth if abs(v) > 0.01)

    def test_typical_mistakes_are_not_looked_up(self, monkeypatch):
        """A failed threshold case runs no mistake variants (they would have to redo the whole computation)."""
        from autograder import mistakes

        def boom(*a, **k):
            raise AssertionError("diagnose called")

        monkeypatch.setattr(mistakes, "diagnose", boom)
        case = _case(assignment="esn")
        (truth,), kwargs, expected = case.build(1, 0)
        assert not judge(case, truth + 1, expected, [], "en", ((truth,), kwargs)).passed

    def test_run_in_process(self):
        """The notebook's self-check path: a function is run and judged against the bound."""
        case = _case()
        assert run_in_process(case, lambda data: data + 0.01, 1, 0).passed
        r = run_in_process(case, lambda data: data * 0, 1, 0)
        assert r.status == "failed" and "is too high" in r.output


class TestFeedbackCode:
    def test_code_and_phrases(self):
        """problem_text words the "threshold" code in both languages, in both directions."""
        assert THRESHOLD_CODES == ("threshold",)
        f = {"bound": "0.85", "got": "0.412", "at_least": True, "quantity": QUANTITY}
        assert problem_text("threshold", f, "en") == "is too low, expected at least 0.85 (got 0.412)"
        assert problem_text("threshold", f, "ja") == "が小さすぎます（期待: 0.85 以上、実際: 0.412）"
        f["at_least"] = False
        assert problem_text("threshold", f, "en") == "is too high, expected at most 0.85 (got 0.412)"
        assert problem_text("threshold", f, "ja") == "が大きすぎます（期待: 0.85 以下、実際: 0.412）"


def _figure(loss, acc=None, xlabel="epoch", ylabel="loss", twin=False):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot(np.arange(1, len(loss) + 1), loss)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title("curve")
    if acc is not None:
        (ax.twinx() if twin else fig.add_subplot(2, 1, 2)).plot(acc)
    return fig


class TestFigureLines:
    def test_plain_data_per_axes(self):
        """One dict per Axes: the labels, the title and every line's x- and y-values as float64 arrays."""
        out = figure_lines(lambda h: _figure(h, acc=[0.1, 0.5], twin=True), ([3.0, 2, 1],), {})
        assert [set(a) for a in out] == [{"xlabel", "ylabel", "title", "lines"}] * 2
        assert out[0]["xlabel"] == "epoch" and out[0]["ylabel"] == "loss" and out[0]["title"] == "curve"
        (line,) = out[0]["lines"]
        assert set(line) == {"x", "y"}
        np.testing.assert_array_equal(line["x"], [1.0, 2.0, 3.0])
        np.testing.assert_array_equal(line["y"], [3.0, 2.0, 1.0])
        assert all(line[k].dtype == np.float64 and type(line[k]) is np.ndarray for k in "xy")
        np.testing.assert_array_equal(out[1]["lines"][0]["x"], [0.0, 1.0])  # ax.plot(y) alone: x = 0 … n−1
        np.testing.assert_array_equal(out[1]["lines"][0]["y"], [0.1, 0.5])

    def test_masked_and_categorical_data(self):
        """Masked entries come back as NaN; x-values given as strings come back as the axis's positions 0, 1, …"""
        import matplotlib.pyplot as plt

        def draw():
            fig, ax = plt.subplots()
            ax.plot(np.ma.masked_array([1.0, 2.0, 3.0], [False, True, False]))
            ax.plot(["a", "b"], [5.0, 6.0])
            return fig

        masked, categorical = figure_lines(draw, (), {})[0]["lines"]
        np.testing.assert_array_equal(masked["y"], [1.0, np.nan, 3.0])
        np.testing.assert_array_equal(categorical["x"], [0.0, 1.0])
        np.testing.assert_array_equal(categorical["y"], [5.0, 6.0])

    def test_closes_the_figure(self):
        """The figure is closed, so a notebook's test cell does not display it."""
        import matplotlib.pyplot as plt

        plt.close("all")
        figure_lines(lambda: _figure([1.0, 0.5]), (), {})
        assert plt.get_fignums() == []

    def test_not_a_figure(self):
        """Anything without get_axes is a TypeError naming what came back."""
        with pytest.raises(TypeError, match="expected a matplotlib Figure to be returned, got NoneType"):
            figure_lines(lambda: None, (), {})

    def test_registered(self):
        """The driver is known by name."""
        assert DRIVERS["figure_lines"] is figure_lines

    def test_through_the_isolated_worker(self):
        """In the sandboxed worker, matplotlib draws and only plain data comes back."""
        from autograder.runner import Call, run_calls

        source = (
            "import numpy as np\nimport matplotlib.pyplot as plt\n\n"
            "def plot(h):\n    fig, ax = plt.subplots()\n    ax.plot(h)\n    ax.set_xlabel('epoch')\n    return fig\n"
        )
        (outcome,), _ = run_calls(source, [Call(0, "plot", "figure_lines", (np.array([2.0, 1.0]),), {})])
        assert outcome.status == "ok", outcome
        (ax,) = outcome.result
        assert ax["xlabel"] == "epoch" and ax["ylabel"] == ""
        np.testing.assert_array_equal(ax["lines"][0]["x"], [0.0, 1.0])
        np.testing.assert_array_equal(ax["lines"][0]["y"], [2.0, 1.0])
