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
in English and Japanese, every word from the message catalog (autograder/messages/diagnosis.py, keys
``diag_…``): this module chooses the entry and its facts, never the words. A suite module may describe its
quantities for this layer in ``DIAGNOSIS``: ``{"names": {key: {"en", "ja"}}, "backward": {function, …},
"halves": {output: ("forward", "backward")}, "across_time": kind or {function: kind}}``, where the kind says how
time enters a function (ACROSS_TIME): "recurrence" (the default: a state carried from step to step), "window"
(a TDNN's delays over the earlier inputs), "window_back" (its gradient, over the later δ's), "sum" (a sum over
the steps), "steps" (each step alone), "positions" (a softmax or a mean over the T positions) or None (no time
axis to speak of: nothing is said).

Diagnosing never raises: whatever cannot be compared says nothing.
"""

from __future__ import annotations

import ast
import importlib
import re
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import checks
from . import messages


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


#: an empty piece of a sentence, in both languages
NOTHING = {lang: "" for lang in messages.LANGS}


def _say(key: str, **facts) -> dict:
    """{"en": …, "ja": …} of the catalog's entry ``key``; a fact given as {"en": …, "ja": …} (words of another
    entry, a list joined in each language) is taken in the entry's own language, any other fact as it is."""
    return {lang: messages.text(key, lang, **{k: v[lang] if isinstance(v, dict) else v for k, v in facts.items()})
            for lang in messages.LANGS}


def _joined(items, sep: str = "diag_list_sep", name=lambda item, lang: str(item)) -> dict:
    """The items named in each language (``name(item, lang)``) and joined by the catalog's separator ``sep``."""
    return {lang: messages.text(sep, lang).join(name(i, lang) for i in items) for lang in messages.LANGS}


def _sentence(head: dict) -> dict:
    """A head (a Relate's "it is …") as a sentence of its own: capitalised in English, with its full stop."""
    return _say("diag_sentence", text={"en": _cap(head["en"]), "ja": head["ja"]})


def _join(parts: list[dict]) -> dict:
    return {"en": " ".join(p["en"] for p in parts if p.get("en")),
            "ja": "".join(p["ja"] for p in parts if p.get("ja"))}


# ---------------------------------------------------------------------------------------------------------
# the suite's description


def suite_description(case) -> dict:
    """The suite module's DIAGNOSIS ({} when it has none or cannot be imported)."""
    return assignment_description(getattr(case, "assignment", ""))


def assignment_description(name: str) -> dict:
    """The DIAGNOSIS of the suite module ``name`` ({} when it has none or cannot be imported)."""
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
        return messages.text("diag_key_grad_named", lang, key=key, name=own["ja"] if lang == "ja" else own["en"])
    return messages.text("diag_key_grad", lang, key=key)


#: how time enters a function (a suite's DIAGNOSIS "across_time"): kind -> (the tag and the catalog key of the
#: sentence "the first step is right, a later one wrong" of a quantity whose rows are the time steps, computed forward
#: in time, the same computed backward (None: no such sentence, the steps are not computed in turn), the catalog key
#: of the function's summary "the T = 1 cases pass, the T > 1 cases fail"); a list of steps (an optimizer's, a list
#: of caches) is always "recurrence": its state is carried from step to step
ACROSS_TIME = {
    "recurrence": ("recurrence", "diag_recurrence", "diag_recurrence_back", "step_vs_recurrence"),
    "window": ("window", "diag_window", "diag_window", "diag_step_vs_window"),
    "window_back": ("window", "diag_window_back", "diag_window_back", "diag_step_vs_window_back"),
    "sum": (None, None, None, "diag_step_vs_sum"),
    "steps": ("steps_apart", "diag_steps_apart", "diag_steps_apart", "diag_step_vs_steps"),
    "positions": ("steps_apart", "diag_steps_apart", "diag_steps_apart", "diag_step_vs_positions"),
}


def across_time(desc: dict, function: str) -> str | None:
    """How time enters ``function`` by its suite's DIAGNOSIS ("recurrence" unless declared; None: not at all)."""
    kind = desc.get("across_time", "recurrence")
    if isinstance(kind, dict):
        kind = kind.get(function, "recurrence")
    return kind if kind in ACROSS_TIME else None


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


#: the named factors with a sentence of their own (the others: a mean for a sum, a sum for a mean, or "other")
SCALE_TEXT = {"-1": "diag_scale_minus_one", "1/2": "diag_scale_half", "2": "diag_scale_twice", "0": "diag_scale_zero"}


