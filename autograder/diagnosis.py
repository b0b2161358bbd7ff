"""The general diagnosis of a wrong result, below the catalogued known mistakes (mistakes.py).

When a student's result fails a case and no known mistake of autograder/known_mistakes/ explains it, this
layer says what it can from the case's own inputs and the reference (both the grader's), and the
student's result:

* **Locate** — the first wrong quantity in the order it is computed: in time (u_1 … u_T forward; δ_T … δ_1
  for a backward recursion) and in the chain of intermediates of one step (the outputs of a returned
  tuple, a step cache's entries: u_t before z_t before ŷ_t); which gradient keys are wrong and which are
  right, by the lecture's names; whether the first step is right and a later one wrong (the step is right,
  the recurrence is wrong).
* **Relate** — which transformation of the reference the wrong array is: a scalar multiple (−1, ½, 2,
  1/T, 1/N, … named by the case's sizes), a transpose, a shift by one time step, reversed time, swapped
  outputs, keys or halves, a missing or extra term equal to one of the case's inputs or outputs, an error
  only at the first or last step or only in the bias column, an error too small for a wrong formula,
  where the first NaN or inf appears.
* **Crashes** — the exception, from its type, the line it was raised at and the inputs' shapes: a
  matrix product whose shapes do not fit (both shapes named, with the inputs they are, and the product
  that fits), an index one past the end of the time loop, a missing key (the keys expected), None used
  as a number, … For a hidden case only what the grader knows itself decides (the exception's type,
  the line of the student's source, the inputs' shapes): never the exception's text.

Every diagnosis carries tags (stable ids: ``first_wrong:z_t``, ``scale:-1``, ``transpose``,
``time_shift:+1``, ``crash:shape``, …) that go to the JSON results and Gradescope's ``tags``, and its text
in English and Japanese. A suite module may describe its quantities for this layer in ``DIAGNOSIS``:
``{"names": {key: {"en", "ja"}}, "backward": {function, …}, "halves": {output: ("forward", "backward")}}``.

Diagnosing never raises: whatever cannot be compared says nothing.
"""

from __future__ import annotations

import importlib
import re
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import checks


@dataclass(frozen=True)
class Diagnosis:
    """What the layer found: tags (ids), the sentence in both languages, and, when the first wrong quantity
    is not the one the comparison stopped at, the Mismatch to report instead."""

    tags: tuple
    text: dict = field(default_factory=dict)  # {"en": …, "ja": …}
    mismatch: object = None  # checks.Mismatch of the first wrong quantity, or None

    def __bool__(self):
        return bool(self.tags)


def _cap(text: str) -> str:
    """A sentence's first word capitalised when it is a plain word ("it is …"), never a symbol (z_1, ∂E/∂W)."""
    word = text.split(" ", 1)[0]
    return text[0].upper() + text[1:] if len(word) > 1 and word.isalpha() and word.isascii() else text


def _both(en: str, ja: str) -> dict:
    return {"en": en, "ja": ja}


def _join(parts: list[dict]) -> dict:
    return {"en": " ".join(p["en"] for p in parts if p.get("en")),
            "ja": "".join(p["ja"] for p in parts if p.get("ja"))}


# ---------------------------------------------------------------------------------------------------------
# the suite's description


def suite_description(case) -> dict:
    """The suite module's DIAGNOSIS ({} when it has none or cannot be imported)."""
    name = getattr(case, "assignment", "")
    if not name or not name.isidentifier():
        return {}
    try:
        module = importlib.import_module(f"{__package__}.suites.{name}")
    except Exception:  # noqa: BLE001
        return {}
    return getattr(module, "DIAGNOSIS", {}) or {}


def dims_of(case) -> dict:
    """The case's sizes from its label: "T=6, d=2, H=4, m=2" -> {"T": 6, "d": 2, "H": 4, "m": 2}."""
    return {k: int(v) for k, v in re.findall(r"\b([A-Za-z]\w{0,3})\s*=\s*(\d+)\b", getattr(case, "label", ""))}


def _is_backward(case, desc) -> bool:
    fn = case.function
    if "backward" in desc:
        return fn in desc["backward"]
    return any(w in fn for w in ("backward", "deltas", "grad"))


def key_name(key: str, desc: dict, lang: str) -> str:
    """A gradient or parameter key by the lecture's name, e.g. "∂E/∂W_O (the output gate's recurrent weights)"."""
    names = desc.get("names", {})
    own = names.get(key)
    if own:
        return f"∂E/∂{key}（{own['ja']}）" if lang == "ja" else f"∂E/∂{key} ({own['en']})"
    return f"∂E/∂{key}"


# ---------------------------------------------------------------------------------------------------------
# leaves: the arrays of a result, in the order they are computed


@dataclass
class Leaf:
    path: str  # as checks.compare names it: "Z", "grads['W_O']", "caches[2]['gF']"
    got: object  # the student's value (not yet converted)
    exp: np.ndarray  # the reference, float64
    step: int | None = None  # the step of a list of per-step items (caches[t], optimizer step k)
    key: str | None = None  # a dict key
    order: int = 0  # position in the chain of one step
    scalar: bool = False


def _walk(got, exp, path, out: list, step=None, key=None, depth=0):
    if depth > 8:
        return
    if isinstance(exp, dict):
        g = got if isinstance(got, dict) else {}
        for k, e in exp.items():
            _walk(g.get(k), e, f"{path}[{k!r}]", out, step, k if isinstance(k, str) else key, depth + 1)
        return
    if isinstance(exp, (list, tuple)):
        g = got if isinstance(got, (list, tuple)) and len(got) == len(exp) else [None] * len(exp)
        for i, (x, e) in enumerate(zip(g, exp)):
            _walk(x, e, f"{path}[{i}]", out, i if step is None else step, key, depth + 1)
        return
    if isinstance(exp, float):
        out.append(Leaf(path, got, np.array(exp), step, key, len(out), True))
    elif isinstance(exp, np.ndarray):
        out.append(Leaf(path, got, np.asarray(exp, dtype=np.float64), step, key, len(out)))


def leaves(case, result, expected) -> list[Leaf]:
    """Every array of the reference with the student's counterpart, named as checks.compare names them."""
    out: list[Leaf] = []
    if isinstance(case.outputs, tuple) and case.outputs and isinstance(expected, tuple):
        got = result if isinstance(result, (tuple, list)) and len(result) == len(expected) else [None] * len(expected)
        for name, g, e in zip(case.outputs, got, expected):
            _walk(g, e, name, out)
    else:
        name = case.outputs if isinstance(case.outputs, str) and case.outputs else "the result"
        _walk(result, expected, name, out)
    return out


