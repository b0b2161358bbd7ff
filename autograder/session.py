"""One worker process's run over a list of calls: the grader's side of the trust boundary.

States: "starting" (until the worker's R frame: limits set, numpy loaded, no student code yet;
answered with G, which the worker waits for before running any), "importing" (until its I
frame), "calling" (one call's K frame sent, waiting for that call's C frame), "finishing"
(every outcome in, the input pipe closed: the worker exits by itself). The
session ends at the first call that times out or crashes (``stopped``) or when the import fails
(``import_failure``); runner.py starts a fresh worker for the calls left.

Each call's inputs are sent only when that call is made, after the previous outcome arrived,
with a token new for the call; a C frame counts only for the call in progress and with its
token (any other frame is the student's code writing to the pipe: ignored). Each outcome is
decoded by wire.decode, charged to the submission's budget, handed to the runner to be judged
and dropped; the next call already runs in the worker meanwhile, and its clock does not count
the judging.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import select
import signal
import subprocess
import sys
import time

from . import runner, sandbox, wire
from .checks import Opaque
from .errors import WorkerFailure
from .messages import Said
from .messages import text as catalog_text

STARTUP_S = 15.0  # for the worker to load numpy (no student code yet); counted in total_s
FINISH_S = 5.0  # for the worker to exit once every outcome is in
#: a worker that wrote what the protocol does not allow ended as if it crashed, for this reason
MALFORMED = Said("exit_malformed")

#: the signals said by name and kind (the catalog's exit_<signal>: a fault, or a limit of the sandbox's)
SIGNALS = ("SIGSEGV", "SIGBUS", "SIGABRT", "SIGFPE", "SIGILL", "SIGKILL", "SIGXCPU", "SIGXFSZ")
#: their English (a view of the catalog)
SIGNAL_TEXT = {name: catalog_text("exit_" + name.lower()) for name in SIGNALS}


def describe_exit(code: int | None, signal_as_128: bool = True) -> Said:
    """How the worker ended, as facts for a student (a messages.Said: its English 'a segmentation fault (SIGSEGV)',
    'the process exited with code 3'; worded in the graded language by feedback.ending, which leaves out the exit code
    of a hidden case).

    code: the exit status as subprocess gives it (-n for signal n); with signal_as_128, codes
    above 128 are signals too, as bubblewrap and the supervisor report them."""
    if code is None:
        return Said("exit_unknown")
    sig = None
    if code < 0:
        sig = -code
    elif signal_as_128 and code > 128 and code - 128 < 65:
        sig = code - 128  # bubblewrap reports a signal as 128 + its number
    if sig is not None:
        try:
            name = signal.Signals(sig).name
        except ValueError:
            return Said("exit_signal_number", n=sig)
        return Said("exit_" + name.lower()) if name in SIGNALS else Said("exit_signal", name=name)
    return Said("exit_code", code=code)


class _TemplateFailed(Exception):
    """A worker forked from the template ended before it was ready."""


class Session:
    """One worker process over a list of calls; stops at the first call that times out or crashes."""

    def __init__(self, run: "runner._Runner", calls: list, fresh: bool = False):
        self.r = run
        self.fresh = fresh  # a fresh process even where the runner forks workers from the template
        self.started = self.closed = False
        self.template = None  # the runner.Template this worker was forked from
        self.job_name = "job.json"
        self.exit_code = None  # a forked worker's status, as the template reported it on the info pipe
        self.pending = list(calls)  # the calls without an outcome yet; pending[0] is the one in progress
        self.done: list[int] = []  # indexes of the calls whose outcome was settled here
        self.stopped: runner.Outcome | None = None  # the call that timed out or crashed
        self.import_failure: runner.Outcome | None = None
        self.cpu = 0.0  # CPU time of the worker, once reaped
        self.state = "starting"
        self.t_mark = 0.0  # when the current stage started (less the time spent judging)
        self.deadline = 0.0
        self.token = ""  # of the call in progress
        self.buf = bytearray()  # from the result pipe, not yet a whole frame
        self.info_buf = b""  # bwrap's --info-fd JSON
        self.to_send = bytearray()  # the K frame not yet written to the input pipe
        self.close_input = False  # once to_send is written: no call follows
        self.fds: list[int] = []  # pipes still open for reading
        self.res_r = self.out_r = self.info_r = self.in_w = None
        self.proc: subprocess.Popen | None = None
        self.pidfd = None  # of bwrap or the supervisor (a fresh worker)
        self.child_pidfd = None  # of the sandbox's pid 1
        self.child_pid = None  # … where pidfd_open is not available

    def start(self) -> None:
        """Start the worker (once): forked from the worker template where the runner uses one, else a fresh
        process (bubblewrap, or the supervisor without it). It loads numpy and waits for G: no student code."""
        if self.started:
            return
        self.started = True
        r = self.r
        tmpl = runner.worker_template(r.bwrap) if r.use_template and not self.fresh else None
        res_r, res_w = os.pipe()
        out_r, out_w = os.pipe()
        in_r, in_w = os.pipe()
        info_r = info_w = None
        try:
            fcntl.fcntl(in_w, fcntl.F_SETPIPE_SZ, 1 << 20)  # most inputs in one write
        except (AttributeError, OSError):
            pass
        os.set_blocking(in_w, False)
        limits = dict(r.job_common["limits"], cpu_s=max(1.0, r.limits.cpu_s - r.cpu_used))
        if r.sandboxed:
            info_r, info_w = os.pipe()
        if tmpl is not None:
            try:
                tmpl.spawn([res_w, info_w, in_r, out_w], max(64, 2 * r.limits.file_mb))
                self.template = tmpl
            except OSError:
                runner.template_failed(tmpl)
        try:
            if self.template is not None:
                # the job and the source go first on the worker's input, read before it runs anything
                job = json.dumps(dict(r.job_common, result_fd=3, input_fd=0, limits=limits, source=r.source))
                self.to_send += wire.head("J", size=len(job.encode())) + job.encode()
            else:
                self._popen(res_w, out_w, in_r, info_w, limits)
        except BaseException:
            for fd in (res_r, out_r, info_r, in_w):
                if fd is not None:
                    os.close(fd)
            raise
        finally:
            for fd in (res_w, out_w, info_w, in_r):
                if fd is not None:
                    os.close(fd)
        r.info.workers += 1
        if self.proc is not None:
            try:
                self.pidfd = os.pidfd_open(self.proc.pid)
            except (AttributeError, OSError):
                pass
        self.res_r, self.out_r, self.info_r, self.in_w = res_r, out_r, info_r, in_w
        self.fds = [res_r, out_r] + ([info_r] if info_r is not None else [])
        if self.to_send:
            self._write()  # the job, so that a worker started ahead gets ready meanwhile

    def _popen(self, res_w, out_w, in_r, info_w, limits) -> None:
        r = self.r
        r.ensure_jobdir()
        self.job_name = f"job-{r.info.workers + 1}.json"  # one per worker: a worker started ahead reads its own
        job = dict(r.job_common, result_fd=res_w, input_fd=0, limits=limits)
        job_path = os.path.join(r.jobdir, self.job_name)
        fd = os.open(job_path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8") as f:
            json.dump(job, f)
        os.replace(job_path + ".tmp", job_path)
        pass_fds = [res_w]
        if r.sandboxed:
            pass_fds.append(info_w)
            cmd = sandbox.bwrap_args(r.bwrap, r.as_root, r.jobdir, r.limits, info_w) + [
                sys.executable, "-I", "-B", f"{sandbox.SANDBOX_JOB}/worker.py", sandbox.SANDBOX_JOB, self.job_name]
            env, cwd = None, None
        else:  # the worker below a supervisor that kills whatever the worker leaves behind
            cmd = [sys.executable, "-I", "-B", os.path.join(r.jobdir, "worker.py"), "--supervise", r.jobdir,
                   self.job_name]
            env, cwd = sandbox.environment(r.workdir), r.workdir
        self.proc = subprocess.Popen(cmd, stdin=in_r, stdout=out_w, stderr=out_w, pass_fds=pass_fds, env=env,
                                     cwd=cwd, start_new_session=True, close_fds=True)

    def run(self) -> None:
        self.start()
        try:
            self._session()
        except _TemplateFailed:  # the forked worker did not start: a fresh one, and no template from now on
            runner.template_failed(self.template)
            self.__init__(self.r, self.pending, fresh=True)
            self.start()
            self._session()

    def abort(self) -> None:
        """End a worker started ahead whose turn did not come."""
        if self.started:
            try:
                self._kill()
            finally:
                self._close()

    def _session(self) -> None:
        try:
            self._loop()
        except _TemplateFailed:
            self._kill()
            self._close()
            raise
        except BaseException:  # KeyboardInterrupt in the grader, a bug: the worker must not outlive us
            self._kill()
            raise
        finally:
            self._close()

    def _close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self._end()
        finally:
            for fd in (self.res_r, self.out_r, self.info_r, self.in_w, self.pidfd, self.child_pidfd):
                if fd is not None:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            self.in_w = None

    # -- the event loop

    def _loop(self) -> None:
        """Read frames until every call has an outcome, or a call times out or crashes."""
        r = self.r
        self.t_mark = time.monotonic()
        self.deadline = min(self.t_mark + STARTUP_S, r.deadline)
        exited = False
        while True:
            now = time.monotonic()
            if now >= self.deadline:
                return self._timed_out(now - self.t_mark)
            watch = list(self.fds) + ([self.pidfd] if self.pidfd is not None else [])
            writing = [self.in_w] if self.to_send and self.in_w is not None else []
            wait = min(self.deadline - now, 0.05 if self.pidfd is None and self.template is None else 3600.0)
            try:
                ready, can_write, _ = select.select(watch, writing, [], wait)
            except InterruptedError:
                continue
            if can_write:
                self._write()
            self._read([fd for fd in ready if fd != self.pidfd])
            if self.template is not None:
                exited = self.info_r not in self.fds  # the template closes the info pipe once pid 1 has ended
            elif self.pidfd in ready or (self.pidfd is None and self.proc.poll() is not None):
                exited = True
            if exited:
                self._drain()  # whatever the worker wrote before it ended is in the pipes now
            if self._frames():
                return None
            if exited:
                if self.state == "finishing":
                    return None
                why = describe_exit(self._reap(5.0))
                return self._crashed(time.monotonic() - self.t_mark, why)

    def _read(self, ready) -> None:
        for fd in ready:
            try:
                data = os.read(fd, 1 << 16)  # below malloc's mmap threshold: no mmap/munmap per read
            except OSError:
                data = b""
            if not data:
                self.fds.remove(fd)
            elif fd == self.res_r:
                self.buf += data
            elif fd == self.out_r:
                self.r.keep_output(data)
            elif fd == self.info_r:
                self.info_buf += data
                if self.template is not None:
                    self._template_info()
                else:
                    self._child_pid(self.info_buf)

    def _drain(self) -> None:
        while self.fds:
            ready = select.select(self.fds, [], [], 0)[0]
            if not ready:
                return
            self._read(ready)
            if len(self.buf) > wire.MAX_FRAME + wire.MAX_HEAD:
                return

    def _write(self) -> None:
        """As much of the pending K frame as the input pipe takes now; never blocks."""
        try:
            n = os.write(self.in_w, memoryview(self.to_send)[: 1 << 20])
        except BlockingIOError:
            return
        except OSError:  # the worker is gone: its end is seen on the other pipes
            self.to_send.clear()
            n = 0
        del self.to_send[:n]
        if not self.to_send and self.close_input:
            os.close(self.in_w)
            self.in_w = None

    def _send_next(self, now: float) -> None:
        """Send the inputs of pending[0]: the worker makes that call on receiving them."""
        call = self.pending[0]
        self.token = secrets.token_hex(8)
        payload = self.r.payloads[call.index]
        self.to_send += wire.head("K", call.index, self.token, size=len(payload)) + payload
        self.close_input = len(self.pending) == 1
        self._write()
        self.state, self.t_mark = "calling", now
        self.deadline = min(now + self.r.limits.per_call_s, self.r.deadline)

    def _frames(self) -> bool:
        """Handle the complete frames in the buffer; True when the session is over."""
        r = self.r
        while True:
            now = time.monotonic()
            try:
                if len(self.buf) > wire.MAX_FRAME + wire.MAX_HEAD:
                    raise wire.ProtocolError("frame too large")
                head = wire.parse_head(self.buf)
            except wire.ProtocolError:
                self._crashed(now - self.t_mark, MALFORMED)
                return True
            if head is None:
                return False
            tag, fields, size, n = head
            if len(self.buf) < n + size:
                return False
            payload = self.buf[n: n + size]
            del self.buf[: n + size]
            if tag == "R" and self.state == "starting":  # sent before any student code: trustworthy
                # the worker runs the student's code once it reads this; a worker started ahead learns only now
                # how much CPU time the submission has left
                go = json.dumps({"cpu_s": max(1.0, r.limits.cpu_s - r.cpu_used)}).encode()
                self.to_send += wire.head("G", size=len(go)) + go
                self._write()
                self.state, self.t_mark = "importing", now
                self.deadline = min(now + r.import_s, r.deadline)
            elif tag == "I" and self.state == "importing":
                failure = self._import_info(payload, now - self.t_mark)
                if failure is not None:
                    self.import_failure = failure
                    self._kill()
                    return True
                self._send_next(now)
            elif (tag == "C" and self.state == "calling"
                  and fields == [str(self.pending[0].index), self.token]):
                if self._outcome(payload, now):
                    return True
            # any other frame was written by the student's code: ignored
            del payload

    def _outcome(self, payload: bytearray, now: float) -> bool:
        """Decode the outcome of the call in progress, send the next call, judge; True when the
        session is over (the outcome was malformed)."""
        r = self.r
        index = self.pending[0].index
        seconds = now - self.t_mark
        try:
            outcome = self._decode(index, payload, seconds)
        except Exception:  # noqa: BLE001 - ProtocolError; another one (a bug of wire.py) costs this call only
            self._crashed(seconds, MALFORMED)
            return True
        self.pending.pop(0)
        self.done.append(index)
        if self.pending:
            self._send_next(time.monotonic())
        else:
            self.state = "finishing"  # the worker exits once it reads the end of its input
        t0 = time.monotonic()
        r.settle(outcome)
        del outcome
        judged = time.monotonic() - t0
        if self.state == "calling":  # the next call's clock does not count the judging
            self.t_mark += judged
            self.deadline = min(self.t_mark + r.limits.per_call_s, r.deadline)
        else:
            self.deadline = min(time.monotonic() + FINISH_S, r.deadline + FINISH_S)
        return False

    def _decode(self, index: int, payload: bytearray, seconds: float) -> runner.Outcome:
        fields, values = wire.decode(payload, self.r.budget, Opaque)
        status, kind = fields.get("status"), fields.get("kind")
        line = fields.get("line")
        line = line if type(line) is int else None
        if status == "ok":
            return runner.Outcome(index, "ok", values.get("result"), values.get("args_after"), "", seconds, "ok")
        if status == "error" and kind in ("raised", "not_implemented", "missing"):
            exc_type = wire.clean_text(fields.get("exc_type"), 100)
            exc_text = wire.clean_text(fields.get("exc_text"))
            if kind == "missing":
                message = "function not found"
            elif kind == "not_implemented":
                message = "not implemented yet (NotImplementedError)"
            else:
                message = f"raised {exc_type}" + (f": {exc_text}" if exc_text else "")
            return runner.Outcome(index, "error", None, None, message, seconds, kind, exc_type, exc_text, line)
        raise wire.ProtocolError(f"unknown status {wire.clean_text(status, 20)!r}")

    def _template_info(self) -> None:
        """For a forked worker the template (worker.py, no student code) writes {"child-pid"} (the namespace's pid 1),
        then {"exit-code", "cpu"} once it has ended."""
        for line in bytes(self.info_buf).split(b"\n")[:2]:
            try:
                info = json.loads(line)
            except ValueError:
                continue
            if type(info) is not dict:
                continue
            if "child-pid" in info and self.child_pidfd is None and self.child_pid is None:
                self._child_pid(line)
            if "exit-code" in info and self.exit_code is None:
                self.exit_code = int(info["exit-code"])
                self.cpu += float(info.get("cpu", 0.0))

    def _child_pid(self, info_buf: bytes) -> None:
        if self.child_pidfd is not None:
            return
        try:
            pid = int(json.loads(info_buf.decode())["child-pid"])
        except (ValueError, KeyError, TypeError):
            return
        try:
            self.child_pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self.child_pid = pid

    def _import_info(self, payload: bytearray, seconds: float) -> runner.Outcome | None:
        try:
            info = wire.loads(payload)
            if type(info) is not dict:
                raise wire.ProtocolError("not an object")
        except wire.ProtocolError:
            info = {"ok": False, "kind": "exception", "exc_type": "?", "exc_text": MALFORMED}
        if info.get("ok") is True:
            return None
        kind = info.get("kind")
        exc_type = wire.clean_text(info.get("exc_type"), 100)
        text = info.get("exc_text")
        line = info.get("line") if type(info.get("line")) is int else None
        at = f" at line {line}" if line else ""
        if kind == "exit":
            code = text if type(text) in (int, str) else None
            code_txt = f" (exit code {wire.clean_text(str(code), 60)})" if code is not None else ""
            message = (f"the module called sys.exit() at import{at}{code_txt}: code outside the functions must not "
                       f"exit; put experiments under `if __name__ == \"__main__\":`")
            text = wire.clean_text(str(code)) if code is not None else ""
            kind = "import_exit"
        else:
            text = wire.clean_text(text)
            message = f"the module could not be imported: {exc_type}{at}" + (f": {text}" if text else "")
            kind = "import_error"
        return runner.Outcome(-1, "error", message=message, seconds=seconds, kind=kind, exc_type=exc_type,
                              exc_text=text, line=line)

    # -- endings

    def _timed_out(self, seconds: float) -> None:
        r, state, pending = self.r, self.state, self.pending
        self._kill()
        total = time.monotonic() >= r.deadline - 1e-3
        if state == "starting":
            if total:
                return None  # the total time is used up: the remaining calls are skipped
            if self.template is not None:
                raise _TemplateFailed()
            raise WorkerFailure(f"the grader's worker did not start within {STARTUP_S:g} s: {r.output_tail()}")
        if state == "importing":
            if total:
                msg = f"the module did not finish importing within the total time of {r.limits.total_s:g} s"
            else:
                msg = (f"the module did not finish importing within {r.import_s:g} s: look for an endless loop or a "
                       f"long computation outside the functions")
            self.import_failure = runner.Outcome(-1, "timeout", message=msg, seconds=seconds, kind="import_timeout",
                                                 exc_text=f"{r.limits.total_s if total else r.import_s:g}")
            return None
        if state == "finishing" or not pending:
            return None
        limit = r.limits.total_s if total else r.limits.per_call_s
        what = "the submission's total time" if total else "the time per call"
        self.stopped = runner.Outcome(pending[0].index, "timeout", message=f"timed out after {limit:g} s ({what})",
                                      seconds=seconds, kind="timeout", exc_type="total" if total else "call",
                                      exc_text=f"{limit:g}")
        return None

    def _crashed(self, seconds: float, why: str) -> None:
        state, pending = self.state, self.pending
        self._kill()
        if state == "starting":
            if self.template is not None:
                raise _TemplateFailed()
            raise WorkerFailure(f"the grader's worker failed to start ({why}): {self.r.output_tail()}")
        if state == "importing":
            self.import_failure = runner.Outcome(-1, "crashed", message=f"the module crashed the worker while being "
                                                                        f"imported ({why})",
                                                 seconds=seconds, kind="import_crash", exc_text=why)
            return None
        if state == "finishing" or not pending:
            return None
        self.stopped = runner.Outcome(pending[0].index, "crashed", message=f"crashed: {why}", seconds=seconds,
                                      kind="crashed", exc_text=why)
        return None

    def _kill(self) -> None:
        """Kill the worker and everything it started."""
        if self.template is not None and self.child_pidfd is None and self.child_pid is None:
            self._await_info(lambda: self.child_pidfd is not None or self.child_pid is not None, 2.0)
        if self.r.sandboxed:
            # killing the sandbox's pid 1 makes the kernel kill its whole pid namespace; bwrap then exits
            try:
                if self.child_pidfd is not None:
                    signal.pidfd_send_signal(self.child_pidfd, signal.SIGKILL)
                    return
                if self.child_pid is not None:
                    os.kill(self.child_pid, signal.SIGKILL)
                    return
            except OSError:
                pass
            self._killpg()
        else:
            # the supervisor kills the worker and every process below it, then exits
            try:
                self.proc.send_signal(signal.SIGTERM)
            except OSError:
                pass

    def _killpg(self) -> None:
        if self.proc is None:
            return  # a forked worker: its namespace's pid 1 is the only handle (and is enough)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            try:
                self.proc.kill()
            except OSError:
                pass

    def _await_info(self, done, timeout: float) -> None:
        """Read the info pipe (bubblewrap's, or the template's) until done() or its end or the timeout."""
        end = time.monotonic() + timeout
        while not done() and self.info_r in self.fds:
            left = end - time.monotonic()
            if left <= 0:
                return
            if select.select([self.info_r], [], [], left)[0]:
                self._read([self.info_r])

    def _reap(self, timeout: float) -> int | None:
        """Wait for the worker (bwrap) to end; its CPU time is added to the submission's."""
        if self.template is not None:  # the template reports the status, then closes the info pipe
            self._await_info(lambda: False, timeout)
            if self.info_r in self.fds:
                return None
            return self.exit_code if self.exit_code is not None else 128 + signal.SIGKILL
        proc = self.proc
        if proc.returncode is not None:
            return proc.returncode
        end = time.monotonic() + timeout
        while True:
            try:
                pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            except ChildProcessError:
                proc.returncode = proc.returncode if proc.returncode is not None else -1
                return proc.returncode
            if pid:
                self.cpu += ru.ru_utime + ru.ru_stime
                proc.returncode = os.waitstatus_to_exitcode(status)
                return proc.returncode
            if time.monotonic() >= end:
                return None
            if self.pidfd is not None:
                select.select([self.pidfd], [], [], max(0.0, min(0.5, end - time.monotonic())))
            else:
                time.sleep(0.005)

    def _end(self) -> None:
        """After the session: the worker and every process it started are gone."""
        if self.in_w is not None:  # the worker waiting for a call that will not come: it ends now
            os.close(self.in_w)
            self.in_w = None
        code = self._reap(5.0)
        if code is None:  # still running (a worker that ignored its end): kill it
            self._kill()
            code = self._reap(5.0)
            if code is None:
                self._killpg()
                self._reap(5.0)
        if self.r.sandboxed:
            # bwrap has reaped the sandbox's pid 1, which the kernel lets end only after every
            # process of its namespace is gone; make sure of it when bwrap itself was killed
            if self.child_pidfd is not None:
                try:
                    signal.pidfd_send_signal(self.child_pidfd, signal.SIGKILL)
                except OSError:
                    pass
                select.select([self.child_pidfd], [], [], 5.0)
        else:
            self._killpg()  # whatever is left in the process group (the supervisor got the rest)
        self.r.cpu_used += self.cpu