def _scale_text(name: str, hidden: bool) -> dict:
    """The head of the sentence (no capital, no full stop) of a result that is the reference times ``name``."""
    if name in SCALE_TEXT:
        return _say(SCALE_TEXT[name])
    if name.startswith("1/"):
        return _say("diag_scale_mean", factor=name)
    if name == "other":
        return _say("diag_scale_other")
    return _say("diag_scale_sum", factor=name)


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

    def found(tag, key, **facts):
        tags.append(tag)
        texts.append(_say(key, **facts))
        return tags, texts

    finite = np.isfinite(g)
    if not np.all(finite):
        inf = bool(np.any(np.isinf(g)))
        return found("nonfinite:inf" if inf else "nonfinite:nan", "diag_nonfinite_first")
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
                    return found(f"activation:{act}", "diag_activation", act=act, name=name,
                                 quantity=_quantity_name(leaf, loc.axis, loc.fmt, loc.t))
    # a scalar multiple
    c = _fit_scale(g, e)
    if c is not None and not _agree(g, e) and abs(c - 1.0) > 1e-3:  # c ≈ 1: small_error below
        name = _name_scale(c, case, args) or "other"
        tags.append(f"scale:{name}")
        texts.append(_scale_text(name, hidden))
        return tags, texts
    # transpose (a square array)
    if e.ndim == 2 and e.shape[0] == e.shape[1] and _agree(g, e.T):
        return found("transpose", "diag_transpose")
    # time: shifted by one step, reversed
    axis = loc.axis
    if axis is not None and e.shape[axis] > 1:
        T = e.shape[axis]
        sl = (lambda a, s: a[s]) if axis == 0 else (lambda a, s: a[:, s])
        if _agree(sl(g, slice(1, T)), sl(e, slice(0, T - 1))):
            return found("time_shift:+1", "diag_time_shift_back")
        if _agree(sl(g, slice(0, T - 1)), sl(e, slice(1, T))):
            return found("time_shift:-1", "diag_time_shift_ahead")
        if _agree(np.flip(g, axis=axis), e):
            return found("time_reversed", "diag_time_reversed")
    # no time axis: entries shifted by one along the first axis, or left unwritten (zeros) where the reference is not
    if axis is None and e.ndim >= 1 and e.shape[0] > 1:
        if _agree(g[1:], e[:-1]) and not _agree(g, e):
            return found("index_shift:+1", "diag_index_shift_back")
        if _agree(g[:-1], e[1:]):
            return found("index_shift:-1", "diag_index_shift_ahead")
        bad_rows = np.any(~_close(g, e), axis=tuple(range(1, e.ndim))) if e.ndim > 1 else ~_close(g, e)
        zero_rows = np.all(g == 0, axis=tuple(range(1, e.ndim))) if e.ndim > 1 else (g == 0)
        if bad_rows.any() and np.all(zero_rows[bad_rows]):
            where = "last" if bad_rows[-1] and bad_rows.sum() == 1 else "some"
            return found(f"unwritten:{where}", f"diag_unwritten_{where}")
    # swapped halves of the last axis (e.g. forward | backward states of a BiRNN)
    if e.ndim >= 1 and e.shape[-1] % 2 == 0 and e.shape[-1] >= 2:
        h = e.shape[-1] // 2
        swapped = np.concatenate([e[..., h:], e[..., :h]], axis=-1)
        if _agree(g, swapped):
            names = desc.get("halves", {}).get(leaf.path)
            return found("swapped_halves", "diag_swapped_halves",
                         names=_say("diag_halves_names", first=names[0], second=names[1]) if names else NOTHING)
    # the bias column in the wrong place
    if e.ndim == 2 and e.shape[1] > 1 and _agree(g, np.roll(e, -1, axis=1)) or (
            e.ndim == 2 and e.shape[1] > 1 and _agree(g, np.roll(e, 1, axis=1))):
        return found("bias_column_moved", "diag_bias_column_moved")
    # a difference that is one of the case's quantities
    d = g - e
    for name, a in _candidates(args, kwargs, all_leaves, leaf):
        for sign, which in ((1.0, "extra"), (-1.0, "missing")):
            if np.any(a != 0) and _agree(d, sign * a, loose=10.0):
                shown = name if not name.startswith("#") else (case.arg_names[int(name[1:])]
                                                             if int(name[1:]) < len(case.arg_names) else name)
                return found(f"{which}_term:{shown}", f"diag_{which}_term", name=shown)
    # where the difference is
    bad = ~_close(g, e)
    if axis is not None and e.shape[axis] > 1:
        rows = np.any(bad, axis=1 - axis)
        if rows.sum() == 1 and (rows[0] or rows[-1]):
            which = "first" if rows[0] else "last"
            return found(f"boundary:{which}_step", f"diag_boundary_{which}")
    if e.ndim == 2 and e.shape[1] > 1:
        cols = np.any(bad, axis=0)
        if cols.sum() == 1 and cols[0]:
            return found("bias_column", "diag_bias_column_only")
    if e.ndim >= 1 and e.size > 1 and np.allclose(d, d.reshape(-1)[0], rtol=1e-9, atol=1e-12 * max(1.0, np.abs(e).max())):
        return found("constant_offset", "diag_constant_offset")
    rel, _ = checks.max_rel_error(g, e)
    if rel < 1e-3:
        return found("small_error", "diag_small_error")
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
                return [f"swapped:{na}<->{nb}"], [_say("diag_swapped", first=na, second=nb)]
    return [], []