def _array(x, shape) -> np.ndarray | None:
    if isinstance(x, checks.Opaque) or x is None:
        return None
    if isinstance(x, (bool, np.bool_, complex, np.complexfloating)):
        return None
    arr = checks.as_float64_array(x, "") if not isinstance(x, float) else np.array(x)
    if isinstance(arr, checks.Mismatch) or not isinstance(arr, np.ndarray):
        return None
    try:
        arr = np.asarray(arr, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return arr if arr.shape == tuple(shape) else None


def _close(g: np.ndarray, e: np.ndarray, scale: float | None = None, rtol=checks.RTOL, atol=checks.ATOL) -> np.ndarray:
    """Entry-wise agreement, the grader's tolerance, the absolute part scaled by ``scale`` (the whole array's)."""
    s = max(1.0, float(np.max(np.abs(e), initial=0.0))) if scale is None else scale
    with np.errstate(all="ignore"):
        return np.abs(g - e) <= atol * s + rtol * np.abs(e)


def _agree(g, e, loose: float = 1.0) -> bool:
    if g is None or e is None or np.shape(g) != np.shape(e) or not np.all(np.isfinite(g)):
        return False
    return bool(np.all(_close(g, e, rtol=checks.RTOL * loose, atol=checks.ATOL * loose)))


# ---------------------------------------------------------------------------------------------------------
# Locate


@dataclass
class Located:
    leaf: Leaf
    t: int | None  # the time index (0-based) of the first wrong slice, or None
    axis: int | None  # the time axis of the leaf's array
    fmt: str | None  # how a slice is named, e.g. "z_{}"
    right_before: bool  # some slice computed before it was compared and is right
    first_step_right: bool  # the first step (in computing order) of this quantity is right, a later one is wrong
    wrong: list = field(default_factory=list)  # every wrong leaf
    right: list = field(default_factory=list)  # every right leaf
    before: list = field(default_factory=list)  # (name, reference slice) computed before it at its step, right


def _time_of(leaf: Leaf, case) -> tuple[int | None, str | None]:
    label = case.labels.get(leaf.path)
    if label and leaf.exp.ndim == 2:
        return label[0], label[1]
    return None, None


def locate(case, result, expected, desc=None) -> Located | None:
    """The first wrong quantity in computing order; None when none can be found (nothing comparable is wrong)."""
    desc = suite_description(case) if desc is None else desc
    ls = leaves(case, result, expected)
    if not ls:
        return None
    backward = _is_backward(case, desc)
    events = []  # (time, chain, leaf, t, axis, fmt)
    wrong, right = [], []
    steps = [leaf.step for leaf in ls if leaf.step is not None]
    n_steps = max(steps) + 1 if steps else 0
    for leaf in ls:
        g = _array(leaf.got, leaf.exp.shape)
        axis, fmt = _time_of(leaf, case)
        if g is None:
            wrong.append(leaf)
            t = leaf.step if leaf.step is not None else 0
            events.append(((n_steps - 1 - t) if backward and leaf.step is not None else t, leaf.order, leaf, None, None, None))
            continue
        ok = _close(g, leaf.exp) & np.isfinite(g)
        if bool(np.all(ok)):
            right.append(leaf)
            continue
        wrong.append(leaf)
        if axis is not None:
            T = leaf.exp.shape[axis]
            bad = np.any(~ok, axis=1 - axis)
            ts = [t for t in range(T) if bad[t]]
            t = ts[-1] if backward else ts[0]
            when = (T - 1 - t) if backward else t
            events.append((when, leaf.order, leaf, t, axis, fmt))
        else:
            t = leaf.step
            when = 0 if t is None else ((n_steps - 1 - t) if backward else t)
            events.append((when, leaf.order, leaf, None, None, None))
    if not events:
        return None
    events.sort(key=lambda e: (e[0], e[1]))
    when, _, leaf, t, axis, fmt = events[0]
    first_step_right = False
    if axis is not None and leaf.exp.shape[axis] > 1:
        first = leaf.exp.shape[axis] - 1 if backward else 0
        first_step_right = t != first
    elif leaf.step is not None and n_steps > 1:
        first_step_right = when > 0
    before = []  # slices computed before the first wrong one, at its time, that are right: (name, array)
    for other in ls:
        if other.order >= leaf.order or other is leaf:
            continue
        g = _array(other.got, other.exp.shape)
        if g is None:
            continue
        o_axis, o_fmt = _time_of(other, case)
        if o_axis is not None and t is not None and other.exp.shape[o_axis] == leaf.exp.shape[axis]:
            gs, es = _slice(g, o_axis, t), _slice(other.exp, o_axis, t)
            if bool(np.all(_close(gs, es, max(1.0, float(np.max(np.abs(other.exp), initial=0.0)))))):
                before.append((o_fmt.format(t + 1), es))
        elif other in right and (other.step is None or other.step == leaf.step):
            before.append((other.path, other.exp))
    right_before = when > 0 or bool(before)
    loc = Located(leaf, t, axis, fmt, right_before, first_step_right, wrong, right)
    loc.before = before
    return loc


def _slice(a: np.ndarray, axis, t):
    return a[t] if axis == 0 else a[:, t]


def _located_mismatch(loc: Located) -> checks.Mismatch | None:
    """The Mismatch of the first wrong slice (its worst entry), as checks.compare would word it."""
    leaf = loc.leaf
    g = _array(leaf.got, leaf.exp.shape)
    if g is None or leaf.scalar:
        return None
    e = leaf.exp
    if loc.axis is not None:
        scale = max(1.0, float(np.max(np.abs(e), initial=0.0)))
        gs, es = _slice(g, loc.axis, loc.t), _slice(e, loc.axis, loc.t)
        if not np.all(np.isfinite(gs)):
            j = int(np.argwhere(~np.isfinite(gs))[0][0])
            index = (loc.t, j) if loc.axis == 0 else (j, loc.t)
            return checks.mismatch(leaf.path, "finite", "not_finite", index=index, got=float(g[index]))
        with np.errstate(all="ignore"):
            err = np.abs(gs - es) / (np.abs(es) + checks.ATOL * scale)
        j = int(np.argmax(err))
        index = (loc.t, j) if loc.axis == 0 else (j, loc.t)
        return checks.mismatch(leaf.path, "value", "value", float(err[j]), index, rel=float(err[j]))
    if not np.all(np.isfinite(g)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(g))[0])
        return checks.mismatch(leaf.path, "finite", "not_finite", index=bad, got=float(g[bad]))
    rel, where = checks.max_rel_error(g, e)
    return checks.mismatch(leaf.path, "value", "value", rel, where, rel=rel)


def _quantity_name(leaf: Leaf, axis, fmt, t) -> str:
    if fmt is not None and t is not None:
        return fmt.format(t + 1)
    return leaf.path


def _symbol(leaf: Leaf, fmt) -> str:
    """The tag's name of a quantity, without its time index: "z_t", "δ_t", "grads[W_O]", "caches[t][gF]"."""
    if fmt is not None:
        return fmt.format("t").replace("{", "").replace("}", "")
    path = re.sub(r"\[(\d+)\]", "[t]", leaf.path) if leaf.step is not None else leaf.path
    return path.replace("'", "")


# ---------------------------------------------------------------------------------------------------------
# Relate


def _scale_names(case, args) -> list[tuple[float, str]]:
    """Named factors: −1, ½, 2, … and 1/T, T, 1/N, … from the case's sizes (label, else the inputs' shapes)."""
    names = [(-1.0, "-1"), (0.5, "1/2"), (2.0, "2"), (-0.5, "-1/2"), (-2.0, "-2"), (0.0, "0")]
    dims = {k: v for k, v in dims_of(case).items() if v > 1}
    for k, v in list(dims.items()):
        names += [(1.0 / v, f"1/{k}"), (float(v), k), (0.5 / v, f"1/(2{k})"), (2.0 / v, f"2/{k}")]
    ks = list(dims)
    for i, a in enumerate(ks):
        for b in ks[i + 1:]:
            names += [(1.0 / (dims[a] * dims[b]), f"1/({a}·{b})"), (float(dims[a] * dims[b]), f"{a}·{b}")]
    return names


def _name_scale(c: float, case, args) -> str | None:
    for value, name in _scale_names(case, args):
        if abs(c - value) <= 1e-9 * max(1.0, abs(value)):
            return name
    return None


def _fit_scale(g, e) -> float | None:
    den = float(np.sum(e * e))
    if den == 0 or not np.all(np.isfinite(g)):
        return None
    c = float(np.sum(g * e)) / den
    return c if _agree(g, c * e, loose=10.0) else None


SCALE_TEXT = {
    "-1": _both("it is the reference times −1: a sign is flipped (e.g. y − ŷ for ŷ − y, or a − for a +)",
                "参照解の −1 倍です。符号が反転しています（例: ŷ − y の代わりに y − ŷ、+ の代わりに −）"),
    "1/2": _both("it is half the reference: a factor ½ too many (or a 2 missing)",
                 "参照解のちょうど半分です。余分な ½ があるか、2 が欠けています"),
    "2": _both("it is twice the reference: a factor ½ missing, or a term counted twice",
               "参照解のちょうど 2 倍です。½ が欠けているか、同じ項を 2 回足しています"),
    "0": _both("it is all zeros where the reference is not: the result was never written (the loop did not run, the "
               "initial zeros were returned) or everything was clipped to 0",
               "参照解が 0 でないのにすべて 0 です。結果が書き込まれていない（ループが回っていない、初期化した 0 を返している）か、"
               "すべて 0 に切り捨てられています"),
}


def _scale_text(name: str, hidden: bool) -> dict:
    if name in SCALE_TEXT:
        return SCALE_TEXT[name]
    if name.startswith("1/"):
        return _both(f"it is the reference times {name}: a mean where the lecture has a sum (or an extra division)",
                     f"参照解の {name} 倍です。講義の和の代わりに平均を取っている（または余分に割っている）ようです")
    if name == "other":
        return _both("it is a constant multiple of the reference: a wrong constant factor (a learning rate, ½, a "
                     "normalisation) and the rest right",
                     "参照解の定数倍です。定数の係数（学習率、½、正規化）が違い、それ以外は正しいようです")
    return _both(f"it is the reference times {name}: a sum where the lecture has a mean (or a missing division)",
                 f"参照解の {name} 倍です。講義の平均の代わりに和を取っている（または割り算が抜けている）ようです")


