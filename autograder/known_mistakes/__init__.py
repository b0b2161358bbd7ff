"""The typical mistakes of the later exercises, one module per assignment.

Each module defines MISTAKES = {function name: (autograder.mistakes.Mistake, …)}; see
autograder/mistakes.py for what a Mistake is and how a variant is matched.
"""
