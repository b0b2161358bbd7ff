"""Override: forward calls sys.exit(3)."""
import sys


def forward(X, W_in, W, W_out, task="regression"):
    sys.exit(3)