ACTIVATIONS = (
    ("relu", lambda a: np.maximum(a, 0.0)),
    ("identity", lambda a: a),
    ("tanh", np.tanh),
    ("sigmoid", lambda a: 0.5 * (1.0 + np.tanh(0.5 * a))),
    ("1 − tanh²", lambda a: 1.0 - np.tanh(a) ** 2),
    ("exp", np.exp),
)


def _candidates(args, kwargs, expected_leaves, leaf) -> list[tuple[str, np.ndarray]]:
    """Named arrays a missing or extra term could be: the inputs (dict entries too), the other outputs."""
    out = []

    def add(name, a):
        if isinstance(a, np.ndarray) and a.dtype.kind in "fi" and a.size and a.shape == leaf.exp.shape:
            out.append((name, np.asarray(a, dtype=np.float64)))

    for i, a in enumerate(args or ()):
        if isinstance(a, dict):
            for k, v in a.items():
                add(str(k), v)
        else:
            add(f"#{i}", a)
    for other in expected_leaves:
        if other is not leaf:
            add(other.path, other.exp)
    return out


def relate(case, loc: Located, args, kwargs, all_leaves, hidden: bool, desc: dict) -> tuple[list, list]:
    """(tags, texts) of the transformations of the reference the first wrong quantity is."""
    leaf = loc.leaf
    e = leaf.exp
    g = _array(leaf.got, e.shape)
    tags, texts = [], []
    if g is None:
        return tags, texts
    finite = np.isfinite(g)
    if not np.all(finite):
        inf = bool(np.any(np.isinf(g)))
        tags.append("nonfinite:inf" if inf else "nonfinite:nan")
        texts.append(_both("the first non-finite value appears there: an exp of a large number overflows (shift by "
                           "each row's own maximum before exp), or a log 0, 0/0 or ∞ − ∞",
                           "最初の有限でない値がそこに現れます。大きな数の exp がオーバーフローしている（exp の前に各行"
                           "自身の最大値を引く）か、log 0、0/0、∞ − ∞ です"))
        return tags, texts
    # an activation of a right quantity computed just before it (z_t = relu(u_t) where tanh belongs)
    if loc.axis is not None and loc.t is not None:
        gs = _slice(g, loc.axis, loc.t)
        es = _slice(e, loc.axis, loc.t)
        for name, r in reversed(loc.before):
            if np.shape(r) != np.shape(gs):
                continue
            for act, f in ACTIVATIONS:
                with np.errstate(all="ignore"):
                    v = f(r)
                if _agree(gs, v) and not _agree(es, v):
                    tags.append(f"activation:{act}")
                    sym = _quantity_name(leaf, loc.axis, loc.fmt, loc.t)
                    texts.append(_both(f"{sym} equals {act}({name}): check the activation (the lecture's f, σ for a gate)",
                                       f"{sym} が {act}({name}) に一致します。活性化関数（講義の f、ゲートなら σ）を確かめてください"))
                    return tags, texts
    # a scalar multiple
    c = _fit_scale(g, e)
    if c is not None and not _agree(g, e):
        name = _name_scale(c, case, args) or "other"
        tags.append(f"scale:{name}")
        texts.append(_scale_text(name, hidden))
        return tags, texts
    # transpose (a square array)
    if e.ndim == 2 and e.shape[0] == e.shape[1] and _agree(g, e.T):
        tags.append("transpose")
        texts.append(_both("it is the reference transposed: a product in the wrong order, or ᵀ missing/extra",
                           "参照解の転置です。積の順序が逆か、ᵀ の付け忘れ・付けすぎです"))
        return tags, texts
    # time: shifted by one step, reversed
    axis = loc.axis
    if axis is not None and e.shape[axis] > 1:
        T = e.shape[axis]
        sl = (lambda a, s: a[s]) if axis == 0 else (lambda a, s: a[:, s])
        if _agree(sl(g, slice(1, T)), sl(e, slice(0, T - 1))):
            tags.append("time_shift:+1")
            texts.append(_both("from the second step on it equals the reference one step earlier: an index t − 1 "
                               "where t belongs (or the initial state counted as a step)",
                               "2 番目の時刻以降、参照解の 1 時刻前の値に一致します。t の代わりに t − 1 を使っている"
                               "（または初期状態を 1 時刻と数えている）ようです"))
            return tags, texts
        if _agree(sl(g, slice(0, T - 1)), sl(e, slice(1, T))):
            tags.append("time_shift:-1")
            texts.append(_both("it equals the reference one step later: an index t + 1 where t belongs",
                               "参照解の 1 時刻後の値に一致します。t の代わりに t + 1 を使っているようです"))
            return tags, texts
        if _agree(np.flip(g, axis=axis), e):
            tags.append("time_reversed")
            texts.append(_both("it is the reference in reversed time: the loop or the stacking runs the wrong way",
                               "参照解を時間反転したものです。ループまたは積み重ねの向きが逆です"))
            return tags, texts
    # no time axis: entries shifted by one along the first axis, or left unwritten (zeros) where the reference is not
    if axis is None and e.ndim >= 1 and e.shape[0] > 1:
        n = e.shape[0]
        if _agree(g[1:], e[:-1]) and not _agree(g, e):
            tags.append("index_shift:+1")
            texts.append(_both("from the second entry (row) on it equals the reference's previous one: an index off "
                               "by one (k − 1 where k belongs, or a range starting one too early)",
                               "2 番目の要素（行）以降が参照解の 1 つ前の値に一致します。添字が 1 つずれています"
                               "（k の代わりに k − 1、または 1 つ早く始まる range）"))
            return tags, texts
        if _agree(g[:-1], e[1:]):
            tags.append("index_shift:-1")
            texts.append(_both("entry (row) k equals the reference's entry k + 1: an index off by one (k + 1 where k "
                               "belongs, or a range starting at 1 instead of 0)",
                               "要素（行）k が参照解の k + 1 番目の値に一致します。添字が 1 つずれています"
                               "（k の代わりに k + 1、または 0 ではなく 1 から始まる range）"))
            return tags, texts
        bad_rows = np.any(~_close(g, e), axis=tuple(range(1, e.ndim))) if e.ndim > 1 else ~_close(g, e)
        zero_rows = np.all(g == 0, axis=tuple(range(1, e.ndim))) if e.ndim > 1 else (g == 0)
        if bad_rows.any() and np.all(zero_rows[bad_rows]):
            where = "last" if bad_rows[-1] and bad_rows.sum() == 1 else "some"
            tags.append(f"unwritten:{where}")
            texts.append(_both(f"the wrong {'row is the last one' if where == 'last' else 'rows (entries) are'}, left "
                               f"at 0: a loop that stops short (range(n − 1)) or a branch that skips them",
                               f"誤っている{'のは最後の行' if where == 'last' else '行（要素）'}で、0 のままです。"
                               f"途中で止まるループ（range(n − 1)）か、それを飛ばす分岐があります"))
            return tags, texts
    # swapped halves of the last axis (e.g. forward | backward states of a BiRNN)
    if e.ndim >= 1 and e.shape[-1] % 2 == 0 and e.shape[-1] >= 2:
        h = e.shape[-1] // 2
        swapped = np.concatenate([e[..., h:], e[..., :h]], axis=-1)
        if _agree(g, swapped):
            names = desc.get("halves", {}).get(leaf.path)
            tags.append("swapped_halves")
            what = f" ({names[0]} and {names[1]})" if names else ""
            texts.append(_both(f"its two halves are swapped{what}: the blocks are concatenated in the wrong order",
                               f"前半と後半が入れ替わっています{what}。ブロックを連結する順序が逆です"))
            return tags, texts
    # the bias column in the wrong place
    if e.ndim == 2 and e.shape[1] > 1 and _agree(g, np.roll(e, -1, axis=1)) or (
            e.ndim == 2 and e.shape[1] > 1 and _agree(g, np.roll(e, 1, axis=1))):
        tags.append("bias_column_moved")
        texts.append(_both("its columns are the reference's, rotated by one: the bias column is last instead of first "
                           "(W̃ = [b W], x̃ = [1; x])",
                           "列が参照解の列を 1 つずらしたものです。バイアスの列が先頭ではなく末尾にあります（W̃ = [b W]、x̃ = [1; x]）"))
        return tags, texts
    # a difference that is one of the case's quantities
    d = g - e
    for name, a in _candidates(args, kwargs, all_leaves, leaf):
        for sign, word_en, word_ja in ((1.0, "an extra", "余分な"), (-1.0, "a missing", "欠けた")):
            if np.any(a != 0) and _agree(d, sign * a, loose=10.0):
                shown = name if not name.startswith("#") else (case.arg_names[int(name[1:])]
                                                             if int(name[1:]) < len(case.arg_names) else name)
                tags.append(f"{'extra' if sign > 0 else 'missing'}_term:{shown}")
                texts.append(_both(f"it differs from the reference by exactly {shown}: {word_en} term {shown}",
                                   f"参照解との差がちょうど {shown} です: {word_ja}項 {shown}"))
                return tags, texts
    # where the difference is
    bad = ~_close(g, e)
    if axis is not None and e.shape[axis] > 1:
        T = e.shape[axis]
        rows = np.any(bad, axis=1 - axis)
        if rows.sum() == 1 and (rows[0] or rows[-1]):
            which = "first" if rows[0] else "last"
            tags.append(f"boundary:{which}_step")
            texts.append(_both(f"only the {which} step is wrong: the start of the recursion ("
                               + ("z_0 = 0, the initial state" if which == "first" else "δ_{T+1} = 0, the last step")
                               + ") or the loop's bound at that end",
                               f"{'最初' if which == 'first' else '最後'}の時刻だけが誤っています。再帰の始まり（"
                               + ("初期状態 z_0 = 0" if which == "first" else "δ_{T+1} = 0、最後の時刻")
                               + "）か、その端のループの範囲を確かめてください"))
            return tags, texts
    if e.ndim == 2 and e.shape[1] > 1:
        cols = np.any(bad, axis=0)
        if cols.sum() == 1 and cols[0]:
            tags.append("bias_column")
            texts.append(_both("only the first column, the bias's, is wrong: the bias term (a column of ones, Σ_t of the "
                               "errors)", "先頭の列（バイアスの列）だけが誤っています。バイアスの項（1 の列、誤差の Σ_t）を確かめてください"))
            return tags, texts
    if e.ndim >= 1 and e.size > 1 and np.allclose(d, d.reshape(-1)[0], rtol=1e-9, atol=1e-12 * max(1.0, np.abs(e).max())):
        tags.append("constant_offset")
        texts.append(_both("it differs from the reference by the same constant everywhere: an extra or missing constant "
                           "term", "参照解との差がどこでも同じ定数です。定数の項が余分か欠けています"))
        return tags, texts
    rel, _ = checks.max_rel_error(g, e)
    if rel < 1e-3:
        tags.append("small_error")
        texts.append(_both("the error is small (below 10⁻³): not a wrong formula but a constant (ε, a step size), a "
                           "float32 intermediate or a rounding",
                           "誤差が小さい（10⁻³ 未満）ので、式の誤りではなく定数（ε、刻み幅）、float32 の途中計算、"
                           "丸めが原因です"))
    return tags, texts