# ---------------------------------------------------------------------------------------------------------
# the value diagnosis


def _locate_text(case, loc: Located, desc: dict, lang_free=True) -> tuple[list, list]:
    tags, texts = [], []
    leaf = loc.leaf
    kind = across_time(desc, case.function)
    wrong = [w for w in loc.wrong if w.key is not None and w.step is None]
    keys_wrong = [w.key for w in wrong]
    # a right entry that is 0 in the reference (a recurrent weight's gradient on T = 1, where z_0 = 0) tells nothing
    right = [r for r in loc.right if r.key is not None and r.step is None]
    zeros = [r for r in right if not np.any(r.exp)]
    right = [r for r in right if np.any(r.exp)]
    backward = _is_backward(case, desc)

    def names(ls):  # gradients by the lecture's names; the entries of a forward's dict (a cache) by their path
        return _joined(ls, name=lambda leaf, lang: key_name(leaf.key, desc, lang) if backward else leaf.path)

    if wrong and (right or zeros):  # a dict: which entries are wrong, which right
        tags.append("wrong_keys:" + ",".join(keys_wrong))
        if _all_small(loc):  # float32 or a constant, not a formula: relate's small_error says so
            return tags, texts
        if not right:
            texts.append(_say("diag_wrong_keys", wrong=names(wrong)))
        elif len(right) <= len(wrong):
            texts.append(_say("diag_only_right_one" if len(right) == 1 else "diag_only_right_many",
                              right=names(right), wrong=names(wrong)))
        else:
            texts.append(_say("diag_wrong_and_right", wrong=names(wrong), right=names(right)))
        if zeros:
            plain = _joined(zeros, name=lambda leaf, lang: (messages.text("diag_key_grad", lang, key=leaf.key)
                                                              if backward else leaf.path))
            texts.append(_say("diag_zero_key_one" if len(zeros) == 1 else "diag_zero_key_many", zero=plain))
        return tags, texts
    if len(keys_wrong) > 1 and _all_small(loc):
        tags.append("wrong_keys:all")
        return tags, texts
    if len(keys_wrong) > 1 and backward:  # every gradient wrong: the mistake is in what they share
        tags.append("wrong_keys:all")
        texts.append(_say("diag_all_wrong" if kind == "recurrence" else "diag_all_wrong_shared", n=len(keys_wrong)))
        return tags, texts
    sym = _symbol(leaf, loc.fmt)
    name = _quantity_name(leaf, loc.axis, loc.fmt, loc.t)
    if loc.right_before or len(loc.wrong) > 1 or loc.axis is not None or leaf.step is not None:
        tags.append(f"first_wrong:{sym}")
        texts.append(_say("diag_first_wrong_after" if loc.right_before else "diag_first_wrong_first", name=name))
    if loc.first_step_right and leaf.step is not None and loc.axis is None:  # a list of steps (an optimizer's)
        tags.append("recurrence")
        texts.append(_say("diag_later_step_wrong"))
    elif loc.first_step_right and kind is not None and ACROSS_TIME[kind][1] is not None:  # rows in time
        tag, forward, backward, _ = ACROSS_TIME[kind]
        tags.append(tag)
        texts.append(_say(backward if _is_backward(case, desc) else forward))
    return tags, texts


