"""rnngrade — the autograder of the RNN exercise kit (grading itself arrives with its own issue)."""

__version__ = "0.1.0"