def _swapped_keys(loc: Located, desc: dict) -> tuple[list, list]:
    """Two wrong dict entries (or outputs) that hold each other's reference."""
    wrong = [leaf for leaf in loc.wrong if leaf.key is not None or leaf.step is None]
    for i, a in enumerate(wrong):
        ga = _array(a.got, a.exp.shape)
        for b in wrong[i + 1:]:
            if a.exp.shape != b.exp.shape or (a.step != b.step):
                continue
            gb = _array(b.got, b.exp.shape)
            if _agree(ga, b.exp) and _agree(gb, a.exp):
                na, nb = (a.key or a.path), (b.key or b.path)
                return [f"swapped:{na}<->{nb}"], [_both(f"{na} and {nb} are swapped: each holds the other's value",
                                                         f"{na} と {nb} が入れ替わっています（互いの値を持っています）")]
    return [], []


# ---------------------------------------------------------------------------------------------------------
# the value diagnosis


def _locate_text(case, loc: Located, desc: dict, lang_free=True) -> tuple[list, list]:
    tags, texts = [], []
    leaf = loc.leaf
    keys_wrong = [w.key for w in loc.wrong if w.key is not None and w.step is None]
    keys_right = [r.key for r in loc.right if r.key is not None and r.step is None]
    if keys_wrong and keys_right:  # a dict of gradients: which are wrong, which right
        tags.append("wrong_keys:" + ",".join(keys_wrong))
        wrong_en = ", ".join(key_name(k, desc, "en") for k in keys_wrong)
        wrong_ja = "、".join(key_name(k, desc, "ja") for k in keys_wrong)
        if len(keys_right) <= len(keys_wrong):
            right_en = ", ".join(key_name(k, desc, "en") for k in keys_right)
            right_ja = "、".join(key_name(k, desc, "ja") for k in keys_right)
            texts.append(_both(f"Only {right_en} {'is' if len(keys_right) == 1 else 'are'} right; wrong: {wrong_en}.",
                               f"正しいのは {right_ja} だけで、{wrong_ja} が誤っています。"))
        else:
            texts.append(_both(f"Wrong: {wrong_en}; the other {len(keys_right)} gradients are right.",
                               f"誤っているのは {wrong_ja} で、ほかの {len(keys_right)} 個の勾配は正しいです。"))
        return tags, texts
    if len(keys_wrong) > 1 and not keys_right:  # every gradient wrong: the mistake is in what they share
        tags.append("wrong_keys:all")
        texts.append(_both(f"All {len(keys_wrong)} gradients are wrong: the mistake is in what they share — the "
                           f"gradients carried back from step t + 1, or the error every product starts from; the "
                           f"T = 1 case (nothing carried) shows which gradient the step itself gets wrong.",
                           f"{len(keys_wrong)} 個の勾配がすべて誤っています。誤りはそれらが共有するもの、つまり t + 1 から"
                           f"逆向きに運ぶ勾配か、すべての積の元になる誤差にあります。T = 1 のケース（運ぶものがない）で、"
                           f"1 時刻分の計算がどの勾配を誤るかが分かります。"))
        return tags, texts
    sym = _symbol(leaf, loc.fmt)
    name = _quantity_name(leaf, loc.axis, loc.fmt, loc.t)
    if loc.right_before or len(loc.wrong) > 1 or loc.axis is not None or leaf.step is not None:
        tags.append(f"first_wrong:{sym}")
        if loc.right_before:
            texts.append(_both(f"The first wrong quantity is {name}; everything computed before it is right.",
                               f"最初に誤るのは {name} で、それより前に計算される量はすべて正しいです。"))
        else:
            texts.append(_both(f"The first wrong quantity is {name}, the first one computed.",
                               f"最初に計算される {name} から誤っています。"))
    if loc.first_step_right:
        backward = _is_backward(case, suite_description(case))
        tags.append("recurrence")
        if leaf.step is not None and loc.axis is None:
            texts.append(_both("The first step is right and a later one wrong: what is carried from one step to the "
                               "next (a state, a counter) is wrong.",
                               "最初のステップは正しく、後のステップが誤っています。ステップからステップへ引き継ぐ量"
                               "（状態、カウンタ）が誤っています。"))
        elif backward:
            texts.append(_both("The last step is right and earlier ones are wrong: the step is right, what is carried "
                               "back from t + 1 is wrong.",
                               "最後の時刻は正しく、それより前が誤っています。1 時刻分の計算は正しく、t + 1 から逆向きに"
                               "伝わる量が誤っています。"))
        else:
            texts.append(_both("The first step is right and later ones are wrong: the step is right, the recurrence "
                               "(what is carried from t − 1) is wrong.",
                               "最初の時刻は正しく、それ以降が誤っています。1 時刻分の計算は正しく、再帰（t − 1 から"
                               "引き継ぐ量）が誤っています。"))
    return tags, texts


