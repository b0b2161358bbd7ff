"""Whole module: defines forward, then exits while being imported."""
import sys


def forward(X, W_in, W, W_out, task="regression"):
    return None


sys.exit("bye")