def _all_small(loc: Located) -> bool:
    """Whether every wrong leaf is within 10⁻³ of the reference (relative): float32, an ε, not a wrong formula."""
    for leaf in loc.wrong:
        g = _array(leaf.got, leaf.exp.shape)
        if g is None or not np.all(np.isfinite(g)) or checks.max_rel_error(g, leaf.exp)[0] >= 1e-3:
            return False
    return bool(loc.wrong)


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
        texts.append(_sentence(rx[0]))
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
        return Diagnosis(("shape:transposed",), _say("diag_shape_transposed"))
    if len(exp) == len(got) and sum(a != b for a, b in zip(exp, got)) == 1:
        i = next(i for i, (a, b) in enumerate(zip(exp, got)) if a != b)
        names = _dim_names(case, None, exp[i])
        dims = _say("diag_dims_paren", names=_joined(names, "diag_or_sep")) if names else NOTHING
        if got[i] == exp[i] - 1:
            return Diagnosis((f"shape:one_fewer:axis{i}",), _say("diag_shape_one_fewer", axis=i, dims=dims))
        if got[i] == exp[i] + 1:
            return Diagnosis((f"shape:one_more:axis{i}",), _say("diag_shape_one_more", axis=i, dims=dims))
        return Diagnosis((f"shape:axis{i}",), _say("diag_shape_axis", axis=i, dims=dims))
    n_exp, n_got = int(np.prod(exp)) if exp else 1, int(np.prod(got)) if got else 1
    if len(got) == len(exp) + 1 and 1 in got:
        return Diagnosis(("shape:extra_axis",), _say("diag_shape_extra_axis"))
    if len(got) + 1 == len(exp) and 1 in exp:
        return Diagnosis(("shape:missing_axis",), _say("diag_shape_missing_axis"))
    if n_exp == n_got:
        return Diagnosis(("shape:reshaped",), _say("diag_shape_reshaped"))
    if not got:
        return Diagnosis(("shape:scalar",), _say("diag_shape_scalar"))
    if len(got) < len(exp):
        return Diagnosis(("shape:reduced",), _say("diag_shape_reduced"))
    return Diagnosis(("shape:other",), _say("diag_shape_other"))


def diagnose_type(case, m, result) -> Diagnosis | None:
    """A result of the wrong kind: None (a missing return), float32, ints, a list of arrays …"""
    code, facts = m.code, m.facts
    if code == "wrong_dtype":
        got = str(facts.get("got", ""))
        kind = "float32" if got == "float32" else "int" if got.startswith(("int", "uint")) else (
            "bool" if got == "bool" else "other")
        return Diagnosis((f"dtype:{kind}",), _say(f"diag_dtype_{kind}"))
    if code == "wrong_type":
        got = facts.get("got") or ()
        if got and got[0] == "none":
            return Diagnosis(("type:none",), _say("diag_type_none"))
        if got and got[0] == "object" and got[1] in ("tuple", "list") or got and got[0] == "entry":
            return Diagnosis(("type:sequence",), _say("diag_type_sequence"))
        if got and got[0] == "complex":
            return Diagnosis(("type:complex",), _say("diag_type_complex"))
        return Diagnosis(("type:other",), _say("diag_type_other"))
    if code == "wrong_length":
        return Diagnosis(("structure:length",), _say("diag_structure_length"))
    if code == "wrong_keys":
        missing = facts.get("missing") or []
        return Diagnosis(("structure:keys",), _say(
            "diag_structure_keys", missing=_say("diag_missing_keys", keys=_joined(missing)) if missing else NOTHING))
    if code == "not_finite_number":
        return Diagnosis(("nonfinite:number",), _say("diag_nonfinite_number"))
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
        return Diagnosis((f"scale:{name}",), _sentence(_scale_text(name, False)))
    if abs(c - 1) < 1e-3:
        return Diagnosis(("small_error",), _say("diag_small_error_number"))
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


def _named(shape: tuple, shapes: dict) -> dict:
    """" = D or X": the case's inputs that have this shape (nothing when none has)."""
    names = [n for n, s in shapes.items() if tuple(s) == tuple(shape)]
    return _say("diag_named", names=_joined(names[:3], "diag_named_sep")) if names else NOTHING


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
    """The shape of an operand when the grader knows it: an argument by name, its .T, or a dict argument's entry
    by a constant key; else None (a slice or an intermediate is not followed)."""
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


