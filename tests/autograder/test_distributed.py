"""rnngrade batch --scheduler (a real `dask scheduler` and two `dask worker` processes on 127.0.0.1), --shard K/N
and rnngrade merge: graded alike student by student, nothing lost or doubled when a worker dies, slices that join
into the whole."""

import collections
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import distributed  # noqa: F401 - imported here, outside CliRunner, so that Dask's log handlers keep the real stderr

from autograder import batch
from autograder.cli import main
from autograder.distributed import Cluster, parse_address
from autograder.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
A = "rnn_bptt"
SOLUTION = ROOT / "solutions" / A / f"{A}.py"
SOLUTION_NB = ROOT / "solutions" / A / f"{A}.ipynb"
STUB = ROOT / "assignments" / A / f"{A}.py"
BUGGY = ROOT / "examples" / "class" / "bob" / f"{A}.py"
ATTACKS = Path(__file__).resolve().parent / "attacks"
BIN = Path(sys.executable).parent
RNNGRADE = str(BIN / "rnngrade")
DASK = str(BIN / "dask")
#: hostile or broken submissions from attacks/ that finish quickly (no sleeping, no time limit reached)
HOSTILE = ("exit_at_import", "exit_in_function", "os_exit", "segfault", "monkeypatch_numpy", "import_exception",
           "syntax_error", "missing_function", "mutation", "nan", "wrong_shape", "list_result", "import_rnnref",
           "ndarray_subclass")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def one_line_error(result, *phrases):
    """Exit 2, one line, saying each phrase."""
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert text.count("\n") == 0, text
    for p in phrases:
        assert p in text, text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def attack_source(name: str) -> str:
    text = (ATTACKS / f"{name}.py").read_text(encoding="utf-8").replace("__ROOT__", str(ROOT))
    if text.lstrip().startswith('"""Override'):  # appended to the solution: only the function attacked is broken
        return SOLUTION.read_text(encoding="utf-8") + "\n\n" + text
    return text


def make_class(d: Path) -> Path:
    """30 students: correct (.py and a notebook), buggy, untouched stubs, hostile, broken notebooks, an empty file."""
    def put(student, text=None, src=None, name=f"{A}.py"):
        (d / student).mkdir(parents=True)
        if src is not None:
            shutil.copy(src, d / student / name)
        else:
            (d / student / name).write_text(text, encoding="utf-8")

    for k in range(6):
        put(f"correct{k}", src=SOLUTION)
    put("notebook", src=SOLUTION_NB, name=f"{A}.ipynb")
    for k in range(3):
        put(f"buggy{k}", src=BUGGY)
        put(f"stub{k}", src=STUB)
    for name in HOSTILE:
        put(f"hostile_{name}", attack_source(name))
    put("broken0", "not json", name=f"{A}.ipynb")
    put("broken1", '{"cells": [', name=f"{A}.ipynb")
    put("empty", "")
    return d


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    d = make_class(tmp_path_factory.mktemp("class") / "class")
    assert len(list(d.iterdir())) == 30
    return d


