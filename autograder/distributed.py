"""Grading on a Dask cluster: ``rnngrade batch --scheduler`` and ``rnngrade nbgrader autograde --scheduler``.

One task per submission. The client (the TA's process) reads each submission as the local batch does and sends its
*content* — the source text and the Submission's plain fields, never a path: the workers may be other machines with no
shared file system — to a task, which grades it on the Dask worker's machine with ``api.grade`` (the same isolated
worker, sandbox, limits and checks as on one machine) and returns the result as a JSON string (plain data only). The
client commits each result (batch.grade_class: written atomically, once) as it arrives.

Addresses: ``tcp://HOST:PORT`` (or ``tls://``) of a running ``dask scheduler``, or ``local:N``, a LocalCluster of N
worker processes on this machine for a quick try. dask and distributed are the ``dask`` extra, imported only here and
only when --scheduler is given.

What the cluster must be: the course staff's machines. The tasks carry the course secret (the hidden inputs are built
on the worker, which runs the cases), so the scheduler and the workers must be as private as the secret; across a
network that others share, use ``tls://`` (Dask's TLS security). Every worker must run the same grader as the client:
checked when connecting (UserError naming the worker) and again on each result's key.
"""

from __future__ import annotations

import json
import re
import socket
from typing import Callable, Iterable, Iterator

from .errors import UserError

EXTRA = "pip install 'rnn-exercise-kit[dask]'"
#: seconds to reach the scheduler, and to wait for its first worker
CONNECT_TIMEOUT = 5.0
WORKER_TIMEOUT = 30.0
#: tasks submitted ahead of the results: bounds the client's and the scheduler's memory for a class of any size
WINDOW = 256
#: Dask re-runs a task whose worker died up to distributed.scheduler.allowed-failures times; retries are for a task
#: that raised (the task catches every error of grading itself, so only an infrastructure failure raises)
RETRIES = 2

_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})")
_LOCAL = re.compile(r"local:([0-9]{1,3})")


def parse_address(text: str) -> str | int:
    """The scheduler's address, or the N of ``local:N``; UserError (one line) for anything else."""
    text = (text or "").strip()
    m = _LOCAL.fullmatch(text)
    if m:
        n = int(m.group(1))
        if not 1 <= n <= 256:
            raise UserError(f"--scheduler {text}: local:N starts N worker processes on this machine, 1 to 256")
        return n
    m = _ADDRESS.fullmatch(text)
    if not m or not 0 < int(m.group(3)) < 65536:
        raise UserError(f"--scheduler {text!r} is not a Dask scheduler's address: pass tcp://HOST:PORT (what "
                        f"`dask scheduler` prints, port 8786 by default) or local:N for N worker processes here")
    return text