def diagnose_value(case, result, expected, m, args, kwargs, hidden: bool = False) -> Diagnosis | None:
    """The general diagnosis of a wrong value (or non-finite value) ``m``; None when it has nothing to say."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return _diagnose_value(case, result, expected, m, args, kwargs, hidden)
    except Exception:  # noqa: BLE001 - a result the layer cannot read tells nothing
        return None


def _diagnose_value(case, result, expected, m, args, kwargs, hidden):
    desc = suite_description(case)
    loc = locate(case, result, expected, desc)
    if loc is None:
        return None
    tags, texts = _locate_text(case, loc, desc)
    st, sx = _swapped_keys(loc, desc)
    if st:
        rt, rx = st, sx
    else:
        rt, rx = relate(case, loc, args, kwargs, leaves(case, result, expected), hidden, desc)
    if rx:
        head = rx[0]
        texts.append(_both(_cap(head["en"]) + ".", head["ja"] + "。"))
    tags += rt
    if not tags:
        return None
    new = _located_mismatch(loc)
    if new is not None and (new.path, new.index) == (m.path, m.index):
        new = None
    return Diagnosis(tuple(tags), _join(texts), new)


# ---------------------------------------------------------------------------------------------------------
# shapes, types, structure


def _dim_names(case, args, size: int) -> list[str]:
    """The case's sizes that equal ``size``: "T", "H+1", …"""
    out = []
    for k, v in dims_of(case).items():
        if v == size:
            out.append(k)
        if v + 1 == size:
            out.append(f"{k}+1")
    return out


def diagnose_shape(case, m, hidden: bool = False) -> Diagnosis | None:
    """A wrong shape related to the expected one: transposed, one row or column off, an axis too many or missing."""
    try:
        exp, got = tuple(m.facts.get("expected", ())), tuple(m.facts.get("got", ()))
    except TypeError:
        return None
    if not exp and not got:
        return None
    if len(exp) == 2 and got == exp[::-1]:
        return Diagnosis(("shape:transposed",), _both(
            "Your result is the transpose of what is expected: check the order of the product (A B vs B A) and the ᵀ's.",
            "結果が期待される形の転置になっています。積の順序（A B と B A）と ᵀ を確かめてください。"))
    if len(exp) == len(got) and sum(a != b for a, b in zip(exp, got)) == 1:
        i = next(i for i, (a, b) in enumerate(zip(exp, got)) if a != b)
        names = _dim_names(case, None, exp[i])
        what = f" ({' or '.join(names)})" if names else ""
        if got[i] == exp[i] - 1:
            return Diagnosis((f"shape:one_fewer:axis{i}",), _both(
                f"Axis {i} has one entry too few{what}: a bias column or row left out, or a time step (z_0, the last "
                f"step) dropped by the loop's range.",
                f"軸 {i} の要素が 1 つ足りません{what}。バイアスの列や行を忘れたか、ループの範囲で時刻（z_0 や最後の時刻）が"
                f"抜けています。"))
        if got[i] == exp[i] + 1:
            return Diagnosis((f"shape:one_more:axis{i}",), _both(
                f"Axis {i} has one entry too many{what}: the bias column kept where it is not part of the result, or "
                f"the initial state z_0 included.",
                f"軸 {i} の要素が 1 つ多すぎます{what}。結果に含めないバイアスの列や初期状態 z_0 を含めています。"))
        return Diagnosis((f"shape:axis{i}",), _both(
            f"Axis {i} has the wrong size{what}: check which of T, H, d, m it should have.",
            f"軸 {i} の大きさが違います{what}。T、H、d、m のどれであるべきか確かめてください。"))
    n_exp, n_got = int(np.prod(exp)) if exp else 1, int(np.prod(got)) if got else 1
    if len(got) == len(exp) + 1 and 1 in got:
        return Diagnosis(("shape:extra_axis",), _both(
            "An axis of length 1 too many: keepdims=True, a column vector (n, 1) where a vector (n,) belongs, or "
            "x[None].", "長さ 1 の軸が余分です。keepdims=True や、ベクトル (n,) の代わりに列ベクトル (n, 1) を使っています。"))
    if len(got) + 1 == len(exp) and 1 in exp:
        return Diagnosis(("shape:missing_axis",), _both(
            "An axis of length 1 is missing: keep it (keepdims=True, reshape) as the docstring's shape has it.",
            "長さ 1 の軸がありません。docstring の形のとおり（keepdims=True や reshape で）残してください。"))
    if n_exp == n_got:
        return Diagnosis(("shape:reshaped",), _both(
            "The right number of entries in the wrong shape: a reshape or ravel where the docstring keeps the axes.",
            "要素数は正しいのに形が違います。docstring の軸を保たずに reshape や ravel をしています。"))
    if not got:
        return Diagnosis(("shape:scalar",), _both(
            "A single number where an array belongs: a sum over every axis (np.sum without axis=).",
            "配列の代わりに 1 つの数になっています。axis= を付けずにすべての軸で和を取っています。"))
    if len(got) < len(exp):
        return Diagnosis(("shape:reduced",), _both(
            "An axis is missing: a sum or mean over an axis that the result keeps (check axis=).",
            "軸が 1 つ足りません。結果に残すべき軸で和や平均を取っています（axis= を確かめてください）。"))
    return Diagnosis(("shape:other",), _both(
        "Work out the shape of each intermediate quantity on paper from the docstring's shapes.",
        "docstring の形から、途中の各量の形を紙に書き出して確かめてください。"))


def diagnose_type(case, m, result) -> Diagnosis | None:
    """A result of the wrong kind: None (a missing return), float32, ints, a list of arrays …"""
    code, facts = m.code, m.facts
    if code == "wrong_dtype":
        got = str(facts.get("got", ""))
        kind = "float32" if got == "float32" else "int" if got.startswith(("int", "uint")) else (
            "bool" if got == "bool" else "other")
        text = {
            "float32": _both("A float32 crept in (np.float32, astype, or an array created with dtype=np.float32): "
                             "compute in float64.",
                             "float32 が混ざっています（np.float32、astype、dtype=np.float32 で作った配列）。float64 で計算してください。"),
            "int": _both("An integer array: np.zeros_like or np.empty_like of an integer array, integer division //, or "
                         "np.array of ints; create float arrays.",
                         "整数の配列です。整数配列の np.zeros_like、整数の割り算 //、整数の np.array が原因です。float の配列を作ってください。"),
            "bool": _both("A boolean array: a comparison returned instead of a value.",
                          "真偽値の配列です。値ではなく比較の結果を返しています。"),
            "other": _both("Compute in float64 throughout.", "最後まで float64 で計算してください。"),
        }[kind]
        return Diagnosis((f"dtype:{kind}",), text)
    if code == "wrong_type":
        got = facts.get("got") or ()
        if got and got[0] == "none":
            return Diagnosis(("type:none",), _both(
                "None is what a function without a return statement gives: return the result (or the function "
                "modified something and returned nothing).",
                "None は return 文のない関数が返す値です。結果を return してください。"))
        if got and got[0] == "object" and got[1] in ("tuple", "list") or got and got[0] == "entry":
            return Diagnosis(("type:sequence",), _both(
                "A list or tuple where one array belongs: build the result with np.array / np.stack, or return "
                "only the item asked for.",
                "配列 1 つの代わりにリストやタプルになっています。np.array / np.stack でまとめるか、求められた要素だけを返してください。"))
        if got and got[0] == "complex":
            return Diagnosis(("type:complex",), _both(
                "A complex number: eigenvalues are complex; take np.abs (the modulus) before the maximum.",
                "複素数です。固有値は複素数なので、最大値の前に np.abs（絶対値）を取ってください。"))
        return Diagnosis(("type:other",), _both("Return what the docstring lists, as numpy arrays of floats.",
                                               "docstring に書かれたものを float の numpy 配列で返してください。"))
    if code == "wrong_length":
        return Diagnosis(("structure:length",), _both(
            "The tuple has the wrong number of items: return exactly the docstring's outputs, in its order.",
            "タプルの要素数が違います。docstring の出力を、その順に、過不足なく返してください。"))
    if code == "wrong_keys":
        missing = facts.get("missing") or []
        return Diagnosis(("structure:keys",), _both(
            f"Use exactly the keys of the docstring{(' (missing: ' + ', '.join(map(str, missing)) + ')') if missing else ''}; "
            f"a key's spelling and case matter.",
            f"docstring のキーをそのまま使ってください{('（ないキー: ' + '、'.join(map(str, missing)) + '）') if missing else ''}。"
            f"綴りと大文字・小文字も区別されます。"))
    if code == "not_finite_number":
        return Diagnosis(("nonfinite:number",), _both(
            "A log of 0 or an overflow: only entries with y > 0 enter −Σ y log ŷ (0 · log 0 = 0); shift before exp.",
            "log 0 またはオーバーフローです。−Σ y log ŷ には y > 0 の要素だけを入れ（0 · log 0 = 0）、exp の前にずらしてください。"))
    return None