def _product_text(line: str, case, args) -> dict | None:
    """The product on the line whose operand shapes the grader knows and that does not fit, in words."""
    dims = dims_of(case)

    def sym(shape):
        s = _sym_shape(shape, dims)
        return _say("diag_sym", sym=s) if s else NOTHING

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
            return _say("diag_product_no_fit", left=la, a=a, a_sym=sym(a), right=lb, b=b, b_sym=sym(b),
                        fit=_say("diag_product_fits", fit=fit) if fit else NOTHING)
        known, name, side = (a, la, "left") if a is not None else (b, lb, "right")
        need = known[-1] if side == "left" else (known[0] if len(known) == 1 else known[-2])
        return _say("diag_product_need_rows" if side == "left" else "diag_product_need_columns", name=name,
                    shape=known, sym=sym(known), other=lb if side == "left" else la, need=need, left=la, right=lb)
    return None


def _line_has(line: str, *needles) -> bool:
    return any(n in (line or "") for n in needles)


def _plus(*parts) -> dict:
    """Pieces (plain text, or {"en", "ja"}) put together in each language."""
    return {lang: "".join(p[lang] if isinstance(p, dict) else str(p) for p in parts) for lang in messages.LANGS}


class Crash:
    """What the grader knows of a crash: the exception's type, its message (a visible case's only: "" for a hidden
    one), the student's line, the case and its inputs; ``says`` words a diagnosis with the facts every crash
    sentence may use: the quoted line, the inputs' shapes and, on a hidden case with T = 1 or H = 1, that size."""

    def __init__(self, case, exc_type: str, message: str, line: str, args, hidden: bool):
        self.case, self.type, self.message, self.line, self.args = case, exc_type, message, line, args
        self.shapes = input_shapes(case, args, None)
        tree = _statement(line)
        self.nodes = list(ast.walk(tree)) if tree is not None else []  # the line as code, every node
        self.raises = tree is not None and any(isinstance(n, ast.Raise) for n in tree.body)
        self.dims = dims_of(case)
        quoted = line.strip()[:80]
        small = [f"{k} = 1" for k in ("T", "H") if self.dims.get(k) == 1]
        self.facts = {
            "line": _say("diag_line", line=quoted) if quoted else NOTHING,
            "small": _say("diag_small_case", sizes=_joined(small, "diag_and_sep")) if hidden and small else NOTHING,
            "shapes": _shapes_text(self.shapes),
        }

    def says(self, tags, key: str, **facts) -> Diagnosis:
        return Diagnosis(tuple(tags), _say(key, **{**self.facts, **facts}))


def _crash_matmul(c: Crash, tags) -> Diagnosis:
    """A matrix product that does not fit: numpy's two shapes, else the line's product by the inputs' shapes, else
    the inputs' shapes (and numpy's inner sizes)."""
    ss = _parse_shapes(c.message)
    if "not aligned" in c.message and len(ss) >= 2:
        a, b = ss[0], ss[1]
        fit = _fit(a, b)
        return c.says(tags, "diag_crash_matmul_pair", a=a, a_named=_named(a, c.shapes), b=b,
                      b_named=_named(b, c.shapes),
                      fit=_say("diag_matmul_fits", fit=fit) if fit else _say("diag_matmul_no_fit"))
    product = _product_text(c.line, c.case, c.args)
    if product is not None:
        return c.says(tags, "diag_crash_matmul_product", product=product)
    m = re.search(r"size (\d+) is different from (\d+)", c.message)
    return c.says(tags, "diag_crash_matmul",
                  sizes=_say("diag_inner_sizes", a=m.group(1), b=m.group(2)) if m else NOTHING)


def _crash_broadcast(c: Crash, tags) -> Diagnosis:
    """An element-wise operation on shapes that do not broadcast: numpy's two shapes (with the inputs they are),
    else the line's operands whose shapes the inputs give."""
    ss = _parse_shapes(c.message)
    pair = NOTHING
    if len(ss) >= 2:
        pair = _say("diag_shape_pair", first=_plus(ss[0], _named(ss[0], c.shapes)),
                    second=_plus(ss[1], _named(ss[1], c.shapes)))
    elif not c.message and (ops := _unbroadcastable(c)) is not None:
        left, a, op, right, b = ops
        pair = _say("diag_operands", left=left, a=a, op=op, right=right, b=b)
    return c.says(tags, "diag_crash_broadcast", pair=pair)


