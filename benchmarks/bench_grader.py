"""How fast rnngrade grades: one submission per assignment, then a class of 100 with -j 2.

    python benchmarks/bench_grader.py            # the full measurement
    python benchmarks/bench_grader.py --quick    # 10 submissions, to check that it runs

Both are timed as a user runs them: the installed `rnngrade` command as a process, wall
time, isolation as configured on this machine (bubblewrap when present). The class mixes
the reference solutions, the untouched stubs and buggy copies. Goal: one submission in
under 1 s.

Then an nbgrader course with the same 40 submitted notebooks of rnn_bptt (solutions, untouched
releases, buggy copies) is autograded twice: by plain `nbgrader autograde` (a kernel per notebook,
one after another) and by `rnngrade nbgrader autograde -j 2` (the isolated worker, in parallel,
then nbgrader's own bookkeeping). Goal: the hardened path at least 10× faster.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RNNGRADE = str(BIN / "rnngrade")
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"  # nbgrader runs `alembic` by name
ASSIGNMENTS = ("rnn_bptt", "lstm", "gru")


def wall(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return seconds


def make_class(dest: Path, n: int) -> None:
    """n students, rotating: solution, stub, solution with W instead of Wᵀ, per assignment."""
    kinds = []
    for name in ASSIGNMENTS:
        sol = ROOT / "solutions" / name / f"{name}.py"
        stub = ROOT / "assignments" / name / f"{name}.py"
        kinds += [(name, sol.read_text()), (name, stub.read_text()),
                  (name, sol.read_text().replace("W.T @", "W @"))]
    for i in range(n):
        name, text = kinds[i % len(kinds)]
        d = dest / name / f"s{i:03d}"
        d.mkdir(parents=True)
        (d / f"{name}.py").write_text(text)


def make_course(course: Path, n: int) -> None:
    """An nbgrader course with rnn_bptt generated and n submitted notebooks (solution, release, buggy)."""
    from autograder.course import filled_release, init_course

    name = "rnn_bptt"
    init_course(course, ROOT, [name])
    wall([str(BIN / "nbgrader"), "generate_assignment", name], course)
    release = json.loads((course / "release" / name / f"{name}.ipynb").read_text(encoding="utf-8"))
    source = json.loads((course / "source" / name / f"{name}.ipynb").read_text(encoding="utf-8"))
    kinds = [filled_release(release, source), release,
             filled_release(release, source, edits=[("dz = W.T @ delta_next", "dz = W @ delta_next")])]
    for i in range(n):
        d = course / "submitted" / f"s{i:03d}" / name
        d.mkdir(parents=True)
        (d / f"{name}.ipynb").write_text(json.dumps(kinds[i % len(kinds)]), encoding="utf-8")


def bench_nbgrader(tmp: Path, n: int) -> float:
    """Seconds per submission of both autograde paths on the same course; prints the table, returns the ratio."""
    course = tmp / "course"
    make_course(course, n)
    plain, hardened = tmp / "plain", tmp / "hardened"
    shutil.copytree(course, plain)
    shutil.copytree(course, hardened)
    t_plain = wall([str(BIN / "nbgrader"), "autograde", "rnn_bptt"], plain)
    t_hard = wall([RNNGRADE, "nbgrader", "autograde", "rnn_bptt", "--course", str(hardened), "-j", "2"], tmp)
    print(f"\nnbgrader course, {n} submitted notebooks of rnn_bptt:")
    print(f"{'path':<40} {'wall s':>8} {'s/submission':>13}")
    print(f"{'nbgrader autograde (kernel, serial)':<40} {t_plain:>8.2f} {t_plain / n:>13.3f}")
    print(f"{'rnngrade nbgrader autograde -j 2':<40} {t_hard:>8.2f} {t_hard / n:>13.3f}")
    ratio = t_plain / t_hard
    print(f"speed-up: {ratio:.1f}× (goal ≥ 10×)")
    print(f"nbgrader_speedup={ratio:.2f}")
    return ratio


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--nbgrader-only", action="store_true", help="only the nbgrader comparison")
    args = ap.parse_args(argv)
    n = 10 if args.quick else 100
    with tempfile.TemporaryDirectory() as tmp:
        if args.nbgrader_only:
            bench_nbgrader(Path(tmp), 6 if args.quick else 40)
            return
        tmp = Path(tmp)
        print("one submission (`rnngrade grade`, a process each, median of 3):")
        print(f"{'assignment':<10} {'cases':>5} {'wall s':>8}")
        singles = []
        for name in ASSIGNMENTS:
            sol = ROOT / "solutions" / name / f"{name}.py"
            times = sorted(wall([RNNGRADE, "grade", str(sol), "-o", str(tmp / "r.txt")], tmp) for _ in range(3))
            singles.append(times[1])
            from autograder.suites import get_suite

            print(f"{name:<10} {len(get_suite(name).cases):>5} {times[1]:>8.3f}")
        klass = tmp / "class"
        make_class(klass, n)
        total = 0.0
        print(f"\nbatch of {n} (`rnngrade batch -j 2`, split by assignment):")
        for name in ASSIGNMENTS:
            d = klass / name
            if not d.exists():
                continue
            count = len(list(d.iterdir()))
            s = wall([RNNGRADE, "batch", str(d), "-a", name, "-j", "2", "-o", str(tmp / f"{name}.csv"),
                      "--results", str(tmp / f"res-{name}")], tmp)
            total += s
            print(f"{name:<10} {count:>4} submissions {s:>7.2f} s  {s / count:.3f} s/submission")
            shutil.rmtree(tmp / f"res-{name}")
        print(f"\nworst single submission: {max(singles):.3f} s (goal < 1 s)")
        print(f"batch: {n / total:.2f} submissions/s, {total / n:.3f} s per submission")
        print(f"submissions_per_second={n / total:.2f}")
        bench_nbgrader(tmp / "nbgrader", 6 if args.quick else 40)


if __name__ == "__main__":
    main()
