"""autograder.seeds: public inputs for visible cases, secret ones for hidden cases, the course secret."""

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.errors import UserError
from autograder.seeds import (SECRET_NAME, check_seed, create_secret, find_secret, inputs_for, load_secret,
                              read_secret)
from autograder.suites import get_suite

RNNGRADE = str(Path(sys.executable).with_name("rnngrade"))
SUITE = get_suite("rnn_bptt")
SECRET = b"0123456789abcdef" * 4


def first(visible: bool):
    """(index, case) of the first visible or hidden rnn_bptt case."""
    return next((i, c) for i, c in enumerate(SUITE.cases) if c.visible == visible)


def x_of(inputs, visible: bool) -> np.ndarray:
    i, case = first(visible)
    return case.build(inputs.seed_for(case), i)[0][0]


class TestInputsFor:
    def test_visible_cases_keep_the_public_seed(self):
        """Whatever the seed and secret, a visible case gets the inputs a student's self-check sees."""
        public = x_of(inputs_for("rnn_bptt", SUITE.seed), True)
        for inputs in (inputs_for("rnn_bptt", SUITE.seed, "retake"), inputs_for("rnn_bptt", SUITE.seed, None, SECRET)):
            assert np.array_equal(x_of(inputs, True), public)

    def test_defaults_without_seed_or_secret(self):
        """Without a secret or a seed the hidden inputs are the public defaults, and the result says so."""
        inputs = inputs_for("rnn_bptt", SUITE.seed)
        i, case = first(False)
        assert inputs.default and inputs.id == "public-defaults"
        assert np.array_equal(x_of(inputs, False), case.build(SUITE.seed, i)[0][0])

    def test_secret_and_seed_change_hidden_inputs(self):
        """A secret, another secret and a seed each give other hidden inputs; the same ones give the same."""
        xs = [x_of(inputs_for("rnn_bptt", SUITE.seed, seed, secret), False)
              for seed, secret in [(None, None), (None, SECRET), (None, SECRET[::-1]), ("7", SECRET), ("7", None)]]
        for a in range(len(xs)):
            for b in range(a + 1, len(xs)):
                assert not np.array_equal(xs[a], xs[b]), (a, b)
        assert np.array_equal(x_of(inputs_for("rnn_bptt", SUITE.seed, "7", SECRET), False), xs[3])

    def test_id_reveals_neither_seed_nor_secret(self):
        """The id is a hash: it contains neither the seed nor the secret, and differs by assignment."""
        a = inputs_for("rnn_bptt", SUITE.seed, "retake-2026", SECRET)
        b = inputs_for("lstm", get_suite("lstm").seed, "retake-2026", SECRET)
        assert a.id.startswith("s-") and "retake" not in a.id and SECRET.decode()[:8] not in a.id
        assert a.id != b.id and a.hidden.bit_length() > 200

    def test_int_and_text_seed_agree(self):
        """--seed 7 from the command line (text) and seed=7 from Python give the same inputs."""
        assert inputs_for("gru", 1, 7).id == inputs_for("gru", 1, "7").id


class TestCheckSeed:
    @pytest.mark.parametrize("bad", ["-1", "-5", "", "   ", "a\nb", "x" * 201])
    def test_refused(self, bad):
        """Negative numbers, blanks, control characters and very long seeds are refused in one line."""
        with pytest.raises(UserError, match="seed") as err:
            check_seed(bad)
        assert "\n" not in str(err.value)

    @pytest.mark.parametrize("good", ["0", "7", "2026-retake", "期末試験"])
    def test_accepted(self, good):
        """Words and non-negative numbers, in any script, are seeds."""
        assert check_seed(good) == good


