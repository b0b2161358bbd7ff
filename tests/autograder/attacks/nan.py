"""Override: grad_W returns NaN everywhere."""
import numpy as np


def grad_W(D, Z):
    return np.full((D.shape[0], D.shape[0]), np.nan)
