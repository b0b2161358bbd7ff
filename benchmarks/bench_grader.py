"""What grading costs per submission: issue 13's targets, measured side by side in one run.

    python benchmarks/bench_grader.py            # the full measurement (about 10 minutes on 2 cores)
    python benchmarks/bench_grader.py --quick    # small sizes, to check that it runs

Everything is timed as a user runs it: the installed `rnngrade` command as a process, wall time, isolation as
configured on this machine (bubblewrap when present; as root the workers are forked from the worker template, see
README "Speed"), in an environment without OPENBLAS_CORETYPE and with bytecode caching on (blasinfo.user_env), after
one warm-up run. Rows:

1. one `rnngrade grade` of an rnn_bptt submission against a bare `python -c 'import numpy'` measured beside it,
   interleaved, median of 7 (target ≤ 3×); the same with fresh workers (RNNGRADE_TEMPLATE=0) for comparison;
2. `rnngrade batch` (its default -j: the CPUs + 2; -j 2 beside it) on 100 and on 2 000 rnn_bptt submissions
   (solutions, stubs, buggy copies): seconds per submission, flat (target ≤ 0.05 s); 100 is the median of 5 runs
   (each printed as a range: on these machines a run varies by ±15 %), 2 000 one run;
3. CPU seconds per submission, children included (the workers, bubblewrap, the template), for each exercise: the
   difference between a batch of n2 and one of n1 submissions, over n2 − n1 (the batch's fixed cost excluded),
   and all in for n2;
4. 1 vs 2 Dask workers on this machine (`rnngrade batch --scheduler local:1` / `local:2`): the ratio;
5. an nbgrader course with 40 submitted rnn_bptt notebooks: plain `nbgrader autograde` (a kernel per notebook,
   one after another) and `rnngrade nbgrader autograde`, once each, and `rnngrade batch` on the same notebooks,
   the median of 5 runs, and on the same notebooks each handed in by 5 students (200, the median of 3: a class's
   size, where the batch's fixed start no longer counts) (target: batch ≥ 100× plain nbgrader per notebook).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from blasinfo import blas_lines, user_env  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RNNGRADE = str(BIN / "rnngrade")
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"  # nbgrader runs `alembic` by name
ENV = user_env()


def run(cmd: list[str], cwd: Path, env: dict | None = None, ok=(0,)) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and every child it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env or ENV)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def wall(cmd, cwd, env=None, ok=(0,)) -> float:
    return run(cmd, cwd, env, ok)[0]


def kinds_of(name: str) -> list[str]:
    """The submissions of an exercise, rotating: its solution, its stub, the solution with W instead of Wᵀ."""
    sol = (ROOT / "solutions" / name / f"{name}.py").read_text(encoding="utf-8")
    stub = (ROOT / "assignments" / name / f"{name}.py").read_text(encoding="utf-8")
    return [sol, stub, sol.replace("W.T @", "W @")]


def make_class(dest: Path, name: str, n: int) -> Path:
    kinds = kinds_of(name)
    for i in range(n):
        d = dest / f"s{i:05d}"
        d.mkdir(parents=True)
        (d / f"{name}.py").write_text(kinds[i % len(kinds)], encoding="utf-8")
    return dest


def default_jobs() -> int:
    """rnngrade batch's default -j on this machine (the CPUs + 2)."""
    from autograder.cli import default_jobs as jobs

    return jobs()


def batch(klass: Path, name: str, tmp: Path, jobs: int | None = None, extra=()) -> tuple[float, float]:
    """rnngrade batch of a class, with -j jobs (None: the default, as a TA runs it)."""
    out = tmp / f"res-{klass.name}"
    j = [] if jobs is None else ["-j", str(jobs)]
    try:
        return run([RNNGRADE, "batch", str(klass), "-a", name, *j, "-o", str(tmp / f"{klass.name}.csv"),
                    "--results", str(out), *extra], tmp, ok=(0, 1, 3))
    finally:
        shutil.rmtree(out, ignore_errors=True)


def row(what: str, target: str, measured: str, ok: bool | None, command: str) -> None:
    mark = "" if ok is None else ("yes" if ok else "NO")
    print(f"{what:<46} {target:>10} {measured:>22} {mark:>4}  {command}")


# --------------------------------------------------------------------------- 1. one submission


def bench_single(tmp: Path, repeats: int) -> None:
    sol = ROOT / "solutions" / "rnn_bptt" / "rnn_bptt.py"
    grade = [RNNGRADE, "grade", str(sol), "-o", str(tmp / "r.txt")]
    numpy = [sys.executable, "-c", "import numpy"]
    fresh_env = user_env({"RNNGRADE_TEMPLATE": "0"})
    wall(grade, tmp)  # warm-up: bytecode written, bubblewrap probed
    t_np, t_grade, t_fresh = [], [], []
    for _ in range(repeats):
        t_np.append(wall(numpy, tmp))
        t_grade.append(wall(grade, tmp))
        t_fresh.append(wall(grade, tmp, env=fresh_env))
    np_s, g_s, f_s = map(statistics.median, (t_np, t_grade, t_fresh))
    print(f"\n1. one submission, median of {repeats}, interleaved")
    row("python -c 'import numpy'", "", f"{np_s:.3f} s", None, " ".join(["python", *numpy[1:]]))
    row("rnngrade grade (rnn_bptt solution)", "≤ 3×", f"{g_s:.3f} s = {g_s / np_s:.1f}×", g_s <= 3 * np_s,
        "rnngrade grade solutions/rnn_bptt/rnn_bptt.py -o r.txt")
    row("  … with fresh workers (RNNGRADE_TEMPLATE=0)", "", f"{f_s:.3f} s = {f_s / np_s:.1f}×", None,
        "RNNGRADE_TEMPLATE=0 rnngrade grade …")
    print(f"grade_vs_numpy={g_s / np_s:.2f}")