class TestSecretFile:
    def test_create(self, tmp_path):
        """rnngrade secret writes 64 hex characters, readable by the owner and group only."""
        path = create_secret(tmp_path)
        assert path.name == SECRET_NAME and stat.S_IMODE(path.stat().st_mode) == 0o640
        assert len(read_secret(path)) == 64 and int(read_secret(path), 16) >= 0

    def test_never_replaced(self, tmp_path):
        """A second create is refused and the first secret is kept: a new one would change every hidden input."""
        path = create_secret(tmp_path)
        before = path.read_bytes()
        with pytest.raises(UserError, match="already exists"):
            create_secret(tmp_path)
        assert path.read_bytes() == before

    def test_short_link_and_fifo_refused(self, tmp_path):
        """A too-short file, a symbolic link and a FIFO are not secrets (and the FIFO does not hang)."""
        short = tmp_path / "short"
        short.write_text("1234")
        with pytest.raises(UserError, match="too few"):
            read_secret(short)
        real = create_secret(tmp_path)
        link = tmp_path / "link"
        link.symlink_to(real)
        with pytest.raises(UserError, match="cannot be read"):
            read_secret(link)
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        with pytest.raises(UserError, match="not a regular file"):
            read_secret(fifo)

    def test_found_upward_from_the_class(self, tmp_path, monkeypatch):
        """The secret in the course folder is found from a class folder below it; $RNNGRADE_SECRET wins."""
        monkeypatch.delenv("RNNGRADE_SECRET", raising=False)
        monkeypatch.chdir(tmp_path)
        course = tmp_path / "course"
        (course / "class" / "alice").mkdir(parents=True)
        path = create_secret(course)
        assert find_secret(None, [course / "class" / "alice"]) == path
        other = create_secret(tmp_path)
        monkeypatch.setenv("RNNGRADE_SECRET", str(other))
        assert find_secret(None, [course / "class"]) == other

    def test_notes(self, tmp_path, monkeypatch):
        """No secret: a note that hidden inputs are public; a world-readable one: a note with the chmod."""
        monkeypatch.delenv("RNNGRADE_SECRET", raising=False)
        monkeypatch.chdir(tmp_path)
        secret, notes = load_secret(None, [tmp_path])
        assert secret is None and "public defaults" in notes[0]
        path = create_secret(tmp_path)
        path.chmod(0o644)
        secret, notes = load_secret(None, [tmp_path])
        assert secret == read_secret(path) and f"chmod o-r {path}" in notes[0]


def _literal(value):
    """A reference result as Python source (arrays exactly, through float.hex)."""
    if isinstance(value, np.ndarray):
        return f"_a({list(value.shape)!r}, {[float(x).hex() for x in value.ravel()]!r})"
    if isinstance(value, tuple):
        return "(" + "".join(_literal(v) + ", " for v in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"float.fromhex({float(value).hex()!r})"
    return repr(value)


def _key(args) -> str:
    h = hashlib.sha256()
    for a in args:
        if isinstance(a, np.ndarray):
            h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
    return h.hexdigest()


def tabled(i, case) -> bool:
    """The cases a lookup table can answer: scored value cases called on arrays alone."""
    if case.driver != "call" or case.compare != "values" or not case.points:
        return False
    return all(isinstance(a, (np.ndarray, str, int, float)) for a in case.build(SUITE.seed, i)[0])


def lookup_submission() -> str:
    """What a student can compute at home from the installed kit: every case's expected result under the
    default seeds, looked up by the inputs' bytes — no implementation at all."""
    table: dict = {}
    for i, case in enumerate(SUITE.cases):
        if tabled(i, case):
            args, kwargs, expected = case.build(SUITE.seed, i)
            table.setdefault(case.function, []).append((_key(args), _literal(expected)))
    lines = ["import hashlib", "import numpy as np", "",
             "def _a(shape, hexes):",
             "    return np.array([float.fromhex(h) for h in hexes], dtype=np.float64).reshape(shape)", "",
             "def _key(args):",
             "    h = hashlib.sha256()",
             "    for a in args:",
             "        if isinstance(a, np.ndarray):",
             "            h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())",
             "    return h.hexdigest()", ""]
    for function, rows in table.items():
        lines.append(f"_{function} = {{" + ", ".join(f"{k!r}: lambda: {v}" for k, v in rows) + "}")
        lines.append(f"def {function}(*args, **kwargs):")
        lines.append(f"    return _{function}[_key(args)]()")
        lines.append("")
    return "\n".join(lines)


class TestLookupAttack:
    def test_secret_defeats_a_table_of_the_default_hidden_cases(self, tmp_path):
        """A submission that only looks up the default inputs' answers passes every hidden value case without
        a secret, and no hidden case once the course has one; its visible cases pass either way."""
        student = tmp_path / "class" / "rnn_bptt.py"
        student.parent.mkdir()
        student.write_text(lookup_submission())
        env = {k: v for k, v in os.environ.items() if k != "RNNGRADE_SECRET"}

        def grade(*extra):
            p = subprocess.run([RNNGRADE, "grade", student, "--format", "json", *extra], capture_output=True,
                               text=True, timeout=300, cwd=tmp_path, env=env)
            assert p.returncode == 0, p.stderr
            return p, {t["name"]: t for t in json.loads(p.stdout)["tests"]}

        valued = {c.name for i, c in enumerate(SUITE.cases) if tabled(i, c)}
        p, open_tests = grade()
        assert "public defaults" in p.stderr
        assert all(open_tests[n]["status"] == "passed" for n in valued)
        secret = create_secret(tmp_path)
        p, tests = grade("--secret", secret)
        assert "public defaults" not in p.stderr
        assert all(tests[n]["status"] == "passed" for n in valued if tests[n]["visibility"] == "visible")
        hidden = [n for n in valued if tests[n]["visibility"] == "hidden"]
        assert hidden and all(tests[n]["status"] != "passed" for n in hidden)
