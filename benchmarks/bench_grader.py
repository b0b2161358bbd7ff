"""How fast rnngrade grades: one submission per assignment, then a class of 100 with -j 2.

    python benchmarks/bench_grader.py            # the full measurement
    python benchmarks/bench_grader.py --quick    # 10 submissions, to check that it runs

Both are timed as a user runs them: the installed `rnngrade` command as a process, wall
time, isolation as configured on this machine (bubblewrap when present). The class mixes
the reference solutions, the untouched stubs and buggy copies. Goal: one submission in
under 1 s; the batch's time per submission is printed for the comparison with
`nbgrader autograde` (about 1 s per submission on this kind of machine, measured side by
side once the nbgrader integration exists).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RNNGRADE = str(Path(sys.executable).with_name("rnngrade"))
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


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    n = 10 if args.quick else 100
    with tempfile.TemporaryDirectory() as tmp:
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


if __name__ == "__main__":
    main()