def diagnose_number(case, m, result, expected, args) -> Diagnosis | None:
    """A wrong scalar (a loss, a norm): a named factor of the reference, or its negative."""
    try:
        g = float(checks.as_float(result, "")) if not isinstance(result, checks.Mismatch) else None
    except Exception:  # noqa: BLE001
        return None
    e = float(expected)
    if g is None or e == 0 or not np.isfinite(g):
        return None
    c = g / e
    name = _name_scale(c, case, args)
    if name is not None:
        return Diagnosis((f"scale:{name}",), _both(_cap(_scale_text(name, False)["en"]) + ".",
                                                   _scale_text(name, False)["ja"] + "。"))
    if abs(c - 1) < 1e-3:
        return Diagnosis(("small_error",), _both(
            "The error is small (below 10⁻³): a constant (ε, a clip) or float32, not a wrong formula.",
            "誤差が小さい（10⁻³ 未満）ので、式の誤りではなく定数（ε、クリップ）か float32 が原因です。"))
    return None


def diagnose_mismatch(case, result, expected, m, args, kwargs, hidden: bool = False) -> Diagnosis | None:
    """The general diagnosis of any Mismatch from checks.compare (value, finite, shape, type, structure)."""
    try:
        if m.kind in ("value", "finite"):
            if m.code == "value_number" and isinstance(expected, float):
                return diagnose_number(case, m, result, expected, args)
            return diagnose_value(case, result, expected, m, args, kwargs, hidden)
        if m.kind == "shape":
            return diagnose_shape(case, m, hidden)
        if m.kind in ("type", "dtype", "structure") or m.code == "not_finite_number":
            return diagnose_type(case, m, result)
    except Exception:  # noqa: BLE001
        return None
    return None


# ---------------------------------------------------------------------------------------------------------
# crashes


_SHAPES = re.compile(r"\((\d+(?:,\s*\d+)*,?)\)|\(\)")


def _parse_shapes(text: str) -> list[tuple]:
    out = []
    for m in re.finditer(r"\((\d*(?:,\s*\d+)*,?)\)", text or ""):
        inner = m.group(1).strip().rstrip(",")
        out.append(tuple(int(x) for x in inner.split(",") if x.strip()) if inner else ())
    return out


def input_shapes(case, args, kwargs) -> dict:
    """{name: shape} of the case's inputs (dict entries by key): what the grader knows of them."""
    out = {}
    names = list(case.arg_names) or [f"argument {i + 1}" for i in range(len(args or ()))]
    for n, a in zip(names, args or ()):
        if isinstance(a, np.ndarray):
            out[n] = a.shape
        elif isinstance(a, dict):
            for k, v in a.items():
                if isinstance(v, np.ndarray):
                    out[f"{n}[{k!r}]"] = v.shape
        elif isinstance(a, (list, tuple)) and a and isinstance(a[0], dict):
            for k, v in a[0].items():
                if isinstance(v, np.ndarray):
                    out[f"{n}[t][{k!r}]"] = v.shape
    return out


def _named(shape: tuple, shapes: dict) -> str:
    names = [n for n, s in shapes.items() if tuple(s) == tuple(shape)]
    return f" = {' or '.join(names[:3])}" if names else ""


def _fit(a: tuple, b: tuple) -> str | None:
    """The product of operands of shapes a and b that fits, when a @ b does not."""
    def ok(x, y):
        if len(x) == 0 or len(y) == 0:
            return False
        kx = x[-1]
        ky = y[0] if len(y) == 1 else y[-2]
        return kx == ky
    if len(a) == 2 and ok(a[::-1], b):
        return "Aᵀ B"
    if len(b) == 2 and ok(a, b[::-1]):
        return "A Bᵀ"
    if ok(b, a):
        return "B A"
    if len(a) == 2 and len(b) == 2 and ok(b[::-1], a[::-1]):
        return "Bᵀ Aᵀ"
    return None


def _sym_shape(shape: tuple, dims: dict) -> str:
    """A shape in the lecture's sizes when each axis is one of them, e.g. (4, 3) -> "(H, d+1)"; "" otherwise."""
    out = []
    for n in shape:
        names = [k for k, v in dims.items() if v == n] + [f"{k}+1" for k, v in dims.items() if v + 1 == n]
        if len(names) != 1:
            return ""
        out.append(names[0])
    return "(" + ", ".join(out) + ("," if len(out) == 1 else "") + ")"


def _operand_shape(node, case, args):
    """The shape of a product's operand when the grader knows it: an argument by name, its .T, a dict
    argument's entry by a constant key, and a slice of one of those along the first axes; else None."""
    import ast

    names = list(case.arg_names)
    values = dict(zip(names, args or ()))
    if isinstance(node, ast.Name) and isinstance(values.get(node.id), np.ndarray):
        return values[node.id].shape
    if isinstance(node, ast.Attribute) and node.attr == "T":
        inner = _operand_shape(node.value, case, args)
        return None if inner is None else tuple(reversed(inner))
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        base = values.get(node.value.id)
        key = node.slice
        if isinstance(base, dict) and isinstance(key, ast.Constant) and isinstance(base.get(key.value), np.ndarray):
            return base[key.value].shape
    return None


def _matmuls(line: str):
    """The (left, right) operand nodes and their source text of every product ``a @ b`` / np.dot(a, b) on a line."""
    import ast

    try:
        tree = ast.parse(line.strip().removeprefix("return ").rstrip(":"), mode="exec")
    except SyntaxError:
        try:
            tree = ast.parse(line.strip().split("=", 1)[-1].strip(), mode="exec")
        except SyntaxError:
            return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            out.append((node.left, node.right))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("dot", "matmul")
              and len(node.args) == 2):
            out.append((node.args[0], node.args[1]))
    return out


def _t(expr: str) -> str:
    """The transpose of an operand's text: X.T -> X, W -> Wᵀ, (a + b) -> (a + b)ᵀ."""
    if expr.endswith(".T"):
        return expr[:-2]
    return f"{expr}ᵀ" if re.fullmatch(r"[\w\[\]'\"., :]+", expr) and " " not in expr else f"({expr})ᵀ"


def _product_text(line: str, case, args) -> tuple[str, str] | None:
    """The product on the line whose operand shapes the grader knows and that does not fit, in words."""
    import ast

    dims = dims_of(case)
    for left, right in _matmuls(line):
        a, b = _operand_shape(left, case, args), _operand_shape(right, case, args)
        if a is None and b is None:
            continue
        la, lb = ast.unparse(left), ast.unparse(right)
        if a is not None and b is not None:
            ka, kb = a[-1] if a else None, (b[0] if len(b) == 1 else b[-2]) if b else None
            if ka == kb:
                continue
            fit = _fit(a, b)
            if fit:
                fit = " ".join({"A": la, "B": lb, "Aᵀ": _t(la), "Bᵀ": _t(lb)}[w] for w in fit.split())
            sa, sb = _sym_shape(a, dims), _sym_shape(b, dims)
            en = (f"{la} {a}{' = ' + sa if sa else ''} @ {lb} {b}{' = ' + sb if sb else ''} does not fit"
                  + (f"; {fit} does" if fit else ""))
            ja = (f"{la} {a}{' = ' + sa if sa else ''} @ {lb} {b}{' = ' + sb if sb else ''} は形が合いません"
                  + (f"。{fit} なら合います" if fit else ""))
            return en, ja
        known, name, side = (a, la, "left") if a is not None else (b, lb, "right")
        other = lb if side == "left" else la
        sk = _sym_shape(known, dims)
        need = known[-1] if side == "left" else (known[0] if len(known) == 1 else known[-2])
        en = (f"{name} is {known}{' = ' + sk if sk else ''}, so {other} must have {need} "
              f"{'rows' if side == 'left' else 'columns'} (entries) for {la} @ {lb}")
        ja = (f"{name} は {known}{' = ' + sk if sk else ''} なので、{la} @ {lb} の {other} は"
              f"{'行' if side == 'left' else '列'}（要素）が {need} 個でなければなりません")
        return en, ja
    return None


