"""Override: removes deltas."""
del deltas  # noqa: F821
