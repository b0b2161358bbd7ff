"""Override: grad_W_in returns the right numbers as a nested list."""


def grad_W_in(D, X):
    return (D @ X).tolist()