def _line_has(line: str, *needles) -> bool:
    return any(n in (line or "") for n in needles)


def diagnose_exception(case, exc_type: str, message: str, line_text: str, args, kwargs,
                       hidden: bool = False) -> Diagnosis:
    """The diagnosis of an exception the student's function raised (always one: at least its kind). For a hidden
    case ``message`` is not read (it is the student's to choose): only the type, the source line and the inputs."""
    try:
        return _diagnose_exception(case, exc_type or "", "" if hidden else (message or ""), line_text or "",
                                   args, kwargs, hidden)
    except Exception:  # noqa: BLE001
        return Diagnosis(("crash:other",), _both("", ""))


def _diagnose_exception(case, t, msg, line, args, kwargs, hidden):
    shapes = input_shapes(case, args, kwargs)
    dims = dims_of(case)
    quoted_en = f" (line: `{line.strip()[:80]}`)" if line.strip() else ""
    quoted_ja = f"（該当行: `{line.strip()[:80]}`）" if line.strip() else ""
    small = [k for k in ("T", "H") if dims.get(k) == 1]
    hidden_en = (f" This case has {' and '.join(k + ' = 1' for k in small)}: check that the code works for that size "
                 f"(a squeeze, a range(1, T), a [0] that drops an axis).") if hidden and small else ""
    hidden_ja = (f"このケースは {'、'.join(k + ' = 1' for k in small)} です。その大きさでも動くか確かめてください"
                 f"（squeeze、range(1, T)、軸を落とす [0]）。") if hidden and small else ""
    if t in ("TypeError", "ValueError") and re.search(r"not None as shape|must be a positive integer, not None", msg):
        return Diagnosis(("crash:none", "crash:none:shape"), _both(
            f"None used as a size{quoted_en}: a shape (T, H) built from a variable that is None (set to None, or the "
            f"result of a function without return).",
            f"大きさとして None を使っています{quoted_ja}。形 (T, H) を None の変数（None を代入したか、return のない関数の戻り値）から作っています。"))
    if t == "ValueError" and re.search(r"does not have enough dimensions \(has 0", msg):
        return Diagnosis(("crash:shape", "crash:shape:scalar_operand"), _both(
            f"An operand of a matrix product is a single number{quoted_en}: a sum without axis=, an index that picked "
            f"one entry, or a constant where a vector or matrix belongs.",
            f"行列積の片方が 1 つの数になっています{quoted_ja}。axis= のない和、1 要素だけを取り出した添字、ベクトルや行列の代わりの定数です。"))
    if (t in ("ValueError", "TypeError") and re.search(r"einstein sum|subscript must be|shape-mismatch for sum", msg)) or (
            not msg and t == "ValueError" and _line_has(line, "einsum", "tensordot")):
        return Diagnosis(("crash:shape", "crash:shape:einsum"), _both(
            f"An einsum or tensordot whose subscripts do not match its operands{quoted_en}: one letter per axis of "
            f"each operand, the same letter for axes that are summed together (the inputs here: {_shapes_text(shapes)}).",
            f"einsum または tensordot の添字が引数と合いません{quoted_ja}。各引数の軸ごとに 1 文字、足し合わせる軸には同じ文字を使います"
            f"（このケースの入力: {_shapes_text(shapes)}）。"))
    if t == "TypeError" and re.search(r"to stack must be passed as a .sequence", msg):
        return Diagnosis(("crash:type", "crash:type:stack"), _both(
            f"np.stack / np.vstack / np.hstack take a list of arrays{quoted_en}, not a generator or a single array.",
            f"np.stack / np.vstack / np.hstack は配列のリストを取ります{quoted_ja}。ジェネレータや配列 1 つではありません。"))
    if t in ("ValueError", "LinAlgError") and (re.search(r"matmul|not aligned|core dimension|mismatch in its", msg)
                                               or (not msg and _line_has(line, "@", "dot(", "matmul"))):
        ss = _parse_shapes(msg)
        if "not aligned" in msg and len(ss) >= 2:
            a, b = ss[0], ss[1]
            fit = _fit(a, b)
            en = (f"A matrix product whose shapes do not fit: A {a}{_named(a, shapes)} times B {b}{_named(b, shapes)}"
                  + (f"; {fit} fits (a transpose missing or extra, or the operands in the wrong order)" if fit else
                     "; write the shape of each operand next to the lecture's equation")
                  + f"{quoted_en}.")
            ja = (f"形の合わない行列積です: A {a}{_named(a, shapes)} と B {b}{_named(b, shapes)}"
                  + (f"。{fit} なら合います（ᵀ の付け忘れ・付けすぎ、または順序が逆）" if fit else "。講義の式の各項の形を書き出してください")
                  + f"{quoted_ja}。")
            return Diagnosis(("crash:shape", "crash:shape:matmul"), _both(en, ja))
        m2 = re.search(r"size (\d+) is different from (\d+)", msg)
        sizes = f" (inner sizes {m2.group(1)} and {m2.group(2)})" if m2 else ""
        product = _product_text(line, case, args)
        if product is not None:
            return Diagnosis(("crash:shape", "crash:shape:matmul"), _both(
                f"A matrix product whose shapes do not fit{quoted_en}: {product[0]} — a ᵀ missing or extra, or the "
                f"operands in the wrong order.",
                f"形の合わない行列積です{quoted_ja}。{product[1]}（ᵀ の付け忘れ・付けすぎ、または順序が逆）。"))
        return Diagnosis(("crash:shape", "crash:shape:matmul"), _both(
            f"A matrix product whose inner sizes do not match{sizes}{quoted_en}: the inputs here are "
            f"{_shapes_text(shapes)}; write each operand's shape under the lecture's equation — a ᵀ missing or extra, "
            f"or the operands in the wrong order.{hidden_en}",
            f"内側の大きさが合わない行列積です{sizes}{quoted_ja}。このケースの入力は {_shapes_text(shapes)} です。講義の式の"
            f"各項の形を書き出してください（ᵀ の付け忘れ・付けすぎ、または順序が逆）。{hidden_ja}"))
    if t == "ValueError" and re.search(r"operands could not be broadcast|non-broadcastable output", msg):
        ss = _parse_shapes(msg)
        pair = f" ({' and '.join(str(s) + _named(s, shapes) for s in ss[:2])})" if len(ss) >= 2 else ""
        return Diagnosis(("crash:shape", "crash:shape:broadcast"), _both(
            f"An element-wise operation on arrays of shapes that do not broadcast{pair}{quoted_en}: one operand is "
            f"transposed, has the bias entry (H+1 instead of H), or is a whole sequence where one step belongs.{hidden_en}",
            f"形がブロードキャストできない配列どうしの要素ごとの演算です{pair}{quoted_ja}。片方が転置されているか、バイアス分の要素"
            f"（H ではなく H+1）を含むか、1 時刻分の代わりに系列全体になっています。{hidden_ja}"))
    if t == "ValueError" and re.search(r"could not broadcast input array|setting an array element|cannot reshape|"
                                        r"all the input array", msg):
        return Diagnosis(("crash:shape", "crash:shape:assign"), _both(
            f"An array does not fit where it is stored or stacked{quoted_en}: the slice and the value have different "
            f"shapes (a row for a column, H+1 for H, T−1 for T).",
            f"配列を格納・連結する先と形が合いません{quoted_ja}。スライスと値の形が違います（行と列、H+1 と H、T−1 と T）。"))
    if t == "IndexError":
        m2 = re.search(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)", msg)
        if m2:
            i, ax, n = int(m2.group(1)), int(m2.group(2)), int(m2.group(3))
            edge = i == n or i == -n - 1
            what = [k for k, v in dims.items() if v == n]
            if edge:
                return Diagnosis(("crash:index", "crash:index:off_by_one"), _both(
                    f"Index {i} on an axis of size {n}{' (' + ' or '.join(what) + ')' if what else ''}: one past the end, "
                    f"an off-by-one at the loop's edge (range(T + 1), t + 1 at the last step, or a 1-based t){quoted_en}.",
                    f"大きさ {n} の軸に添字 {i}{'（' + '、'.join(what) + '）' if what else ''}: 末尾の 1 つ先です。ループの端の"
                    f"1 つずれ（range(T + 1)、最後の時刻での t + 1、1 始まりの t）です{quoted_ja}。"))
            return Diagnosis(("crash:index",), _both(
                f"Index {i} on axis {ax} of size {n}{quoted_en}: the index runs over the wrong size (T for H, or the "
                f"wrong axis).",
                f"大きさ {n} の軸 {ax} に添字 {i}{quoted_ja}: 添字が別の大きさ（H の代わりに T、または別の軸）を走っています。"))
        if re.search(r"too many indices", msg):
            return Diagnosis(("crash:index", "crash:index:too_many"), _both(
                f"Too many indices for the array{quoted_en}: it has fewer axes than you index (a vector indexed as a "
                f"matrix, x[t, :] on one step's vector).",
                f"配列の軸より多くの添字を使っています{quoted_ja}。ベクトルを行列として添字付けしています。"))
        edge = _line_has(line, "t + 1", "t+1", "t - 1", "t-1", "[T]", "T + 1", "T+1")
        return Diagnosis(("crash:index", "crash:index:off_by_one") if edge else ("crash:index",), _both(
            (f"An index out of range{quoted_en}" + (": t ± 1 at the edge of the time loop, an off-by-one" if edge
                                                    else ": an index beyond the axis's size (an off-by-one, or T for H)")
             + f".{hidden_en}"),
            (f"範囲外の添字です{quoted_ja}" + ("。時間ループの端での t ± 1、1 つずれです" if edge
                                            else "。軸の大きさを超えた添字です（1 つずれ、または H の代わりに T）")
             + f"。{hidden_ja}")))
    if t == "KeyError":
        keys = sorted({k for a in (args or ()) for k in _dict_keys(a)})
        quoted = f" {msg.strip()[:60]}" if msg else ""
        return Diagnosis(("crash:key",), _both(
            f"A key that is not there{quoted}{quoted_en}: the keys given are {', '.join(keys) if keys else 'none'} "
            f"(spelling and case matter; a cache holds exactly the keys the docstring lists).",
            f"存在しないキーです{quoted}{quoted_ja}。渡されるキーは {'、'.join(keys) if keys else 'なし'} です"
            f"（綴りと大文字・小文字を区別します。キャッシュは docstring のキーだけを持ちます）。"))
    if t == "TypeError":
        if "NoneType" in msg or (not msg and "None" in line):
            return Diagnosis(("crash:none",), _both(
                f"None used as a number or an array{quoted_en}: a variable set to None, or a function that returns "
                f"nothing (no return statement).",
                f"None を数や配列として使っています{quoted_ja}。None を代入した変数か、return のない関数の戻り値です。"))
        if re.search(r"not subscriptable|not iterable|unpack", msg):
            return Diagnosis(("crash:type", "crash:type:structure"), _both(
                f"Something indexed or unpacked is not what the docstring says{quoted_en} (a number for an array, a "
                f"tuple of the wrong length).",
                f"添字付けや展開をしている値が docstring と違います{quoted_ja}（配列の代わりに数、長さの違うタプル）。"))
        if re.search(r"argument|positional|keyword", msg):
            return Diagnosis(("crash:type", "crash:type:call"), _both(
                f"A call with the wrong arguments{quoted_en}: check the signature of the function you call (and "
                f"numpy's: np.zeros((T, H)) takes one shape tuple).",
                f"引数が違う呼び出しです{quoted_ja}。呼び出す関数のシグネチャを確かめてください（np.zeros((T, H)) は形のタプル 1 つを取ります）。"))
        return Diagnosis(("crash:type",), _both(
            f"An operation on a value of the wrong type{quoted_en}: a number, None, a list or a dict where an array "
            f"belongs.{hidden_en}",
            f"型の違う値に対する演算です{quoted_ja}。配列の代わりに数、None、リスト、dict になっています。{hidden_ja}"))
    if t in ("NameError", "UnboundLocalError"):
        return Diagnosis(("crash:name",), _both(
            f"A name used before it is assigned{quoted_en}: a variable set only inside a loop or branch that did not "
            f"run (T = 1), or a typo.",
            f"代入前の名前を使っています{quoted_ja}。実行されなかったループや分岐（T = 1）の中でだけ代入した変数か、綴りの誤りです。"))
    if t == "ZeroDivisionError":
        return Diagnosis(("crash:zero_division",), _both(
            f"A division by zero{quoted_en}: a count that is 0 here (T − 1 for T = 1, a bias correction 1 − βᵗ at "
            f"t = 0).",
            f"0 での割り算です{quoted_ja}。ここでは 0 になる数（T = 1 での T − 1、t = 0 でのバイアス補正 1 − βᵗ）です。"))
    if t == "AttributeError":
        return Diagnosis(("crash:attribute",), _both(
            f"An attribute that the value does not have{quoted_en}: a list or a number where an ndarray belongs "
            f"(.T, .shape), or a misspelt numpy function.",
            f"値にない属性です{quoted_ja}。ndarray の代わりにリストや数になっている（.T、.shape）か、numpy の関数名の誤りです。"))
    if t == "RecursionError":
        return Diagnosis(("crash:recursion",), _both(
            f"Endless recursion{quoted_en}: a function that calls itself without reaching a base case.",
            f"終わらない再帰です{quoted_ja}。基底に届かないまま自分自身を呼んでいます。"))
    if t in ("OverflowError", "FloatingPointError"):
        return Diagnosis(("crash:overflow",), _both(
            f"A number too large{quoted_en}: an exp or a power of a large value; shift before exp.",
            f"大きすぎる数です{quoted_ja}。大きな値の exp やべき乗です。exp の前にずらしてください。"))
    if t == "ValueError":
        return Diagnosis(("crash:value",), _both(
            f"A ValueError{quoted_en}: usually shapes that do not fit (the inputs here: {_shapes_text(shapes)}) or "
            f"an argument out of its range.{hidden_en}",
            f"ValueError です{quoted_ja}。多くは形が合わないか（このケースの入力: {_shapes_text(shapes)}）、引数が範囲外です。{hidden_ja}"))
    if t == "AssertionError":
        return Diagnosis(("crash:assert",), _both(
            f"Your own assert failed{quoted_en}: the condition it checks does not hold for these inputs.",
            f"あなた自身の assert が失敗しました{quoted_ja}。このケースの入力ではその条件が成り立ちません。"))
    return Diagnosis(("crash:other",), _both(
        f"An exception{quoted_en}: the inputs here are {_shapes_text(shapes)}.{hidden_en}",
        f"例外です{quoted_ja}。このケースの入力は {_shapes_text(shapes)} です。{hidden_ja}"))


