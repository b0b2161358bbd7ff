"""rnngrade — the autograder of the RNN exercise kit: grading, batch grading, nbgrader and LMS glue, `rnngrade release`."""

__version__ = "0.1.0"