@pytest.fixture(scope="module")
def reference(klass, tmp_path_factory):
    """The class graded on this machine, without Dask: (grades.csv, results folder)."""
    out = tmp_path_factory.mktemp("local")
    r = run("batch", klass, "-a", A, "-o", out / "grades.csv", "--results", out / "results", "--lang", "en")
    assert r.exit_code == 3, r.output  # the broken notebooks and the empty file: not graded
    return out / "grades.csv", out / "results"


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """A real `dask scheduler` and two `dask worker` processes (one thread each) on 127.0.0.1; stopped at the end."""
    scratch = tmp_path_factory.mktemp("dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = [open(scratch / name, "w") for name in ("scheduler.log", "worker0.log", "worker1.log")]
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address",
                               "127.0.0.1:0"],
                              stdout=subprocess.DEVNULL, stderr=logs[0], cwd=scratch)]
    for k in range(2):
        procs.append(subprocess.Popen(
            [DASK, "worker", address, "--nworkers", "1", "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard",
             "--death-timeout", "30",
             "--local-directory", str(scratch / f"w{k}"), "--name", f"w{k}"],
            stdout=subprocess.DEVNULL, stderr=logs[k + 1], cwd=scratch))
    try:
        from distributed import Client

        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout=2) as c:
                    c.wait_for_workers(2, timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield address
    finally:
        try:
            from distributed import Client

            with Client(address, timeout=5) as c:
                c.shutdown()  # the scheduler and its workers close at once
        except OSError:
            pass
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for f in logs:
            f.close()


def comparable(path: Path) -> dict:
    """A student's JSON result without what depends on the machine and the moment (timing, isolation notes)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("execution_time")
    data.pop("isolation")
    return data


def report_lines(path: Path) -> list:
    return [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("graded in ")]


def assert_same_class(results: Path, ref_results: Path) -> None:
    names = sorted(p.name for p in ref_results.glob("*.json"))
    assert names and sorted(p.name for p in results.glob("*.json")) == names
    for name in names:
        assert comparable(results / name) == comparable(ref_results / name), name
        txt = name.removesuffix(".json") + ".txt"
        assert report_lines(results / txt) == report_lines(ref_results / txt), txt


class TestParseAddress:
    def test_forms(self):
        """tcp:// and tls:// addresses are kept, local:N gives N; anything else is a one-line UserError."""
        assert parse_address("tcp://127.0.0.1:8786") == "tcp://127.0.0.1:8786"
        assert parse_address("tls://grader.example.org:8786") == "tls://grader.example.org:8786"
        assert parse_address("local:2") == 2
        for bad in ("127.0.0.1:8786", "tcp://host", "local:0", "tcp://h:99999", "http://h:80", ""):
            with pytest.raises(UserError):
                parse_address(bad)


class TestScheduler:
    def test_equals_local_run(self, scheduler, klass, reference, tmp_path):
        """30 mixed submissions graded through the scheduler and two workers equal the local run student by student
        (scores, statuses, every test's output, the feedback) and the CSV byte for byte."""
        ref_csv, ref_results = reference
        r = run("batch", klass, "-a", A, "-o", tmp_path / "g.csv", "--results", tmp_path / "res", "--lang", "en",
                "--scheduler", scheduler)
        assert r.exit_code == 3, r.output
        assert (tmp_path / "g.csv").read_bytes() == ref_csv.read_bytes()
        assert_same_class(tmp_path / "res", ref_results)
        assert "30/30 done in" in r.output and "submissions/s" in r.output

    def test_killed_worker(self, scheduler, klass, reference, tmp_path):
        """A Dask worker killed with SIGKILL mid-run: its tasks are graded elsewhere, the CSV is the local run's, and
        each student's result is committed exactly once."""
        from distributed import Client

        with Client(scheduler, timeout=10) as c:
            pids = c.run(os.getpid)
        victim = sorted(pids.values())[0]
        commits, killed = collections.Counter(), []

        def on_done(student, result, skipped):
            commits[student] += 1
            if len(commits) == 8 and not killed:  # a few graded by the workers (the broken ones are settled here)
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        res = tmp_path / "res"
        with Cluster(scheduler) as cluster:
            results = batch.grade_class(klass, A, res, lang="en", on_done=on_done, cluster=cluster)
        assert killed and len(commits) == 30 and set(commits.values()) == {1}
        batch.finish(results, tmp_path / "g.csv", res)
        assert (tmp_path / "g.csv").read_bytes() == reference[0].read_bytes()
        assert_same_class(res, reference[1])

    def test_resume_regrades_only_a_resubmission(self, scheduler, tmp_path):
        """Through the cluster, --resume grades again a student who handed in again, and not the unchanged ones."""
        d = tmp_path / "class"
        for student, src in (("alice", SOLUTION), ("bob", BUGGY), ("carol", STUB)):
            (d / student).mkdir(parents=True)
            shutil.copy(src, d / student / f"{A}.py")
        args = ("batch", d, "-o", tmp_path / "g.csv", "--results", tmp_path / "res", "--scheduler", scheduler)
        assert run(*args).exit_code == 0
        shutil.copy(SOLUTION, d / "carol" / f"{A}.py")
        r = run(*args, "--resume")
        assert r.exit_code == 0, r.output
        assert "resumed: 2 student(s) already graded" in r.output and "1 graded now" in r.output
        rows = {row["student"]: row for row in csv.DictReader((tmp_path / "g.csv").read_text().splitlines())}
        assert rows["carol"]["score"] == "15.0"

    def test_subprocess_interrupt_then_resume(self, scheduler, klass, tmp_path):
        """A real `rnngrade batch --scheduler` interrupted (SIGINT): exit 130 with how many are done and --resume;
        the resumed run grades only the others."""
        small = tmp_path / "class"
        for d in sorted(klass.iterdir())[:14]:  # the broken notebooks, buggy, correct, empty and some hostile
            shutil.copytree(d, small / d.name)
        res = tmp_path / "res"
        args = [RNNGRADE, "batch", str(small), "-a", A, "-o", str(tmp_path / "g.csv"), "--results", str(res),
                "--scheduler", scheduler]
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while len(list(res.glob("*.json"))) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=120)
        assert p.returncode == 130, out + err
        assert "interrupted:" in err and "--resume" in err
        done = len(list(res.glob("*.json")))
        assert 5 <= done < 14 and not (tmp_path / "g.csv").exists()
        p = subprocess.run([*args, "--resume"], capture_output=True, text=True, timeout=300)
        assert p.returncode == 3, p.stderr
        skipped = int(p.stderr.split("resumed: ")[1].split(" ")[0])
        graded = int(p.stderr.split(" graded now")[0].rsplit(" ", 1)[1])
        assert done - 2 <= skipped <= done  # the two broken notebooks have no key: graded again
        assert skipped + graded == 14

    def test_unreachable_scheduler(self, klass, tmp_path):
        """A scheduler that does not answer is a one-line error (exit 2) after a short timeout, nothing graded."""
        r = run("batch", klass, "-a", A, "--results", tmp_path / "res", "-o", tmp_path / "g.csv", "--scheduler",
                f"tcp://127.0.0.1:{free_port()}")
        one_line_error(r, "cannot reach the Dask scheduler", "dask scheduler")
        assert not list((tmp_path / "res").glob("*.json")) and not (tmp_path / "g.csv").exists()

    def test_bad_address(self, klass, tmp_path):
        """A malformed --scheduler is refused before anything is read or written (exit 2, one line)."""
        one_line_error(run("batch", klass, "--scheduler", "127.0.0.1:8786", "--results", tmp_path / "res"),
                       "tcp://HOST:PORT", "local:N")
        assert not (tmp_path / "res").exists()