# the student's line read as code (the grader's to read, on a hidden case too): what it does that can raise


def _statement(line: str):
    """The line parsed as one statement (a loop's or a branch's head with an empty body), or None."""
    text = line.strip()
    for candidate in (text, text + " pass", text.split("=", 1)[-1].strip()):
        try:
            return ast.parse(candidate, mode="exec")
        except SyntaxError:
            continue
    return None


_ELEMENTWISE = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.FloorDiv: "//",
                ast.Mod: "%"}


def _elementwise_pairs(c: Crash):
    """(left, operator, right) of every element-wise operation on the line (a += b as well)."""
    for node in c.nodes:
        if isinstance(node, ast.BinOp) and type(node.op) in _ELEMENTWISE:
            yield node.left, _ELEMENTWISE[type(node.op)], node.right
        elif isinstance(node, ast.AugAssign) and type(node.op) in _ELEMENTWISE:
            yield node.target, _ELEMENTWISE[type(node.op)] + "=", node.value


def _unbroadcastable(c: Crash):
    """(left, shape, operator, right, shape) of the line's first element-wise operation whose operands' shapes the
    inputs give and do not broadcast; None when there is none."""
    for left, op, right in _elementwise_pairs(c):
        a, b = _operand_shape(left, c.case, c.args), _operand_shape(right, c.case, c.args)
        if a is None or b is None:
            continue
        try:
            np.broadcast_shapes(a, b)
        except ValueError:
            return ast.unparse(left), a, op, ast.unparse(right), b
    return None


def _unpacks(c: Crash) -> bool:
    """Whether the line unpacks into several names (a, b = …, for a, b in …)."""
    for node in c.nodes:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.For, ast.comprehension)) else []
        if any(isinstance(t, (ast.Tuple, ast.List)) for t in targets):
            return True
    return False


def _unpacks_a_value(c: Crash) -> bool:
    """Whether the line unpacks into several names one value that no call makes (a, b = X.shape[0]): a TypeError
    there is the value's, not a call's arguments (nor a tuple's items', a, b = x[0], x[1])."""
    return any(isinstance(node, ast.Assign) and any(isinstance(t, (ast.Tuple, ast.List)) for t in node.targets)
               and not isinstance(node.value, (ast.Tuple, ast.List))
               and not any(isinstance(n, ast.Call) for n in ast.walk(node.value)) for node in c.nodes)


#: calls that give a number, not a sequence: a loop over one of them wants range(…)
_NUMBERS = ("len", "int", "float", "sum", "max", "min", "round", "abs", "prod")


def _loops_over_a_number(c: Crash) -> bool:
    """Whether the line is a for loop over a name, an attribute, an entry or a count (for t in T, for t in
    len(X)): a TypeError there is the number it iterates."""
    for node in c.nodes:
        if isinstance(node, ast.For) and not isinstance(node.target, (ast.Tuple, ast.List)):
            it = node.iter
            if isinstance(it, (ast.Name, ast.Attribute, ast.Subscript, ast.Constant)):
                return True
            if isinstance(it, ast.Call):
                return _called(it) in _NUMBERS
    return False


def _calls(c: Crash, *names) -> bool:
    """Whether the line calls one of the functions or methods ``names`` (np.stack, x.reshape, …)."""
    return any(isinstance(node, ast.Call) and _called(node) in names for node in c.nodes)


def _called(call: ast.Call) -> str | None:
    """The name of the function or method a call calls (np.stack(…) -> "stack"), None for anything else."""
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def _stores(c: Crash) -> bool:
    """Whether the line stores into a slice or an entry (A[t] = …)."""
    return any(isinstance(node, ast.Assign) and any(isinstance(t, ast.Subscript) for t in node.targets)
               for node in c.nodes)