def need_dask() -> None:
    """UserError (exit 2) naming the extra when dask.distributed is not installed here."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise UserError(f"--scheduler needs Dask distributed, which is not installed: {EXTRA}") from None


def worker_fingerprint() -> str:
    """On a Dask worker: the grader's fingerprint there (api.grader_fingerprint), to compare with the client's."""
    from . import api

    return api.grader_fingerprint()


class Cluster:
    """A connection to a Dask scheduler (or a LocalCluster of ``local:N``), checked before any grading: reachable,
    at least one worker, every worker running this grader. A context manager; ``map`` runs tasks."""

    def __init__(self, address: str, *, connect_timeout: float = CONNECT_TIMEOUT,
                 worker_timeout: float = WORKER_TIMEOUT, window: int = WINDOW):
        self.spec = parse_address(address)
        self.address = address
        self.connect_timeout, self.worker_timeout, self.window = connect_timeout, worker_timeout, window
        self.client = self.local = None

    def __enter__(self) -> "Cluster":
        need_dask()
        import logging

        from distributed import Client, LocalCluster

        try:
            if isinstance(self.spec, int):
                self.local = LocalCluster(n_workers=self.spec, threads_per_worker=1, processes=True,
                                          dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
                self.client = Client(self.local, timeout=self.connect_timeout)
            else:
                try:
                    self.client = Client(self.spec, timeout=self.connect_timeout)
                except (OSError, TimeoutError) as exc:
                    raise UserError(f"cannot reach the Dask scheduler at {self.spec} within "
                                    f"{self.connect_timeout:g} s ({type(exc).__name__}): start it (`dask scheduler`) "
                                    f"or check the address and the firewall") from None
            try:
                self.client.wait_for_workers(1, timeout=self.worker_timeout)
            except (OSError, TimeoutError):
                raise UserError(f"no Dask worker joined the scheduler at {self.address} within "
                                f"{self.worker_timeout:g} s: start `dask worker {self.address}` on the grading "
                                f"machines (see docs/scale.md)") from None
            self.check_workers()
        except BaseException:
            self.close()
            raise
        return self

    def check_workers(self) -> None:
        """UserError when a worker runs another grader (its results would be keyed, and graded, differently)."""
        from . import api

        mine = api.grader_fingerprint()
        theirs = self.client.run(worker_fingerprint)
        other = sorted(addr for addr, fp in theirs.items() if fp != mine)
        if other:
            raise UserError(f"the Dask worker(s) {', '.join(other[:3])} run another version of the grader than this "
                            f"machine: install the same rnn-exercise-kit (and rnnref) on every worker and restart them")

    def workers(self) -> int:
        """How many worker threads the scheduler has now."""
        info = self.client.scheduler_info()
        return sum(w.get("nthreads", 1) for w in info.get("workers", {}).values())

    def map(self, fn: Callable[..., str], items: Iterable[tuple[str, dict]], *, token: str = "",
            retries: int = RETRIES) -> Iterator[tuple[str, object]]:
        """Run fn(**kwargs) once per (name, kwargs), at most ``window`` at a time; yield (name, its return value, or
        the exception that ended it) as each finishes. ``token`` (with the name) makes the task's Dask key: a task
        submitted twice with the same key runs once. Leaving the loop early (Ctrl-C) cancels what is left."""
        from distributed import as_completed

        it = iter(items)
        pending: dict = {}  # key -> (name, future)
        done = as_completed()

        def submit_next() -> bool:
            try:
                name, kwargs = next(it)
            except StopIteration:
                return False
            key = f"rnngrade-{name}-{token}" if token else None
            fut = self.client.submit(fn, key=key, retries=retries, pure=False, **kwargs)
            pending[fut.key] = (name, fut)
            done.add(fut)
            return True

        try:
            for _ in range(self.window):
                if not submit_next():
                    break
            for fut in done:
                if fut.key not in pending:  # already yielded (a duplicate of the same key)
                    continue
                name, _ = pending.pop(fut.key)
                try:
                    value = fut.result()
                except Exception as exc:  # noqa: BLE001 - KilledWorker, a lost scheduler: the caller decides
                    value = exc
                fut.release()
                submit_next()
                yield name, value
        finally:
            if pending:
                try:
                    self.client.cancel([f for _, f in pending.values()])
                except Exception:  # noqa: BLE001 - the scheduler may be gone already
                    pass

    def close(self) -> None:
        for thing in (self.client, self.local):
            if thing is not None:
                try:
                    thing.close()
                except Exception:  # noqa: BLE001 - closing what may be dead already
                    pass
        self.client = self.local = None

    def __exit__(self, *exc) -> None:
        self.close()


def open_cluster(address: str, **kw) -> Cluster:
    """A checked Cluster (entered): UserError before any grading when it cannot be used."""
    return Cluster(address, **kw).__enter__()


# --------------------------------------------------------------------------- tasks (run on the Dask workers)


def submission_fields(sub) -> dict:
    """A Submission as plain data for a task (the worker may have no access to the file): its notes and why it is
    empty as their catalog keys and facts (messages.to_plain), worded on the worker in the graded language."""
    from .messages import to_plain

    return {"source": sub.source, "student": sub.student, "kind": sub.kind, "assignment_guess": sub.assignment_guess,
            "origin": sub.origin, "cells": [list(c) for c in sub.cells], "notes": [to_plain(n) for n in sub.notes],
            "empty": to_plain(sub.empty)}


def submission_from(fields: dict):
    """The Submission a task was sent (the inverse of submission_fields)."""
    from .messages import from_plain
    from .submission import Submission

    return Submission(source=str(fields["source"]), student=str(fields["student"]), kind=str(fields["kind"]),
                      assignment_guess=fields.get("assignment_guess"), origin=str(fields.get("origin", "")),
                      cells=tuple(tuple(c) for c in fields.get("cells", ())),
                      notes=tuple(from_plain(n) for n in fields.get("notes", ())),
                      empty=from_plain(fields.get("empty", "")))


def _on_host(notes) -> list:
    """Isolation notes said with the worker's host name: the TA learns which machine graded without the sandbox."""
    host = socket.gethostname()
    return [f"on Dask worker {host}: {n}" for n in notes]


def batch_task(*, submission: dict, student: str, assignment: str, inputs: str, seed, secret, timeout, lang,
               protect, notes, lms_id: str, display_name: str) -> str:
    """On a Dask worker: grade one submission of a class (batch.grade_entry, as the local batch does); return
    {"result": the JSON result, "text": the student's report} as a JSON string. ``notes``: as messages.to_plain sent
    them."""
    from . import batch
    from .messages import from_plain

    data, text = batch.grade_entry(lambda: submission_from(submission), student, assignment, inputs, seed=seed,
                                   secret=secret, timeout=timeout, lang=lang, protect=protect,
                                   notes=[from_plain(n) for n in notes],
                                   lms_id=lms_id, display_name=display_name)
    data["isolation"] = _on_host(data.get("isolation", ()))
    return json.dumps({"result": data, "text": text}, ensure_ascii=False)


def nbgrader_task(*, submission: dict, assignment: str, seed, secret, timeout, lang, protect) -> str:
    """On a Dask worker: grade one staged nbgrader notebook; return {"functions": …, "isolation": …} or
    {"error": why it could not be graded (messages.to_plain: worded by the client)} or {"internal": the exception's
    type} as a JSON string."""
    from . import api
    from .messages import message_of, to_plain
    from .nbgrade import _lines_for
    from .runner import Limits

    try:
        res = api.grade(submission_from(submission), assignment, seed=seed, secret=secret, lang=lang,
                        protect=protect, limits=Limits(per_call_s=timeout) if timeout else None)
        out = {"functions": _lines_for(res, lang), "isolation": _on_host(res.isolation)}
    except api.SubmissionError as exc:
        out = {"error": to_plain(message_of(exc))}
    except Exception as exc:  # noqa: BLE001 - a grader bug costs this student, said as an internal error
        out = {"internal": type(exc).__name__}
    return json.dumps(out, ensure_ascii=False)
