"""Override: forward writes into the grader's working directory and into /tmp, then answers right."""
_forward = forward  # noqa: F821


def forward(X, W_in, W, W_out, task="regression"):
    for target in ("__TARGET__", "__TARGET2__"):
        try:
            with open(target, "w") as f:
                f.write("pwned")
        except OSError:
            pass
    return _forward(X, W_in, W, W_out, task)