class TestSchedulerKilled:
    def test_nothing_committed_is_lost(self, klass, tmp_path):
        """The scheduler killed (SIGKILL) mid-run: exit 1 saying how many are done and to use --resume, no made-up
        result for the others; --resume (here without Dask) grades only those not committed."""
        small = tmp_path / "class"
        for d in sorted(klass.iterdir())[:14]:
            shutil.copytree(d, small / d.name)
        port = free_port()
        address = f"tcp://127.0.0.1:{port}"
        procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                   "--dashboard-address", "127.0.0.1:0"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, cwd=tmp_path),
                 subprocess.Popen([DASK, "worker", address, "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1",
                                   "--no-dashboard", "--death-timeout", "10", "--local-directory", str(tmp_path / "w")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)]
        try:
            res = tmp_path / "res"
            args = [RNNGRADE, "batch", str(small), "-a", A, "-o", str(tmp_path / "g.csv"), "--results", str(res)]
            p = subprocess.Popen([*args, "--scheduler", address], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
            deadline = time.monotonic() + 120
            while len(list(res.glob("*.json"))) < 6 and time.monotonic() < deadline:
                time.sleep(0.05)
            procs[0].kill()
            out, err = p.communicate(timeout=120)
        finally:
            for q in procs:
                q.kill()
                q.wait()
        assert p.returncode == 1, out + err
        assert "Error: lost the Dask cluster" in err and "run the same command with --resume" in err
        results = [json.loads(f.read_text()) for f in res.glob("*.json")]
        assert 6 <= len(results) < 14 and all(r["status"] != "internal_error" for r in results)
        r = subprocess.run([*args, "--resume"], capture_output=True, text=True, timeout=300)
        assert r.returncode == 3, r.stderr
        skipped = int(r.stderr.split("resumed: ")[1].split(" ")[0])
        graded = int(r.stderr.split(" graded now")[0].rsplit(" ", 1)[1])
        assert len(results) - 2 <= skipped <= len(results) and skipped + graded == 14


class TestWithoutTheExtra:
    def test_names_the_extra(self, tmp_path):
        """Where distributed cannot be imported, --scheduler is a one-line error (exit 2) naming the dask extra."""
        code = ("import sys; sys.modules['distributed'] = None; from autograder.cli import main; "
                "sys.argv[0] = 'rnngrade'; main()")
        p = subprocess.run([sys.executable, "-c", code, "batch", str(ROOT / "examples" / "class"), "--scheduler",
                            "local:1", "--results", str(tmp_path / "r")], capture_output=True, text=True, timeout=120)
        assert p.returncode == 2 and p.stderr.count("\n") == 1, p.stderr
        assert "pip install 'rnn-exercise-kit[dask]'" in p.stderr and not (tmp_path / "r").exists()


class TestLocalCluster:
    def test_local_two_workers(self, tmp_path):
        """--scheduler local:2 starts two worker processes here and grades the example class as the local run."""
        klass = ROOT / "examples" / "class"
        r1 = run("batch", klass, "-a", A, "-o", tmp_path / "a.csv", "--results", tmp_path / "a", "--lang", "en")
        r2 = run("batch", klass, "-a", A, "-o", tmp_path / "b.csv", "--results", tmp_path / "b", "--lang", "en",
                 "--scheduler", "local:2")
        assert r1.exit_code == r2.exit_code == 0, r2.output
        assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
        assert_same_class(tmp_path / "b", tmp_path / "a")

    def test_worker_without_bubblewrap(self, tmp_path, monkeypatch):
        """Workers on a machine without bubblewrap: each result says so, naming the worker's host, and the TA is
        told once."""
        monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no bwrap for the worker processes started here
        klass = ROOT / "examples" / "class"
        r = run("batch", klass, "-a", A, "-o", tmp_path / "g.csv", "--results", tmp_path / "res", "--scheduler",
                "local:1")
        assert r.exit_code == 0, r.output
        where = f"on Dask worker {socket.gethostname()}: "
        for student in ("alice", "bob", "carol"):
            notes = json.loads((tmp_path / "res" / f"{student}.json").read_text())["isolation"]
            assert notes and all(n.startswith(where) for n in notes)
        said = [ln for ln in r.output.splitlines() if ln.startswith("note: " + where)]
        assert len(said) == len(set(said)) >= 1


class TestGradedLanguage:
    """What a student reads is worded in the graded language on the Dask worker too: a Submission's notes and why it
    is empty cross the wire as their catalog keys and facts (messages.to_plain), never as English prose."""

    @staticmethod
    def small_class(d: Path) -> Path:
        """An empty file, and a folder holding both the module and the notebook (the notebook is graded, and said)."""
        (d / "empty").mkdir(parents=True)
        (d / "empty" / f"{A}.py").write_text("# nothing yet\n", encoding="utf-8")
        (d / "both").mkdir()
        shutil.copy(SOLUTION, d / "both" / f"{A}.py")
        shutil.copy(SOLUTION_NB, d / "both" / f"{A}.ipynb")
        return d

    def test_submission_fields_keep_the_catalog_keys(self, tmp_path):
        """submission_fields is plain JSON; submission_from rebuilds the notes and the empty reason, worded in any
        language."""
        from autograder.distributed import submission_fields, submission_from
        from autograder.messages import Said, say
        from autograder.submission import load_submission

        d = self.small_class(tmp_path / "class")
        for student in ("empty", "both"):
            sub = load_submission(d / student, A)
            back = submission_from(json.loads(json.dumps(submission_fields(sub))))
            said = [*back.notes, *([back.empty] if back.empty else [])]
            assert said and all(isinstance(n, Said) for n in said)
            assert back == sub and [say(n, "ja") for n in said] == [say(n, "ja") for n in (*sub.notes, sub.empty) if n]
            assert all("ノートブック" in say(n, "ja") or "空" in say(n, "ja") for n in said)

    def test_local_cluster_in_japanese(self, tmp_path):
        """--scheduler local:1 --lang ja: the notes are the local run's, in Japanese."""
        d = self.small_class(tmp_path / "class")
        notes = {}
        for how in ("here", "dask"):
            extra = ["--scheduler", "local:1"] if how == "dask" else []
            r = run("batch", d, "-a", A, "-o", tmp_path / f"{how}.csv", "--results", tmp_path / how, "--lang", "ja",
                    *extra)
            assert r.exit_code == 3, r.output  # the empty file: not graded
            notes[how] = {s: json.loads((tmp_path / how / f"{s}.json").read_text(encoding="utf-8"))["notes"]
                          for s in ("empty", "both")}
        assert notes["dask"] == notes["here"]
        (empty,) = notes["dask"]["empty"]
        assert empty.startswith("ファイルが空です（") and "the file is empty" not in empty, empty
        assert notes["dask"]["both"][0].startswith(f"{A}.ipynb を採点しました。"), notes["dask"]["both"]
        assert not any("graded" in n or "also holds" in n for n in notes["dask"]["both"]), notes["dask"]["both"]

    def test_failed_task_said_in_the_graded_language(self):
        """A task whose workers all died, or graded by another version of the grader: an internal error for the
        student, said in the graded language (English as before)."""
        from autograder.messages import Said

        e = batch.Entry("ann", Path("ann"), "7", "Ann")
        for key, en, ja in (
                ("note_cluster_killed", "internal error while grading on the Dask cluster (KilledWorker: the workers "
                                        "that took this submission died); run again with --resume",
                 "Dask クラスターでの採点中に内部エラーが発生しました（KilledWorker: この提出物を担当したワーカーが停止しました）。"
                 "--resume を付けてもう一度実行してください"),
                ("note_cluster_version", "internal error while grading on the Dask cluster: a worker runs another "
                                         "version of the grader; install the same rnn-exercise-kit on every worker "
                                         "and run again with --resume",
                 "Dask クラスターでの採点中に内部エラーが発生しました。別の版の採点プログラムを実行しているワーカーがあります。"
                 "すべてのワーカーに同じ rnn-exercise-kit をインストールし、--resume を付けてもう一度実行してください")):
            for lang, said in (("en", en), ("ja", ja)):
                data, text = batch._cluster_failure(e, A, "inputs", Said(key), lang)
                assert data["status"] == "internal_error" and data["notes"] == [said] and said in text
                assert (data["lms_id"], data["display_name"], data["score"]) == ("7", "Ann", 0.0)


class TestShard:
    def test_slices_are_stable(self):
        """A student's slice depends on their id alone: adding students moves nobody; every student is in one."""
        ids = [f"s{k}" for k in range(200)]
        before = {s: [k for k in range(1, 4) if batch.in_shard(s, k, 3)] for s in ids}
        assert all(len(v) == 1 for v in before.values())
        assert all(len([s for s in ids if before[s] == [k]]) > 40 for k in range(1, 4))
        after = {s: [k for k in range(1, 4) if batch.in_shard(s, k, 3)] for s in ids + ["new1", "new2"]}
        assert all(after[s] == before[s] for s in ids)

    @pytest.mark.parametrize("bad", ["0/3", "4/3", "x/y", "3", "-1/3"])
    def test_bad_shard(self, bad, tmp_path):
        """--shard outside 1 ≤ K ≤ N is refused before anything is written (exit 2, one line)."""
        one_line_error(run("batch", ROOT / "examples" / "class", "--shard", bad, "--results", tmp_path / "r"),
                       "--shard", "K/N")
        assert not (tmp_path / "r").exists()

    def test_shards_then_merge_equal_the_whole(self, klass, reference, tmp_path):
        """Shards 1/3, 2/3 and 3/3 merged give the whole class's CSV byte for byte, each student's result, and the
        class report."""
        for k in (1, 2, 3):
            r = run("batch", klass, "-a", A, "--shard", f"{k}/3", "--results", tmp_path / f"r{k}", "-o",
                    tmp_path / f"g{k}.csv", "--lang", "en")
            assert r.exit_code in (0, 3), r.output
            assert not (tmp_path / f"r{k}" / "report.html").exists()
        sizes = [len(list((tmp_path / f"r{k}").glob("rnngrade-shard-*"))) for k in (1, 2, 3)]
        assert sizes == [1, 1, 1]
        r = run("merge", tmp_path / "r1", tmp_path / "r2", tmp_path / "r3", "-o", tmp_path / "grades.csv",
                "--results", tmp_path / "all", "--lang", "en")
        assert r.exit_code == 3, r.output  # as the whole run: the broken notebooks are listed
        assert (tmp_path / "grades.csv").read_bytes() == reference[0].read_bytes()
        assert_same_class(tmp_path / "all", reference[1])
        assert (tmp_path / "all" / "report.html").exists() and "merged 3 shard(s)" in r.output

    def test_merge_refuses_mismatches(self, tmp_path):
        """merge refuses, in one line and writing nothing: a missing shard, shards of other inputs, the same student
        twice with different results, a folder without a shard."""
        klass = tmp_path / "class"
        for student in ("alice", "bob", "carol", "dave", "erin", "frank"):
            (klass / student).mkdir(parents=True)
            shutil.copy(STUB, klass / student / f"{A}.py")
        for k in (1, 2):
            assert run("batch", klass, "--shard", f"{k}/2", "--results", tmp_path / f"r{k}",
                       "-o", tmp_path / f"g{k}.csv").exit_code == 0
        out = ("-o", tmp_path / "m.csv", "--results", tmp_path / "m")
        one_line_error(run("merge", tmp_path / "r1", *out), "shard 2/2 is missing")
        assert run("batch", klass, "--shard", "2/2", "--seed", "retake", "--results", tmp_path / "s2",
                   "-o", tmp_path / "s.csv").exit_code == 0
        one_line_error(run("merge", tmp_path / "r1", tmp_path / "s2", *out), "different gradings", "inputs")
        shutil.copytree(tmp_path / "r2", tmp_path / "r2b")
        sid = json.loads((tmp_path / "r2b" / "rnngrade-shard-2-of-2.json").read_text())["students"][0][1]
        data = json.loads((tmp_path / "r2b" / f"{sid}.json").read_text())
        data["key"] = "sha256:" + "0" * 64
        (tmp_path / "r2b" / f"{sid}.json").write_text(json.dumps(data))
        one_line_error(run("merge", tmp_path / "r1", tmp_path / "r2", tmp_path / "r2b", *out), "different results")
        (tmp_path / "nothing").mkdir()
        one_line_error(run("merge", tmp_path / "nothing", *out), "holds no shard")
        assert not (tmp_path / "m.csv").exists() and not (tmp_path / "m").exists()
        r = subprocess.run([RNNGRADE, "merge", str(tmp_path / "r1"), str(tmp_path / "r2"), *map(str, out)],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert len((tmp_path / "m.csv").read_text().splitlines()) == 7

    def test_merge_writes_the_lms_file(self, tmp_path):
        """merge --lms moodle-gradebook writes the file batch --lms writes for the whole class; Moodle's worksheet
        without the download it names is refused in one line."""
        klass = tmp_path / "class"
        for student, src in (("alice", SOLUTION), ("bob", BUGGY), ("carol", STUB), ("dave", STUB)):
            (klass / student).mkdir(parents=True)
            shutil.copy(src, klass / student / f"{A}.py")
        assert run("batch", klass, "--lms", "moodle-gradebook", "-o", tmp_path / "whole.csv",
                   "--results", tmp_path / "w").exit_code == 0
        for k in (1, 2):
            assert run("batch", klass, "--shard", f"{k}/2", "--results", tmp_path / f"r{k}",
                       "-o", tmp_path / f"g{k}.csv").exit_code == 0
        r = run("merge", tmp_path / "r1", tmp_path / "r2", "--lms", "moodle-gradebook", "-o", tmp_path / "m.csv",
                "--results", tmp_path / "m")
        assert r.exit_code == 0, r.output
        assert (tmp_path / "m.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
        assert (tmp_path / "m" / "grades.csv").read_bytes() == (tmp_path / "w" / "grades.csv").read_bytes()
        one_line_error(run("merge", tmp_path / "r1", tmp_path / "r2", "--lms", "moodle", "-o", tmp_path / "x.csv"),
                       "--source")
