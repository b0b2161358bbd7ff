"""The grader's one error hierarchy, caught once in ``cli.main``.

``UserError``: bad input (a missing path, an unknown assignment, a malformed notebook, a
corrupt zip, a negative seed, an unwritable folder). Its message is one line saying what is
wrong and what to do; the CLI exits 2 with it, before any work starts.

``GraderError``: the grader itself cannot run here (no sandbox where one is required, a
worker that cannot start). The CLI exits 1 with its message. Never a silent zero.
"""

from __future__ import annotations


class RnngradeError(Exception):
    """Every error the grader raises on purpose; exit_code is what the CLI exits with."""

    exit_code = 1


class UserError(RnngradeError, ValueError):
    """Bad input: one line saying what is wrong and what to do; exit code 2."""

    exit_code = 2


class GraderError(RnngradeError, RuntimeError):
    """The grader cannot do its work here (not the submission's fault); exit code 1."""

    exit_code = 1


class SubmissionError(UserError):
    """The path given is not a gradeable submission (missing, unknown kind, corrupt zip, a link, …)."""


class CourseError(UserError):
    """Bad input for a course command (no course, unknown assignment, nothing submitted, …)."""


class ReleaseError(UserError):
    """A source that cannot be released: the message names the file, the line and the fix."""


class SandboxUnavailable(GraderError):
    """sandbox="require" but bubblewrap is missing or cannot create a sandbox here."""


class WorkerFailure(GraderError):
    """The worker failed before running any student code: a problem of the grader's setup."""
