"""autograder.gradescope: the autograder zip, and grading one submission in Gradescope's /autograder layout.

TestGradescopeImage does what Gradescope does, for real: builds the zip with `rnngrade gradescope build`,
unpacks it into a folder laid out as /autograder (source/, submission/, results/), binds that folder at
/autograder with bubblewrap (as root), runs setup.sh there once (a virtual environment of the system's
python3, the kit's dependencies from PyPI) and run_autograder for each submission, and validates every
results.json against gradescope_results.schema.json (written from Gradescope's specification).
"""

import io
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import gradescope
from autograder.cli import main
from autograder.course import filled_release
from autograder.errors import SubmissionError
from autograder.worker import TEMPLATE_UID_BASE, TEMPLATE_UID_SPAN

from .gradescope_schema import validate

ROOT = Path(__file__).resolve().parents[2]
A = "rnn_bptt"
SOLUTION = ROOT / "solutions" / A / f"{A}.py"
STUB = ROOT / "assignments" / A / f"{A}.py"
BUGGY = ROOT / "examples" / "class" / "bob" / f"{A}.py"  # W for Wᵀ in deltas, Z for Z̃ in grad_W
RNNGRADE = str(Path(sys.executable).with_name("rnngrade"))
SECRET = b"0123456789abcdef" * 4
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def solved_notebook() -> bytes:
    release = json.loads((ROOT / "assignments" / A / f"{A}.ipynb").read_text(encoding="utf-8"))
    source = json.loads((ROOT / "solutions" / A / f"{A}.ipynb").read_text(encoding="utf-8"))
    return json.dumps(filled_release(release, source)).encode("utf-8")


def unpack(zip_path_or_bytes, dest: Path) -> None:
    """Unzip as Gradescope does (and `unzip` would): each member with the permission bits it carries."""
    data = zip_path_or_bytes if isinstance(zip_path_or_bytes, bytes) else Path(zip_path_or_bytes).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            target = dest / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
            os.chmod(target, (info.external_attr >> 16) & 0o777 or 0o644)


