"""Messages to students, one template:

    <function>: <quantity> <problem>, expected <X> (got <Y>). <hint>

Never a hidden reference array: only shapes, dtypes, error sizes and indices.
"""

from __future__ import annotations

import re

#: what to try, by kind of problem, when the suite has nothing more specific
GENERIC_HINTS = {
    "type": "Return numpy arrays (np.array / np.zeros), not lists or other objects.",
    "dtype": "Compute in float64: do not cast, and create arrays with dtype float (the default).",
    "shape": "Compare your shapes with the docstring; a transposed result has the right size but the wrong shape.",
    "finite": "Look for overflow: an exp of a large number (softmax without the max shift) or a division by zero.",
    "value": "Print the intermediate quantities on a small case and compare them with the equations of the lecture.",
    "structure": "Return exactly what the docstring lists, in that order.",
    "mutation": "Work on copies (A = A.copy()) or build new arrays instead of writing into the arguments.",
}


def _quantity(case, m) -> tuple[str, str]:
    """(quantity, problem): a labelled output names its worst slice, e.g. δ_3 of D."""
    label = case.labels.get(m.path)
    if label and m.kind in ("value", "finite") and len(m.index) == 2:
        axis, fmt = label
        where = m.index[axis]
        entry = m.index[1 - axis]
        problem = re.sub(r" at index \[[0-9, ]*\]", f" at entry {entry}", m.problem)
        return fmt.format(where + 1), problem
    return m.path, m.problem


def mismatch_message(case, m) -> str:
    """The one-line feedback for a Mismatch found in case ``case``."""
    quantity, problem = _quantity(case, m)
    hint = case.hints.get(m.kind) or GENERIC_HINTS.get(m.kind, "")
    return f"{case.function}: {quantity} {problem}. {hint}".rstrip()


def not_implemented(function: str) -> str:
    return (f"{function}: not implemented yet, expected a result (got NotImplementedError). "
            "Replace `raise NotImplementedError()` with your code.")


def raised(function: str, exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    text = text[:200]
    return (f"{function}: the call raised an exception, expected a result (got {type(exc).__name__}"
            f"{': ' + text if text else ''}). Run it on a small example and read the traceback.")


def missing_function(function: str) -> str:
    return (f"{function}: function not found, expected a function named {function} (got nothing). "
            "Keep the names and signatures of the template.")
