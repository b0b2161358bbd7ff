"""How a case calls the student's function. Standalone (numpy only): the isolated worker
loads this file by path, without importing the autograder package.

A driver receives the student's function and the case's arguments and returns the
student's raw result; it never judges it.
"""


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


DRIVERS = {"call": call, "optimizer_steps": optimizer_steps}
