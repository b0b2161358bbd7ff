"""Override: forward allocates 80 GB at once; deltas grows a list until memory runs out."""
import numpy as np


def forward(X, W_in, W, W_out, task="regression"):
    return np.ones(10**10)


def deltas(U, Yhat, Y, W, W_out):
    hoard = []
    while True:
        hoard.append(bytearray(10**7))