def _dict_keys(a):
    if isinstance(a, dict):
        return [str(k) for k in a]
    if isinstance(a, (list, tuple)) and a and isinstance(a[0], dict):
        return [str(k) for k in a[0]]
    return []


def _shapes_text(shapes: dict) -> str:
    items = [f"{n} {tuple(s)}" for n, s in list(shapes.items())[:6]]
    return ", ".join(items) if items else "—"


# ---------------------------------------------------------------------------------------------------------
# no result: timeouts and crashed processes


def diagnose_no_result(case, kind: str) -> Diagnosis | None:
    """A timeout or a crashed worker, by its kind (the grader's own fact)."""
    if kind == "timeout":
        return Diagnosis(("timeout:call",), _both(
            "A loop that never ends: a while loop whose counter is not advanced, or a range over something far "
            "larger than T (a value instead of a size).",
            "終わらないループです。カウンタを進めない while ループか、T よりはるかに大きなもの（大きさではなく値）の range です。"))
    if kind == "total_timeout":
        return Diagnosis(("timeout:total",), _both("", ""))
    if kind == "crashed":
        return Diagnosis(("crash:process",), _both("", ""))
    return None


# ---------------------------------------------------------------------------------------------------------
# across the cases of one function


def step_right_recurrence_wrong(results) -> bool:
    """Whether a function's scored cases with T = 1 all pass while some with T > 1 fail (CaseResults, named
    "function [T=…, …]"): the step is right, the recurrence is wrong."""
    ones, more_failed = [], False
    for r in results:
        if getattr(r, "max_score", 0) <= 0:
            continue
        label = r.name.split("[", 1)[1] if "[" in r.name else ""
        m = re.search(r"\bT=(\d+)\b", label)
        if not m:
            continue
        if int(m.group(1)) == 1:
            ones.append(r.passed)
        elif not r.passed:
            more_failed = True
    return bool(ones) and all(ones) and more_failed