def _crash_index(c: Crash, tags) -> Diagnosis:
    """An index out of range: one past the end (an off-by-one) by numpy's index and size, else by the line's t ± 1."""
    m = re.search(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)", c.message)
    if m:
        i, axis, n = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if i == n or i == -n - 1:
            what = [k for k, v in c.dims.items() if v == n]
            return c.says(tags + ("crash:index:off_by_one",), "diag_crash_index_edge", i=i, n=n,
                          dims=_say("diag_dims_paren", names=_joined(what, "diag_or_sep")) if what else NOTHING)
        return c.says(tags, "diag_crash_index_axis", i=i, axis=axis, n=n)
    if re.search(r"too many indices", c.message):
        return c.says(tags + ("crash:index:too_many",), "diag_crash_index_too_many")
    if _line_has(c.line, "t + 1", "t+1", "t - 1", "t-1", "[T]", "T + 1", "T+1"):
        return c.says(tags + ("crash:index:off_by_one",), "diag_crash_index_loop_edge")
    return c.says(tags, "diag_crash_index")


def _crash_key(c: Crash, tags) -> Diagnosis:
    """A missing key: the keys the case gives (and the one asked for, a visible case's message)."""
    keys = sorted({k for a in (c.args or ()) for k in _dict_keys(a)})
    return c.says(tags, "diag_crash_key", quoted=f" {c.message.strip()[:60]}" if c.message else "",
                  keys=_joined(keys) if keys else _say("diag_none_given"))


#: a pattern that never matches a message: the rule reads the line only
LINE_ONLY = ""
#: the calls that stack, concatenate or reshape arrays (a ValueError on their line: the pieces do not fit)
_STACKS = ("stack", "vstack", "hstack", "column_stack", "concatenate", "block", "reshape", "append", "insert")

#: crashes told by more than their type, the first that matches decides: (exception types, a pattern of the
#: message (None: the type alone decides; LINE_ONLY: only the line), what of the line decides when there is no
#: message to read (always on a hidden case: its words, or a function of the Crash), tags (the general one first),
#: the catalog key, or a function (Crash, tags) -> Diagnosis)
CRASH_RULES = (
    (("TypeError", "ValueError"), r"not None as shape|must be a positive integer, not None", (),
     ("crash:none", "crash:none:shape"), "diag_crash_none_shape"),
    (("ValueError",), r"does not have enough dimensions \(has 0", (),
     ("crash:shape", "crash:shape:scalar_operand"), "diag_crash_scalar_operand"),
    (("ValueError", "TypeError"), r"einstein sum|subscript must be|shape-mismatch for sum", (),
     ("crash:shape", "crash:shape:einsum"), "diag_crash_einsum"),
    (("ValueError",), LINE_ONLY, ("einsum", "tensordot"), ("crash:shape", "crash:shape:einsum"), "diag_crash_einsum"),
    (("TypeError",), r"to stack must be passed as a .sequence", (), ("crash:type", "crash:type:stack"),
     "diag_crash_stack"),
    (("ValueError",), LINE_ONLY, lambda c: _unbroadcastable(c) is not None, ("crash:shape", "crash:shape:broadcast"),
     _crash_broadcast),
    (("ValueError", "LinAlgError"), r"matmul|not aligned|core dimension|mismatch in its", ("@", "dot(", "matmul"),
     ("crash:shape", "crash:shape:matmul"), _crash_matmul),
    (("ValueError",), r"operands could not be broadcast|non-broadcastable output", (),
     ("crash:shape", "crash:shape:broadcast"), _crash_broadcast),
    (("ValueError",), r"setting an array element with a sequence", (), ("crash:value", "crash:value:sequence"),
     "diag_crash_sequence"),
    (("ValueError",), r"could not broadcast input array|setting an array element|cannot reshape|all the input array",
     (), ("crash:shape", "crash:shape:assign"), "diag_crash_assign"),
    # by the message, else (a hidden case) by what the line does; the operands' known shapes came first, above
    (("ValueError",), r"values to unpack", _unpacks, ("crash:value", "crash:unpack"), "diag_crash_unpack"),
    (("ValueError",), r"math domain error", ("math.",), ("crash:value", "crash:value:domain"), "diag_crash_domain"),
    (("ValueError",), LINE_ONLY, lambda c: _calls(c, *_STACKS) or _stores(c), ("crash:shape", "crash:shape:assign"),
     "diag_crash_assign"),  # a store first: in the mutation benchmark, A[t] = a + b fails at the store more often
    (("ValueError",), LINE_ONLY, lambda c: any(_elementwise_pairs(c)), ("crash:shape", "crash:shape:broadcast"),
     _crash_broadcast),
    (("IndexError",), None, (), ("crash:index",), _crash_index),
    (("KeyError",), None, (), ("crash:key",), _crash_key),
    (("TypeError",), r"NoneType", ("None",), ("crash:none",), "diag_crash_none"),
    (("TypeError",), r"cannot unpack non-iterable", _unpacks_a_value, ("crash:type", "crash:unpack"),
     "diag_crash_unpack_single"),
    (("TypeError",), r"unsupported operand type\(s\) for .*'(list|tuple)'|can only concatenate (list|tuple)|"
                     r"can't multiply sequence|bad operand type for unary .*'(list|tuple)'", (),
     ("crash:type", "crash:type:list"), "diag_crash_list"),
    (("TypeError",), r"'(float|int|numpy\.(float|int)\w*)' object (is not (subscriptable|iterable)|does not support "
                     r"item assignment)", _loops_over_a_number, ("crash:type", "crash:type:number"),
     "diag_crash_number"),
    (("TypeError",), r"not subscriptable|not iterable|unpack", (), ("crash:type", "crash:type:structure"),
     "diag_crash_type_structure"),
    (("TypeError",), r"argument|positional|keyword", (), ("crash:type", "crash:type:call"), "diag_crash_type_call"),
)

