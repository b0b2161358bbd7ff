"""Override: grad_W_in returns wrong numbers in an ndarray subclass that claims to equal anything."""
import numpy as np


class Sneaky(np.ndarray):
    def __eq__(self, other):
        return True

    def __array_ufunc__(self, *args, **kwargs):
        return True

    def __array_function__(self, *args, **kwargs):
        return True

    def __getattribute__(self, name):
        if name in ("shape", "dtype"):
            return object.__getattribute__(self, name)
        return object.__getattribute__(self, name)


def grad_W_in(D, X):
    return np.zeros((D.shape[0], X.shape[1])).view(Sneaky)