def layout(base: Path, zip_data, *, metadata: dict | None = None) -> Path:
    """A folder laid out as Gradescope's /autograder: source/ (the zip), run_autograder copied beside it,
    an empty submission/ and results/, and submission_metadata.json when given."""
    base.mkdir(parents=True, exist_ok=True)
    unpack(zip_data, base / "source")
    shutil.copy2(base / "source" / "run_autograder", base / "run_autograder")
    (base / "submission").mkdir()
    (base / "results").mkdir()
    if metadata is not None:
        (base / "submission_metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return base


def metadata(created="2026-07-01T14:22:32.365935-07:00", due="2026-07-31T23:00:00.000000-07:00", late_due=None):
    """Gradescope's submission_metadata.json, as its documentation shows it."""
    return {"id": 123456, "created_at": created,
            "assignment": {"due_date": due, "group_size": None, "group_submission": False, "id": 25828,
                           "course_id": 1234, "late_due_date": late_due, "release_date": "2026-07-02T00:00:00-07:00",
                           "title": "RNN BPTT", "total_points": "15.0", "submission_method": "upload"},
             "users": [{"email": "student@example.com", "id": 1234, "name": "Student User"}],
             "previous_submissions": []}


@pytest.fixture(scope="module")
def zip_data():
    """The rnn_bptt autograder with a course secret, built in this process."""
    return gradescope.build_zip(A, secret=SECRET, kit_root=ROOT)


def submit(root: Path, name: str, data: bytes) -> None:
    path = root / "submission" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def results_of(root: Path) -> dict:
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    validate(data)
    return data


class TestBuildZip:
    def test_members_and_modes(self, zip_data):
        """Top: setup.sh, run_autograder (0755), the config, the secret (0600), kit/; no solutions, tests, caches."""
        with zipfile.ZipFile(io.BytesIO(zip_data)) as zf:
            infos = {i.filename: i for i in zf.infolist()}
            mode = {n: (i.external_attr >> 16) & 0o7777 for n, i in infos.items()}
            assert mode["setup.sh"] == mode["run_autograder"] == 0o755
            assert all(infos[n].create_system == 3 for n in infos)
            assert zf.read("setup.sh").startswith(b"#!/usr/bin/env bash\n")
            assert zf.read("run_autograder").startswith(b"#!/usr/bin/env bash\n")
            assert zf.read(".rnngrade-secret") == SECRET + b"\n" and mode[".rnngrade-secret"] == 0o600
            config = json.loads(zf.read(gradescope.CONFIG_NAME))
        assert config == {"assignment": A, "hidden_visibility": "after_due_date", "format": "text", "lang": None,
                          "secret": ".rnngrade-secret", "rnngrade_version": config["rnngrade_version"]}
        assert {"kit/pyproject.toml", "kit/README.md", "kit/rnnref/__init__.py", "kit/autograder/api.py",
                "kit/autograder/gradescope.py", "kit/autograder/suites/rnn_bptt.py"} <= set(infos)
        tops = {n.split("/")[0] for n in infos}
        assert tops == {"setup.sh", "run_autograder", gradescope.CONFIG_NAME, ".rnngrade-secret", "kit"}
        assert {n.split("/")[1] for n in infos if n.startswith("kit/")} == {"pyproject.toml", "README.md", "rnnref",
                                                                            "autograder"}
        assert not [n for n in infos if "__pycache__" in n or n.endswith(".pyc") or ".." in n.split("/")]

    def test_same_inputs_same_zip(self, zip_data):
        """Two builds of the same assignment, secret and options are byte for byte the same zip."""
        assert gradescope.build_zip(A, secret=SECRET, kit_root=ROOT) == zip_data


class TestBuildCommand:
    def test_cli_writes_a_private_zip(self, tmp_path):
        """The build command writes a 0600 zip, names the inputs by id (never the secret), and records the options."""
        secret = tmp_path / "s"
        secret.write_bytes(SECRET + b"\n")
        out = tmp_path / "ag.zip"
        r = CliRunner().invoke(main, ["gradescope", "build", A, "--secret", str(secret), "-o", str(out),
                                      "--hidden-visibility", "after_published", "--format", "md", "--lang", "ja"])
        assert r.exit_code == 0, r.output
        assert stat.S_IMODE(out.stat().st_mode) == 0o600 and SECRET.decode() not in r.output
        assert "hidden inputs s-" in r.stdout and "Configure Autograder" in r.stdout
        with zipfile.ZipFile(out) as zf:
            config = json.loads(zf.read(gradescope.CONFIG_NAME))
            assert zf.read(".rnngrade-secret") == SECRET + b"\n"
        assert (config["hidden_visibility"], config["format"], config["lang"]) == ("after_published", "md", "ja")

    def test_refuses_without_a_secret(self, tmp_path, monkeypatch):
        """Without a secret: exit 2, one line saying to run `rnngrade secret DIR` first; nothing written."""
        monkeypatch.delenv("RNNGRADE_SECRET", raising=False)
        monkeypatch.chdir(tmp_path)
        r = CliRunner().invoke(main, ["gradescope", "build", A])
        assert r.exit_code == 2 and r.output.strip().count("\n") == 0
        assert "rnngrade secret DIR" in r.output and "--no-secret" in r.output
        assert not (tmp_path / "autograder.zip").exists()

    def test_no_secret_builds_with_a_warning(self, tmp_path, monkeypatch):
        """--no-secret builds a zip without a secret, and says on stderr what that gives away."""
        monkeypatch.delenv("RNNGRADE_SECRET", raising=False)
        monkeypatch.chdir(tmp_path)
        r = CliRunner().invoke(main, ["gradescope", "build", A, "--no-secret"])
        assert r.exit_code == 0, r.output
        assert "public defaults" in r.stderr and "public defaults" not in r.stdout
        with zipfile.ZipFile(tmp_path / "autograder.zip") as zf:
            assert ".rnngrade-secret" not in zf.namelist()
            assert json.loads(zf.read(gradescope.CONFIG_NAME))["secret"] is None

    def test_bad_options_are_one_line(self, tmp_path):
        """An unknown assignment, or --secret with --no-secret: exit 2, one line."""
        for args in (["nope", "--no-secret"], [A, "--no-secret", "--secret", str(tmp_path / "s")]):
            r = CliRunner().invoke(main, ["gradescope", "build", *args, "-o", str(tmp_path / "x.zip")])
            assert r.exit_code == 2 and r.output.strip().count("\n") == 0, r.output
        assert not (tmp_path / "x.zip").exists()


class TestFindSubmission:
    def test_any_file_name(self, tmp_path):
        """The one .py in the folder is graded, whatever its name."""
        submit(tmp_path, "my answer (2).py", SOLUTION.read_bytes())
        sub = gradescope.find_submission(tmp_path / "submission", A)
        assert sub.source == SOLUTION.read_text(encoding="utf-8") and sub.kind == "py"

    def test_nothing_submitted(self, tmp_path):
        """An empty folder, a folder of other files, or none at all: what to upload, in one line."""
        (tmp_path / "submission").mkdir()
        for folder in (tmp_path / "submission", tmp_path / "missing"):
            with pytest.raises(SubmissionError, match=f"upload your {A}.py or {A}.ipynb"):
                gradescope.find_submission(folder, A)
        submit(tmp_path, "notes.txt", b"hello")
        with pytest.raises(SubmissionError, match="holds no .py, .ipynb or .zip"):
            gradescope.find_submission(tmp_path / "submission", A)

    def test_several_candidates(self, tmp_path):
        """Several files: the one named after the assignment, else a refusal naming them."""
        submit(tmp_path, "a.py", b"x = 1\n")
        submit(tmp_path, "b.ipynb", b"{}")
        with pytest.raises(SubmissionError, match=r"several candidate files \(a.py, b.ipynb\)"):
            gradescope.find_submission(tmp_path / "submission", A)
        submit(tmp_path, f"{A}.py", b"y = 2\n")
        assert gradescope.find_submission(tmp_path / "submission", A).source == "y = 2\n"

    def test_another_exercise(self, tmp_path):
        """A file (or a zip member) named after another exercise is refused, naming both."""
        submit(tmp_path, "lstm.py", b"x = 1\n")
        with pytest.raises(SubmissionError, match=f"named after the exercise lstm, but this autograder grades {A}"):
            gradescope.find_submission(tmp_path / "submission", A)
        other = tmp_path / "other"
        with zipfile.ZipFile(tmp_path / "z.zip", "w") as zf:
            zf.writestr("gru.py", "x = 1\n")
        submit(other, "handin.zip", (tmp_path / "z.zip").read_bytes())
        with pytest.raises(SubmissionError, match="exercise gru"):
            gradescope.find_submission(other / "submission", A)

    def test_zip_of_a_notebook(self, tmp_path):
        """A .zip holding the notebook is graded from the notebook inside."""
        with zipfile.ZipFile(tmp_path / "z.zip", "w") as zf:
            zf.writestr("work/answers.ipynb", solved_notebook())
        submit(tmp_path, "upload.zip", (tmp_path / "z.zip").read_bytes())
        sub = gradescope.find_submission(tmp_path / "submission", A)
        assert sub.kind == "ipynb" and "def deltas(" in sub.source


class TestLateNote:
    def test_late_submission(self, tmp_path):
        """A submission after the due date gets a note saying by how long, and after the late due date too."""
        path = tmp_path / "m.json"
        path.write_text(json.dumps(metadata(created="2026-08-01T01:05:00-07:00",
                                            late_due="2026-08-01T00:00:00-07:00")))
        notes, _ = gradescope.late_note(path)
        assert notes == ["Late: submitted 2 h 5 min after the due date (2026-07-31T23:00-07:00), and after the late "
                         "due date (2026-08-01T00:00-07:00)."]

    def test_on_time_and_malformed(self, tmp_path):
        """On time, missing, not JSON, not an object, no dates, naive dates: no note, never an exception."""
        path = tmp_path / "m.json"
        for text in (json.dumps(metadata()), None, "{not json", "[1, 2]", "{}", "\xff",
                     json.dumps(metadata(created="2026-09-01T00:00:00", due="2026-07-31T23:00:00")),
                     json.dumps({"created_at": 5, "assignment": "x"})):
            path.unlink(missing_ok=True)
            if text is not None:
                path.write_text(text, encoding="latin-1")
            notes, log = gradescope.late_note(path)
            assert notes == [] and len(log) == 1, text


class TestLockDown:
    def test_closes_what_the_worker_must_not_read(self, tmp_path):
        """Protected paths lose every bit for others, the root becomes searchable, the checkout is untouched."""
        root = tmp_path / "ag"
        for d in ("source", "submission"):
            (root / d).mkdir(parents=True)
        (root / "source" / ".rnngrade-secret").write_bytes(SECRET)
        (root / "submission_metadata.json").write_text("{}")
        for p in root.rglob("*"):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        os.chmod(root, 0o700)
        checkout = {p: stat.S_IMODE(p.stat().st_mode) for p in (ROOT / "autograder", ROOT / "rnnref")}
        log = gradescope.lock_down(root, gradescope.Config(A, secret=".rnngrade-secret"))
        for p in ("source", "results", "submission", "submission_metadata.json", "source/.rnngrade-secret"):
            assert stat.S_IMODE((root / p).stat().st_mode) & 0o007 == 0, p
        assert stat.S_IMODE(root.stat().st_mode) == 0o701
        assert {p: stat.S_IMODE(p.stat().st_mode) for p in checkout} == checkout
        assert any(str(root / "source") in line for line in log)


@pytest.fixture
def fake_root(tmp_path, zip_data):
    """An /autograder layout in a temporary folder (the zip unpacked), for run() in this process."""
    return layout(tmp_path / "ag", zip_data, metadata=metadata())


class TestRun:
    def test_solution_any_name(self, fake_root):
        """The solution under another name earns 15 in a results.json that passes the schema and lacks the secret."""
        submit(fake_root, "whatever.py", SOLUTION.read_bytes())
        outcome = gradescope.run(fake_root)
        data = results_of(fake_root)
        assert data["score"] == 15 and not outcome.failed and data["extra_data"]["status"] == "graded"
        assert data["extra_data"]["inputs"].startswith("s-") and SECRET.decode() not in json.dumps(data)
        assert f"wrote {fake_root}/results/results.json" in outcome.log

    @pytest.mark.parametrize("name, data, reason", [
        ("rnn_bptt.py", bytes(range(128, 256)) * 8, "is not readable text"),
        ("answers.ipynb", b"{ this is not json", "answers.ipynb"),
        ("lstm.py", b"x = 1\n", "named after the exercise lstm"),
        ("rnn_bptt.py", b"# to do\n", "the file is empty (rnn_bptt.py: it holds no code"),
    ])
    def test_refused_submission_is_a_zero_with_the_reason(self, fake_root, name, data, reason):
        """Garbage, a non-JSON notebook, another exercise, a file without code: 0, refused, the reason shown without
        folder paths."""
        submit(fake_root, name, data)
        outcome = gradescope.run(fake_root)
        out = results_of(fake_root)
        assert out["score"] == 0 and out["tests"] == [] and out["extra_data"]["status"] == "refused"
        assert reason in out["output"] and "/autograder" not in out["output"] and str(fake_root) not in out["output"]
        assert not outcome.failed

    def test_internal_error_is_a_zero_saying_so(self, fake_root, monkeypatch):
        """A grader failure writes a 0 saying "internal error"; the traceback only in the log; the run fails."""
        from autograder import api

        def broken(*a, **k):
            raise KeyError("grader bug")

        monkeypatch.setattr(api, "grade", broken)
        submit(fake_root, "a.py", SOLUTION.read_bytes())
        outcome = gradescope.run(fake_root)
        out = results_of(fake_root)
        assert outcome.failed and out["score"] == 0 and out["extra_data"]["status"] == "internal_error"
        assert "internal error of the autograder (KeyError)" in out["output"] and "Traceback" not in out["output"]
        assert any("Traceback" in line and "grader bug" in line for line in outcome.log)

    def test_broken_config_still_writes_results(self, fake_root):
        """Without the zip's config: a valid results.json (0) and a failed run."""
        (fake_root / "source" / gradescope.CONFIG_NAME).unlink()
        outcome = gradescope.run(fake_root)
        out = results_of(fake_root)
        assert outcome.failed and out["score"] == 0 and "autograder failed" in out["output"]

    def test_unwritable_results_fail_without_a_crash(self, fake_root):
        """When results.json cannot be written (a folder in its place) the run says so and reports failure."""
        (fake_root / "results" / "results.json").mkdir()
        submit(fake_root, "a.py", b"x = 1\n")
        outcome = gradescope.run(fake_root)
        assert outcome.failed and sum("cannot write" in line for line in outcome.log) == 2

    def test_late_note_and_markdown(self, tmp_path):
        """A late submission is noted; with md a visible exception text holding HTML arrives escaped."""
        root = layout(tmp_path / "ag", gradescope.build_zip(A, secret=SECRET, fmt="md", kit_root=ROOT),
                      metadata=metadata(created="2026-08-01T00:00:00-07:00"))
        code = SOLUTION.read_text(encoding="utf-8") + (
            "\n\ndef forward(*a, **k):\n    raise RuntimeError('<img src=x onerror=alert(1)>')\n")
        submit(root, "a.py", code.encode("utf-8"))
        gradescope.run(root)
        out = results_of(root)
        shown = [t["output"] for t in out["tests"] if t["visibility"] == "visible" and t["status"] == "failed"]
        assert shown and all("<img" not in s and "&lt;img src\\=x" in s for s in shown)
        assert "Late: submitted 1 h 0 min after the due date" in out["output"] and out["output_format"] == "md"


@pytest.fixture(scope="module")
def ja_zip():
    """The rnn_bptt autograder built with --lang ja."""
    return gradescope.build_zip(A, secret=SECRET, lang="ja", kit_root=ROOT)


class TestRunInJapanese:
    """A zip built with --lang ja writes results.json in Japanese: the summary, the notes, the cases, the reasons."""

    def test_graded_late_submission(self, tmp_path, ja_zip):
        """A late, buggy submission: the summary line, the late note and each failed case's feedback are Japanese,
        with none of the English words of the same results."""
        root = layout(tmp_path / "ag", ja_zip, metadata=metadata(created="2026-08-02T01:00:00-07:00"))
        submit(root, "mine.py", BUGGY.read_bytes())
        gradescope.run(root)
        out = results_of(root)
        summary, *notes = out["output"].split("\n")
        assert summary.startswith(f"{A}: 公開ケースの得点は") and "非公開の" in summary
        assert notes == ["遅延提出: 提出期限（2026-07-31T23:00-07:00）から 1 日 2 時間遅れて提出されました。"]
        failed = [t["output"] for t in out["tests"] if t["status"] == "failed"]
        assert failed and all("（期待: " in o or "。" in o for o in failed)
        assert not any(word in out["output"] for word in ("points", "Late", "due date", "hidden cases"))

    @pytest.mark.parametrize("name, data, words", [
        ("lstm.py", b"x = 1\n", "lstm.py は課題 lstm の名前ですが、この採点プログラムが採点するのは rnn_bptt です。"),
        ("answers.ipynb", b"{ this is not json", "answers.ipynb は正しいノートブックではありません（1 行目に JSON のエラー: "),
        ("rnn_bptt.py", b"# nothing yet\n", "ファイルが空です（rnn_bptt.py: コードがなく、空行かコメントだけです）"),
    ])
    def test_refused_submission_says_why_in_japanese(self, tmp_path, ja_zip, name, data, words):
        """Another exercise, a notebook that does not parse, an empty file: 0 and the reason in Japanese, the
        uploaded file's name without the folder's path."""
        root = layout(tmp_path / "ag", ja_zip, metadata=metadata())
        submit(root, name, data)
        gradescope.run(root)
        out = results_of(root)
        assert out["score"] == 0 and out["extra_data"]["status"] == "refused"
        assert out["output"].startswith(f"{A}: 0 / 15 点。提出を採点できませんでした\n") and words in out["output"]
        assert "/autograder" not in out["output"] and str(root) not in out["output"]
        assert not any(word in out["output"] for word in ("points", "upload", "is not", "empty"))


# --------------------------------------------------------------------------- the zip as Gradescope runs it

PROBE = '''
import ctypes, errno, os
import numpy as np

SITE = os.path.dirname(os.path.dirname(np.__file__))
DIRS = {"src": "/autograder/source", "res": "/autograder/results", "sub": "/autograder/submission",
        "kit": os.path.join(SITE, "autograder"), "ref": os.path.join(SITE, "rnnref")}
FILES = {"sec": "/autograder/source/.rnngrade-secret", "cfg": "/autograder/source/rnngrade-gradescope.json",
         "api": os.path.join(SITE, "autograder", "api.py"), "meta": "/autograder/submission_metadata.json"}


def _probe():
    libc = ctypes.CDLL(None, use_errno=True)
    out = ["uid=%d" % os.getuid()]
    for key, d in DIRS.items():
        try:
            out.append("%s=OK%d" % (key, len(os.listdir(d))))  # no audit hook lists: only permissions stop it
        except OSError as exc:
            out.append("%s=%s" % (key, errno.errorcode.get(exc.errno, exc.errno)))
    for key, f in FILES.items():
        fd = libc.open(f.encode(), 0)  # the audit hook does not see libc's open
        out.append("%s=%s" % (key, "OK" if fd >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")))
    return " ".join(out)


def forward(*args, **kwargs):
    raise RuntimeError("PROBE " + _probe())
'''


def _pass_env() -> list[str]:
    """The environment of the commands inside: Gradescope's (a plain root shell), plus this machine's pip
    settings (index, certificates, proxy)."""
    env = {"PATH": SYSTEM_PATH, "HOME": "/root", "LANG": "C.UTF-8"}
    env.update({k: v for k, v in os.environ.items() if k.startswith("PIP_") or k.lower().endswith("_proxy")})
    return [f"{k}={v}" for k, v in env.items()]


def in_autograder(root: Path, *cmd, no_bwrap: bool = False, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run cmd as root with root bound at /autograder (bubblewrap, every capability kept); no_bwrap: with
    every bwrap on PATH masked, so that the grader inside finds no bubblewrap, as in Gradescope's Docker."""
    args = ["bwrap", "--dev-bind", "/", "/", "--bind", str(root), "/autograder", "--cap-add", "ALL",
            "--chdir", "/autograder"]
    if no_bwrap:
        for path in sorted({os.path.realpath(p) for p in (f"{d}/bwrap" for d in SYSTEM_PATH.split(":"))
                            if os.path.exists(p)}):
            args += ["--ro-bind", "/dev/null", path]
    return subprocess.run([*args, "--", "/usr/bin/env", "-i", *_pass_env(), *cmd], capture_output=True, text=True,
                          timeout=timeout)


def _system_python_ok() -> bool:
    r = subprocess.run(["/usr/bin/env", "-i", f"PATH={SYSTEM_PATH}", "python3", "-c",
                        "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))"], capture_output=True)
    return r.returncode == 0


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """The autograder as Gradescope builds it: `rnngrade gradescope build` (a real process), the zip unpacked
    into an /autograder layout, setup.sh run there once. Yields the layout's folder."""
    problem = None
    if os.geteuid() != 0:
        problem = "binding a folder at /autograder and dropping to uid 65534 need root"
    elif shutil.which("bwrap") is None or subprocess.run(["bwrap", "--dev-bind", "/", "/", "true"]).returncode:
        problem = "bubblewrap cannot run here"
    elif not _system_python_ok():
        problem = "no system python3 (3.10 or newer, with venv) for setup.sh"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {problem}")
        pytest.skip(problem)
    base = tmp_path_factory.mktemp("gradescope")
    secret = base / "secret"
    secret.write_bytes(SECRET + b"\n")
    zip_path = base / "autograder.zip"
    r = subprocess.run([RNNGRADE, "gradescope", "build", A, "--secret", str(secret), "-o", str(zip_path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    root = base / "ag"
    root.mkdir(mode=0o700)
    layout(root, zip_path)
    made_mount_point = not os.path.lexists("/autograder")  # bubblewrap creates it to bind over it
    try:
        setup = in_autograder(root, "bash", "/autograder/source/setup.sh", timeout=900)
        assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
        yield root
    finally:
        if made_mount_point:
            try:
                os.rmdir("/autograder")
            except OSError:
                pass


def fresh_container(root: Path, files: dict, meta: dict | None = None) -> None:
    """What a new container of the image holds: source and the kit's packages as setup.sh left them (open
    to others), a submission/ with files {name: bytes}, an empty results/, the metadata."""
    for d in [root / "source", *root.glob("rnngrade-venv/lib/python3*/site-packages/autograder"),
              *root.glob("rnngrade-venv/lib/python3*/site-packages/rnnref")]:
        os.chmod(d, 0o755)
    for d in ("submission", "results"):
        shutil.rmtree(root / d, ignore_errors=True)
        (root / d).mkdir(mode=0o755)
    for name, data in files.items():
        submit(root, name, data)
    (root / "submission_metadata.json").write_text(json.dumps(meta or metadata()), encoding="utf-8")
    os.chmod(root / "submission_metadata.json", 0o644)


SUBMISSIONS = {
    "solution under another name": ({"my_answer.py": SOLUTION.read_bytes()}, "full"),
    "stub": ({f"{A}.py": STUB.read_bytes()}, "zero"),
    "W for W transposed": ({"bob.py": BUGGY.read_bytes()}, "between"),
    "solved notebook": ({"homework.ipynb": solved_notebook()}, "full"),
    "garbage bytes": ({f"{A}.py": bytes(range(256)) * 16}, "zero"),
    "empty submission": ({}, "zero"),
}


class TestGradescopeImage:
    @pytest.mark.parametrize("what", SUBMISSIONS)
    def test_run_autograder(self, image, what):
        """run_autograder writes a valid results.json: 15 (solution, notebook), 0 (stub, garbage, none), bob between."""
        files, expect = SUBMISSIONS[what]
        fresh_container(image, files)
        r = in_autograder(image, "/autograder/run_autograder", timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        data = results_of(image)
        score = {"full": 15, "zero": 0}.get(expect)
        if score is not None:
            assert data["score"] == pytest.approx(score), data["output"]
        else:
            assert 0 < data["score"] < 15
            assert any("rnn_bptt/deltas/W_not_transposed" in t["tags"] for t in data["tests"])
        assert data["stdout_visibility"] == "hidden" and SECRET.decode() not in json.dumps(data) + r.stdout
        assert "file-system isolation is off" not in r.stdout  # bubblewrap works here: nothing to note

    @pytest.mark.parametrize("no_bwrap", [True, False], ids=["no bubblewrap (Docker)", "bubblewrap"])
    def test_worker_reads_nothing_of_the_autograder(self, image, no_bwrap):
        """Student code (uid 65534) lists and opens nothing of source, results, secret, kit; the note only on stdout."""
        fresh_container(image, {"peek.py": PROBE.encode()})
        r = in_autograder(image, "/autograder/run_autograder", no_bwrap=no_bwrap, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        data = results_of(image)
        # every visible case of forward reports the same probe (each case's diagnosis around it may differ)
        (shown,) = {t["output"].split("PROBE ")[1].split(")")[0] for t in data["tests"]
                    if t["name"].startswith("forward") and t["visibility"] == "visible"}
        probe = dict(item.split("=") for item in shown.split())
        uid = int(probe.pop("uid"))  # 65534, or with bubblewrap as root a uid of its own (the worker template)
        assert uid == 65534 or (not no_bwrap and TEMPLATE_UID_BASE <= uid < TEMPLATE_UID_BASE + TEMPLATE_UID_SPAN)
        assert set(probe) == {"src", "res", "sub", "kit", "ref", "sec", "cfg", "api", "meta"}, shown
        if no_bwrap:
            assert set(probe.values()) == {"EACCES"}, shown
            assert "file-system isolation is off: bubblewrap (bwrap) is not installed" in r.stdout
        else:
            assert set(probe.values()) <= {"ENOENT", "EACCES", "OK0"}, shown
        text = json.dumps(data)
        assert "isolation" not in text and "65534" not in data["output"] and SECRET.decode() not in text

    def test_broken_image_still_writes_results(self, tmp_path, zip_data, image):
        """Where setup.sh never ran, run_autograder still leaves a schema-valid results.json: 0, "could not start"."""
        root = layout(tmp_path / "ag", zip_data)
        r = in_autograder(root, "/autograder/run_autograder", timeout=120)
        data = results_of(root)
        assert r.returncode == 0 and data["score"] == 0 and "could not start" in data["output"]
        assert "wrote no /autograder/results/results.json" in r.stdout
