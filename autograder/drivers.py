"""How a case calls the student's function. Standalone (numpy only): the isolated worker
loads this file by path, without importing the autograder package.

A driver receives the student's function and the case's arguments and returns the
student's raw result; it never judges it.
"""

import numpy as np


def call(func, args, kwargs):
    """One call: func(*args, **kwargs)."""
    return func(*args, **kwargs)


def optimizer_steps(func, args, kwargs):
    """Repeated optimizer steps threading the student's own opaque state.

    args = (params, [grads_1, …, grads_k]); each step is func(params, grads, state, **kwargs)
    -> (new params, new state), state None on the first call. Returns [params_1, …, params_k].
    """
    params, grad_seq = args
    state = None
    out = []
    for grads in grad_seq:
        params, state = func(params, grads, state, **kwargs)
        out.append(params)
    return out


def _central_differences(phi, params, keys, h):
    """(φ(p + h e_i) − φ(p − h e_i)) / 2h for every entry of params[k], k in keys."""
    out = {}
    for k in keys:
        base = np.array(params[k], dtype=np.float64)
        g = np.zeros(base.shape)
        for i in range(base.size):
            w = base.copy()
            w.flat[i] += h
            plus = phi(dict(params, **{k: w}))
            w.flat[i] -= 2 * h
            minus = phi(dict(params, **{k: w}))
            g.flat[i] = (plus - minus) / (2 * h)
        out[k] = g
    return out


def _own(func, name):
    other = getattr(func, "__globals__", {}).get(name)
    if not callable(other):
        raise NameError(f"{name} is not defined next to {getattr(func, '__name__', 'the function')}")
    return other


def own_forward_gradients(func, args, kwargs):
    """A gated cell's backward against the student's own forward.

    args = (X, P, G); kwargs = {"forward": name, "h": step}. Runs the student's forward, their
    backward on its caches with upstream G, and central differences of φ(P) = Σ_t ⟨g_t, out_t⟩
    through the same forward. Returns {"analytic": backward's dict, "numerical": dict}.
    """
    X, P, G = args
    forward = _own(func, kwargs["forward"])
    analytic = func(G, forward(X, P)[-1], P)

    def phi(Q):
        return float(np.sum(G * np.asarray(forward(X, Q)[0], dtype=np.float64)))

    return {"analytic": analytic, "numerical": _central_differences(phi, P, list(P), kwargs.get("h", 1e-5))}


def own_forward_deltas(func, args, kwargs):
    """deltas against the student's own forward and loss: D X and D Z̃ from their D, and central
    differences of their loss(forward(...)) with respect to W_in and W.

    args = (X, P, Y); kwargs = {"task": ..., "h": step}.
    """
    X, P, Y = args
    task = kwargs["task"]
    forward, loss = _own(func, "forward"), _own(func, "loss")
    U, Z, Yhat = forward(X, P["W_in"], P["W"], P["W_out"], task)
    D = np.asarray(func(U, Yhat, Y, P["W"], P["W_out"]), dtype=np.float64)
    Z = np.asarray(Z, dtype=np.float64)
    Z_tilde = np.vstack([np.zeros((1, Z.shape[1])), Z[:-1]])
    analytic = {"W_in": D @ X, "W": D @ Z_tilde}

    def phi(Q):
        return float(loss(forward(X, Q["W_in"], Q["W"], Q["W_out"], task)[2], Y, task))

    return {"analytic": analytic,
            "numerical": _central_differences(phi, P, ["W_in", "W"], kwargs.get("h", 1e-5))}


def _line_data(line):
    """A Line2D's (x, y) as float64 arrays, masked entries as NaN: the data as drawn (unit-converted)."""
    def values(get):
        try:
            arr = np.ma.asarray(get(), dtype=np.float64)
        except (TypeError, ValueError):  # strings or dates: the numbers the axis converted them to
            line.recache_always()
            arr = np.ma.asarray(get(orig=False), dtype=np.float64)
        return np.array(np.ma.filled(arr, np.nan), dtype=np.float64).reshape(-1)

    return {"x": values(line.get_xdata), "y": values(line.get_ydata)}


def figure_lines(func, args, kwargs):
    """A function that draws and returns a matplotlib Figure: what the figure shows, as plain data.

    Returns [{"xlabel": str, "ylabel": str, "title": str, "lines": [{"x": x-values, "y": y-values}, …]}, …],
    one dict per Axes (twin axes included), in the figure's order, each line's data as float64 arrays (NaN
    where masked); the figure is closed. Only the figure's own methods are used (no matplotlib import here);
    the grader judges the data.
    """
    import sys

    fig = func(*args, **kwargs)
    if not callable(getattr(fig, "get_axes", None)):
        raise TypeError(f"expected a matplotlib Figure to be returned, got {type(fig).__name__}")
    out = []
    for ax in fig.get_axes():
        out.append({"xlabel": str(ax.get_xlabel()), "ylabel": str(ax.get_ylabel()), "title": str(ax.get_title()),
                    "lines": [_line_data(line) for line in ax.get_lines()]})
    pyplot = sys.modules.get("matplotlib.pyplot")  # already imported by the student's code, if at all
    if pyplot is not None:
        pyplot.close(fig)
    return out


DRIVERS = {
    "call": call,
    "figure_lines": figure_lines,
    "optimizer_steps": optimizer_steps,
    "own_forward_gradients": own_forward_gradients,
    "own_forward_deltas": own_forward_deltas,
}