#: crashes told by their type alone (when no rule matched): type -> (tags, catalog key)
CRASHES = {
    "TypeError": (("crash:type",), "diag_crash_type"),
    "ValueError": (("crash:value",), "diag_crash_value"),
    "NameError": (("crash:name",), "diag_crash_name"),
    "UnboundLocalError": (("crash:name",), "diag_crash_name"),
    "ZeroDivisionError": (("crash:zero_division",), "diag_crash_zero_division"),
    "AttributeError": (("crash:attribute",), "diag_crash_attribute"),
    "RecursionError": (("crash:recursion",), "diag_crash_recursion"),
    "OverflowError": (("crash:overflow",), "diag_crash_overflow"),
    "FloatingPointError": (("crash:overflow",), "diag_crash_overflow"),
    "AssertionError": (("crash:assert",), "diag_crash_assert"),
}
OTHER_CRASH = (("crash:other",), "diag_crash_other")


def _rule_matches(c: Crash, types, pattern, line_words) -> bool:
    if c.type not in types:
        return False
    if pattern is None:
        return True
    if c.message:
        return bool(pattern) and re.search(pattern, c.message) is not None
    if c.raises:  # the student's own raise: its line says nothing of the kind of mistake
        return False
    return line_words(c) if callable(line_words) else _line_has(c.line, *line_words)


def diagnose_exception(case, exc_type: str, message: str, line_text: str, args, kwargs,
                       hidden: bool = False) -> Diagnosis:
    """The diagnosis of an exception the student's function raised (always one: at least its kind). For a hidden
    case ``message`` is not read (it is the student's to choose): only the type, the source line and the inputs."""
    try:
        c = Crash(case, exc_type or "", "" if hidden else (message or ""), line_text or "", args, hidden)
        for types, pattern, line_words, tags, say in CRASH_RULES:
            if _rule_matches(c, types, pattern, line_words):
                return say(c, tags) if callable(say) else c.says(tags, say)
        return c.says(*CRASHES.get(c.type, OTHER_CRASH))
    except Exception:  # noqa: BLE001
        return Diagnosis(("crash:other",), dict(NOTHING))


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
        return Diagnosis(("timeout:call",), _say("diag_timeout"))
    if kind == "total_timeout":
        return Diagnosis(("timeout:total",), dict(NOTHING))
    if kind == "crashed":
        return Diagnosis(("crash:process",), dict(NOTHING))
    return None


# ---------------------------------------------------------------------------------------------------------
# across the cases of one function


def step_right_recurrence_wrong(results) -> bool:
    """Whether a function's scored cases with T = 1 all pass while some with T > 1 fail (CaseResults, named
    "function [T=…, …]"): one step is right, what runs across time is wrong (see step_vs_time for the words)."""
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


def step_vs_time(results, assignment: str, function: str, lang: str = "en") -> str:
    """The summary sentence of a function whose T = 1 cases pass and T > 1 cases fail (step_right_recurrence_wrong),
    worded by how time enters it (its suite's DIAGNOSIS "across_time": a recurrence, a TDNN's window, a sum over the
    steps, …); "" when the cases do not show it or the function has no time to speak of."""
    if not step_right_recurrence_wrong(results):
        return ""
    kind = across_time(assignment_description(assignment), function)
    return "" if kind is None else messages.text(ACROSS_TIME[kind][3], lang, function=function)
