"""Override: forward never returns."""


def forward(X, W_in, W, W_out, task="regression"):
    n = 0
    while True:
        n += 1