# --------------------------------------------------------------------------- 2. batch, flat


def spread(times: list[float], n: int) -> str:
    """Per submission: the median of the runs, and their range."""
    return (f"median {statistics.median(times) / n:.3f} s/sub of {len(times)} runs "
            f"({min(times) / n:.3f}–{max(times) / n:.3f})")


def bench_batch(tmp: Path, sizes: list[int], repeats: int) -> float:
    """The smallest size is graded `repeats` times, interleaved with -j 2 (its median is the row: this machine's
    run-to-run noise is ±15 %); the larger sizes once."""
    j = default_jobs()
    print(f"\n2. `rnngrade batch`, rnn_bptt (solution, stub, buggy in turn), its default -j {j} (the CPUs + 2); "
          f"-j 2 beside it")
    worst = 0.0
    for n in sizes:
        klass = make_class(tmp / f"class{n}", "rnn_bptt", n)
        runs, runs2, cpus = [], [], []
        for _ in range(repeats if n == sizes[0] else 1):
            s, cpu = batch(klass, "rnn_bptt", tmp)
            runs.append(s)
            cpus.append(cpu)
            if n == sizes[0]:
                runs2.append(batch(klass, "rnn_bptt", tmp, jobs=2)[0])
        per = statistics.median(runs) / n
        worst = max(worst, per)
        measured = f"{per:.3f} s/sub ({statistics.median(runs):.1f} s)"
        row(f"batch (-j {j}), {n} submissions", "≤ 0.050 s", measured, per <= 0.05,
            f"rnngrade batch class{n} -a rnn_bptt")
        if len(runs) > 1:
            print(f"{'':<46} {'':>10} {spread(runs, n)}")
        print(f"{'':<46} {'':>10} {statistics.median(cpus) / n:>16.3f} CPU s/sub")
        if runs2:
            row(f"  … -j 2, {n} submissions", "", f"{statistics.median(runs2) / n:.3f} s/sub", None,
                f"rnngrade batch class{n} -a rnn_bptt -j 2")
            print(f"{'':<46} {'':>10} {spread(runs2, n)}")
        shutil.rmtree(klass)
    print(f"batch_seconds_per_submission={worst:.4f}")
    return worst


# --------------------------------------------------------------------------- 3. CPU per exercise


def bench_cpu(tmp: Path, n1: int, n2: int) -> None:
    from autograder.suites import ASSIGNMENTS

    print(f"\n3. CPU seconds per submission, children included (`rnngrade batch`; marginal: batch of {n2} minus "
          f"batch of {n1}, over {n2 - n1})")
    print(f"{'exercise':<11} {'marginal CPU s':>15} {'all-in CPU s':>13} {'wall s/sub':>11}")
    for name in ASSIGNMENTS:
        small = make_class(tmp / f"{name}-{n1}", name, n1)
        big = make_class(tmp / f"{name}-{n2}", name, n2)
        _, c1 = batch(small, name, tmp)
        s2, c2 = batch(big, name, tmp)
        print(f"{name:<11} {(c2 - c1) / (n2 - n1):>15.3f} {c2 / n2:>13.3f} {s2 / n2:>11.3f}")
        shutil.rmtree(small)
        shutil.rmtree(big)


# --------------------------------------------------------------------------- 4. Dask


def bench_dask(tmp: Path, n: int) -> None:
    print("\n4. Dask: 1 vs 2 worker processes on this machine (`rnngrade batch --scheduler local:N`)")
    help_text = subprocess.run([RNNGRADE, "batch", "--help"], capture_output=True, text=True, env=ENV).stdout
    if not (ROOT / "autograder" / "distributed.py").exists() or "--scheduler" not in help_text:
        row("local:1 / local:2", "", "not available", None, "(autograder/distributed.py: not built yet)")
        return
    klass = make_class(tmp / "dask-class", "rnn_bptt", n)
    try:
        t1, _ = batch(klass, "rnn_bptt", tmp, extra=("--scheduler", "local:1"))
        t2, _ = batch(klass, "rnn_bptt", tmp, extra=("--scheduler", "local:2"))
    except SystemExit as exc:
        row("local:1 / local:2", "", "failed", None, str(exc)[:200])
        return
    finally:
        shutil.rmtree(klass, ignore_errors=True)
    row(f"local:1, {n} submissions", "", f"{t1 / n:.3f} s/sub ({t1:.1f} s)", None,
        "rnngrade batch class -a rnn_bptt --scheduler local:1")
    row(f"local:2, {n} submissions", "", f"{t2 / n:.3f} s/sub ({t2:.1f} s)", None,
        "rnngrade batch class -a rnn_bptt --scheduler local:2")
    row("speed-up local:2 over local:1", "", f"{t1 / t2:.2f}×", None, "")
    print(f"dask_two_over_one={t1 / t2:.2f}")


# --------------------------------------------------------------------------- 5. nbgrader


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


def bench_nbgrader(tmp: Path, n: int, repeats: int) -> float:
    """Per notebook: plain nbgrader autograde, rnngrade nbgrader autograde (each once: they write the gradebook),
    rnngrade batch on the same notebooks (the median of `repeats` runs); returns plain / batch."""
    course = tmp / "course"
    make_course(course, n)
    plain, hardened = tmp / "plain", tmp / "hardened"
    shutil.copytree(course, plain)
    shutil.copytree(course, hardened)
    t_plain = wall([str(BIN / "nbgrader"), "autograde", "rnn_bptt"], plain)
    t_hard = wall([RNNGRADE, "nbgrader", "autograde", "rnn_bptt", "--course", str(hardened)], tmp)
    batches = [batch(course / "submitted", "rnn_bptt", tmp)[0] for _ in range(repeats)]
    t_batch = statistics.median(batches)
    print(f"\n5. nbgrader course, {n} submitted notebooks of rnn_bptt, the same notebooks each time")
    p, h, b = t_plain / n, t_hard / n, t_batch / n
    row("nbgrader autograde (kernel, serial)", "", f"{p:.3f} s/nb ({t_plain:.1f} s)", None,
        "nbgrader autograde rnn_bptt")
    row("rnngrade nbgrader autograde", "", f"{h:.3f} s/nb ({t_hard:.1f} s) = {p / h:.0f}×", None,
        "rnngrade nbgrader autograde rnn_bptt --course C")
    row("rnngrade batch (same notebooks)", "≥ 100×", f"{b:.3f} s/nb ({t_batch:.1f} s) = {p / b:.0f}×",
        p / b >= 100, "rnngrade batch C/submitted -a rnn_bptt")
    if len(batches) > 1:
        print(f"{'':<46} {'':>10} {spread(batches, n)}")
    # the same notebooks handed in by 5 times as many students: the per-submission cost at a class's size (the batch's
    # fixed start, ≈ 0.2–0.3 s, is a sixth of a run of 40); plain nbgrader's is flat (a kernel per notebook)
    big, copies = tmp / "class-x5" / "submitted", 5
    for src in sorted((course / "submitted").iterdir()):
        for c in range(copies):
            shutil.copytree(src, big / f"{src.name}-{c}")
    m = n * copies
    larger = [batch(big, "rnn_bptt", tmp)[0] for _ in range(max(1, repeats - 2))]
    bl = statistics.median(larger) / m
    row(f"rnngrade batch (the same notebooks × {copies}: {m})", "≥ 100×", f"{bl:.3f} s/nb = {p / bl:.0f}×",
        p / bl >= 100, f"rnngrade batch C{copies}/submitted -a rnn_bptt")
    if len(larger) > 1:
        print(f"{'':<46} {'':>10} {spread(larger, m)}")
    print(f"batch_over_nbgrader_x{copies}={p / bl:.2f}")
    print(f"nbgrader_speedup={p / h:.2f}")
    print(f"batch_over_nbgrader={p / b:.2f}")
    return p / b


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["single", "batch", "cpu", "dask", "nbgrader"], action="append",
                    help="run only these parts (repeatable)")
    ap.add_argument("--nbgrader-only", action="store_true", help="the same as --only nbgrader")
    args = ap.parse_args(argv)
    parts = {"nbgrader"} if args.nbgrader_only else set(args.only or ["single", "batch", "cpu", "dask", "nbgrader"])
    for line in blas_lines("the benchmark"):
        print(line)
    probe = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                            "from blasinfo import blas_lines; print(*blas_lines('rnngrade, as measured'), sep='\\n')",
                            str(Path(__file__).resolve().parent)], capture_output=True, text=True, env=ENV)
    print(probe.stdout.strip() or probe.stderr.strip())
    print("(the workers run with OPENBLAS_NUM_THREADS=1 in a scrubbed environment, whatever is set here)")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start (other work on the machine "
          f"inflates every time below)")
    print(f"\n{'what':<46} {'target':>10} {'measured':>22} {'met':>4}  command")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if "single" in parts:
            bench_single(tmp, 3 if args.quick else 7)
        if "batch" in parts:
            bench_batch(tmp, [20, 60] if args.quick else [100, 2000], 2 if args.quick else 5)
        if "cpu" in parts:
            bench_cpu(tmp, *((2, 4) if args.quick else (4, 16)))
        if "dask" in parts:
            bench_dask(tmp, 12 if args.quick else 100)
        if "nbgrader" in parts:
            bench_nbgrader(tmp / "nbgrader", 6 if args.quick else 40, 2 if args.quick else 5)
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
