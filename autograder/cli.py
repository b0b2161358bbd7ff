"""The ``rnngrade`` command line: click only, thin. The work is done in the modules it calls."""

from __future__ import annotations

from pathlib import Path

import click

from . import __version__
from .errors import RnngradeError, UserError


class InputError(click.ClickException):
    """Bad input: one line saying what is wrong and what to do, exit code 2."""

    exit_code = 2


#: rnngrade batch's exit code when some handed-in submissions could not be graded (refused), and the grader failed
#: for none
UNGRADABLE_EXIT = 3


class GraderFailure(click.ClickException):
    """The grader itself could not run (no sandbox where one is required, a broken Python): exit 1."""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class _Rnngrade(click.Group):
    """The command group; the one place where errors become exit codes: UserError (and click's
    usage errors) → one line, exit 2; GraderError or a missing optional dependency → one line, exit 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            raise InputError(_one_line(exc)) from None
        except RnngradeError as exc:  # GraderError, and any other error of the grader's own
            raise GraderFailure(_one_line(exc)) from None
        except ImportError as exc:  # an exercise's optional dependency (classify: scikit-learn), nbgrader
            raise GraderFailure(_one_line(exc)) from None
        except click.UsageError as exc:
            path = " ".join(["rnngrade", *exc.ctx.command_path.split()[1:]]) if exc.ctx is not None else "rnngrade"
            where = f" (see {path} -h)"
            raise InputError(_one_line(exc.format_message()) + where) from None


@click.group(cls=_Rnngrade, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rnngrade")
def main() -> None:
    """rnngrade — grade RNN exercises against the rnnref reference."""


#: the commands after which the console script ends at once: everything they write is written (and, for batch,
#: synced) before they return, and nothing is left to clean but the worker template (closed first)
QUICK_EXIT = ("grade", "check", "batch")


def entry() -> None:
    """The console script ``rnngrade``: main(). After grade, check (a student's self-check) and batch the process
    ends without the interpreter's teardown (numpy's and every module's: about 20 ms of a 0.3 s grade, 70 ms of a
    batch); every other command, and any use of main() inside a Python process (click's CliRunner), ends as usual."""
    import sys

    try:
        main()
    except SystemExit as exc:
        code = exc.code
        if len(sys.argv) > 1 and sys.argv[1] in QUICK_EXIT and (code is None or isinstance(code, int)):
            import os

            try:
                sys.stdout.flush()
                sys.stderr.flush()
                runner = sys.modules.get(f"{__package__}.runner")
                if runner is not None:
                    runner._close_template()
            finally:
                os._exit(code or 0)
        raise


def _subgroup(**kw):
    return main.group(cls=_Rnngrade, **kw)


@main.command()
@click.option("--root", type=click.Path(path_type=Path, file_okay=False),
              help="The kit's checkout (default: found from the current folder).")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 when a generated file is out of date.")
@click.argument("names", nargs=-1)
def release(root: Path | None, check_only: bool, names: tuple) -> None:
    """Regenerate assignments/ and the nbgrader source notebooks from solutions/.

    Reads solutions/<name>/<name>.py and <name>.nb.py (see solutions/FORMAT.md) and writes
    solutions/<name>/<name>.ipynb, assignments/<name>/<name>.py and assignments/<name>/<name>.ipynb.
    A source that cannot be released writes nothing. NAMES limits the release to those exercises.
    """
    from .files import find_root
    from .release import ReleaseError, exercises, release as do_release, stale

    root = find_root(root) if root is None else root
    if not (root / "solutions").is_dir():
        raise ReleaseError(f"{root} has no solutions/ folder: pass the kit's checkout with --root")
    if check_only:
        names = exercises(root)
        out_of_date = stale(root)
        for p in out_of_date:
            click.echo(f"out of date: {p.relative_to(root)}")
        if out_of_date:
            raise click.exceptions.Exit(1)
        click.echo(f"{len(names)} exercises, every generated file up to date")
        return
    written = do_release(root, list(names) or None)
    names = names or exercises(root)
    for p in written:
        click.echo(f"wrote {p.relative_to(root)}")
    click.echo(f"{len(names)} exercises released ({', '.join(names) or 'none'}), {len(written)} files changed")


LANG_OPTION = click.option("--lang", type=click.Choice(["ja", "en"]), default=None,
                           help="Language of the feedback (default: $RNNGRADE_LANG, else the locale).")


def _check_seed(ctx, param, value):
    from .seeds import check_seed

    return check_seed(value)


SEED_OPTION = click.option("--seed", type=str, default=None, callback=_check_seed, metavar="TEXT",
                           help="Any word or number: another set of hidden inputs, from the course secret and "
                                "this text (visible cases keep their public inputs).")
SECRET_OPTION = click.option("--secret", "secret_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
                             help="The course secret of the hidden inputs (default: $RNNGRADE_SECRET, or "
                                  ".rnngrade-secret in the class or course folder or above it, or here).")
TIMEOUT_OPTION = click.option("--timeout", type=click.FloatRange(min=0.1), default=None,
                              help="Seconds allowed per case (default 5).")
SANDBOX_OPTION = click.option("--sandbox", type=click.Choice(["auto", "require", "off"]), default="auto",
                              show_default=True,
                              help="bubblewrap isolation: auto (use it when installed), require (fail without it), "
                                   "off (limits only).")


def _check_scheduler(ctx, param, value):
    if value is None:
        return None
    from .distributed import parse_address

    parse_address(value)  # its form only; reached (with a short timeout) just before grading
    return value.strip()


SCHEDULER_OPTION = click.option("--scheduler", metavar="ADDRESS", default=None, callback=_check_scheduler,
                                help="Grade on a Dask cluster: tcp://HOST:PORT of a running `dask scheduler`, or "
                                     "local:N for N worker processes here (the dask extra: pip install "
                                     "'rnn-exercise-kit[dask]'; see docs/scale.md).")


def _check_shard(ctx, param, value):
    if value is None:
        return None
    from .batch import parse_shard

    return parse_shard(value)


def _cluster(scheduler):
    """The Dask cluster of --scheduler, connected and checked (UserError, exit 2, before any grading), or None."""
    if not scheduler:
        return None
    from .distributed import open_cluster

    return open_cluster(scheduler)


def _assignment_option(required: bool = False):
    from .registry import ASSIGNMENTS  # not .suites: the command line loads no numpy before it needs it

    return click.option("-a", "--assignment", type=click.Choice(ASSIGNMENTS), required=required,
                        help="The assignment (default: inferred from the file name).")


JOBS_OPTION = click.option("-j", "--jobs", type=click.IntRange(min=1), default=lambda: default_jobs(),
                           show_default="the CPUs + 2", help="Submissions graded at once.")


@main.command("list")
def list_cmd() -> None:
    """The assignments, their graded functions, points and cases, and what an exercise needs beyond the kit."""
    from .suites import ASSIGNMENTS, get_suite

    def points(x) -> str:
        return f"{x:g} point" + ("" if x == 1 else "s")

    suites = {name: get_suite(name) for name in ASSIGNMENTS}
    width = max([*map(len, ASSIGNMENTS), *(2 + len(fn) for s in suites.values() for fn in s.points)])
    pts_w = max(len(points(x)) for s in suites.values() for x in [s.max_score, *s.points.values()])
    for name, suite in suites.items():
        need = _needs(name)
        click.echo(f"{name:<{width}}  {points(suite.max_score):>{pts_w}}  public seed {suite.seed}"
                   + (f"  needs: {need}" if need else ""))
        for fn, pts in suite.points.items():
            cases = [c for _, c in suite.for_function(fn)]
            visible = sum(c.visible for c in cases)
            click.echo(f"  {fn:<{width - 2}}  {points(pts):>{pts_w}}  {visible} visible + {len(cases) - visible} hidden "
                       f"case{'' if len(cases) - visible == 1 else 's'}")


#: the exercises that need an extra: (the module, the extra)
EXTRAS = {"classify": ("sklearn", "classify")}


def _needs(assignment: str) -> str:
    """'pip install …' when the exercise's optional dependency is not importable here, else ''."""
    import importlib.util

    module, extra = EXTRAS.get(assignment, (None, None))
    if module is None or importlib.util.find_spec(module) is not None:
        return ""
    return f"pip install 'rnn-exercise-kit[{extra}]'"


def default_jobs() -> int:
    """Submissions graded at once by default: two more than the CPUs this process may use. Each submission's time
    alternates between its worker and this process (sending a call, judging its outcome) and waits on its calls'
    round trips: two more keep every CPU busy (on 2 CPUs, 40 notebooks: 1.35 s with -j 4 against 1.43 s with -j 3,
    medians of 8; the same from -j 4 to -j 5, and for 300 submissions from -j 3 to -j 4)."""
    import os

    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return cpus + 2


def _warm_up(sandbox: str = "auto") -> None:
    """Start the worker template now (as root with bubblewrap: runner.warm_up), before this process loads numpy:
    both load at once, on two cores."""
    from .api import prefetch_fingerprint
    from .runner import warm_up

    warm_up(sandbox)
    prefetch_fingerprint()  # what each result's key starts from, read while the rest loads


def _grade(path: Path, assignment, seed, timeout, lang, visible_only, sandbox="auto", secret=None, protect=()):
    from . import api
    from .runner import Limits

    limits = Limits(per_call_s=timeout) if timeout else None
    return api.grade(path, assignment, seed=seed, secret=secret, visible_only=visible_only, limits=limits,
                     lang=lang, sandbox=sandbox, protect=protect)


def _secret(secret_file, near) -> tuple:
    """(the course secret or None, notes for the TA), before any grading."""
    from .seeds import load_secret

    return load_secret(secret_file, near)


def _distinct(items) -> list:
    return list(dict.fromkeys(items))


def _notes(notes) -> None:
    """Notes for the TA, once, after the output, on stderr."""
    for n in notes:
        click.echo(f"note: {n}", err=True)


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@_assignment_option()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "gradescope"]), default="text",
              help="text (a report), json (the full result) or gradescope (its results.json).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the result to this file (atomically) instead of the terminal.")
@SEED_OPTION
@SECRET_OPTION
@TIMEOUT_OPTION
@LANG_OPTION
@SANDBOX_OPTION
def grade(path, assignment, fmt, output, seed, secret_file, timeout, lang, sandbox) -> None:
    """Grade one submission: a .py, a .ipynb, a folder holding one, or a .zip of one.

    Exit 0 whenever a grade was produced, whatever the score; 2 for bad input; 1 when the grader failed.
    """
    _warm_up(sandbox)
    from . import report
    from .files import check_writable_file, write_atomic

    if output:
        check_writable_file(output, "the result (-o)")
    secret, notes = _secret(secret_file, [path])
    result = _grade(path, assignment, seed, timeout, lang, visible_only=False, sandbox=sandbox, secret=secret,
                    protect=[output.absolute().parent] if output else ())
    text = report.render(result, fmt, lang=_lang(lang))
    if output:
        write_atomic(output, text)
        click.echo(f"{report.printable(result.student)}: {result.score:g} / {result.max_score:g} → {output}")
    else:
        click.echo(text, nl=False)
    _notes(notes + result.isolation)


def _lang(lang: str | None) -> str:
    """The language a report is written in: the one the feedback was graded in (--lang, else the locale)."""
    from .feedback import resolve_lang

    return resolve_lang(lang)


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@_assignment_option()
@LANG_OPTION
def check(path, assignment, lang) -> None:
    """What a student runs: the visible cases only, with feedback."""
    _warm_up()
    from . import report

    result = _grade(path, assignment, None, None, lang, visible_only=True)
    click.echo(report.text_report(result, lang=_lang(lang)), nl=False)


@main.command()
@click.argument("directory", metavar="SOURCE", type=click.Path(path_type=Path))
@_assignment_option()
@JOBS_OPTION
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The class CSV: student, score, max, one column per test (default grades.csv); with --lms, the "
                   "LMS's import file (default moodle-grading-worksheet.csv, moodle-gradebook.csv or "
                   "canvas-gradebook.csv; the per-test CSV then goes in --results).")
@click.option("--results", "results_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("results"), show_default=True,
              help="Folder for each student's JSON result and feedback, and summary.png.")
@click.option("--resume", is_flag=True, help="Skip students whose result is already in --results for the submission they have now (a "
                   "student who handed in again, or whose result is an internal error, is graded again).")
@click.option("--lms", type=click.Choice(["moodle", "moodle-gradebook", "canvas"]), default=None,
              help="Write -o for this LMS: moodle (the assignment's grading worksheet, from Moodle's download), "
                   "moodle-gradebook (Moodle's gradebook import), canvas (Canvas's gradebook import).")
@click.option("--feedback-zip", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write each student's feedback as the zip the LMS takes back (Moodle: 'Upload multiple "
                   "feedback files in a zip'; Canvas: 'Re-upload submissions'), named as its download named them.")
@click.option("--percent", is_flag=True, help="With --lms: scores out of 100 (for an LMS grade item of maximum 100).")
@click.option("--canvas-assignment", metavar="'TITLE (ID)'", default=None,
              help="With --lms canvas: the assignment column as Canvas names it, e.g. \"RNN BPTT (1234)\" (default: "
                   "the assignment's name, which Canvas matches by title or creates).")
@click.option("--points-possible", is_flag=True,
              help="With --lms canvas: write the 'Points Possible' row (it sets the assignment's points in Canvas).")
@click.option("--bom", is_flag=True, help="With --lms: start the CSV with a UTF-8 byte-order mark (for Excel).")
@click.option("--similarity", is_flag=True,
              help="List similar pairs of submissions in report.html, for a human to review (never a penalty); "
                   "needs the similarity extra: pip install 'rnn-exercise-kit[similarity]'.")
@SCHEDULER_OPTION
@click.option("--shard", metavar="K/N", default=None, callback=_check_shard,
              help="Grade only the K-th of N slices of the class (by a hash of each student's id; no scheduler), "
                   "e.g. a SLURM array job's $SLURM_ARRAY_TASK_ID/N; join the slices with rnngrade merge. The CSV "
                   "defaults to grades-shard-K-of-N.csv.")
@SEED_OPTION
@SECRET_OPTION
@TIMEOUT_OPTION
@LANG_OPTION
def batch(directory, assignment, jobs, output, results_dir, resume, lms, feedback_zip, percent, canvas_assignment,
          points_possible, bom, seed, secret_file, timeout, lang, similarity, scheduler, shard) -> None:
    """Grade every submission in SOURCE, in parallel; then write the CSV and a summary. SOURCE is a folder
    (one folder or file per student, an nbgrader course's submitted/<student>/<assignment>/, or Moodle's or
    Canvas's "Download all submissions" unzipped) or the .zip downloaded from Moodle or Canvas.

    Writes results/report.html too: the class report for TAs (pass rate per function, frequent mistakes, who
    could not be graded, grading times; similar submissions with --similarity).

    With --scheduler, the submissions are graded on a Dask cluster, one task per submission, each in the same
    isolated worker on the Dask worker's machine (docs/scale.md); with --shard K/N, one slice of the class here.

    Exit 0 when every student got a grade (whatever the scores), 1 when the grader failed for any
    student (they are listed), 3 when some handed-in submissions could not be graded (a link, a FIFO, a
    broken notebook, an empty file: listed, 0 points), 2 for bad input (nothing graded, nothing written),
    130 when interrupted (--resume goes on).
    """
    if not scheduler:
        _warm_up()
    from . import batch as batch_mod
    from . import lms as lms_mod
    from .errors import UserError
    from .files import check_writable_dir, check_writable_file

    if lms is None and (feedback_zip or percent or canvas_assignment or points_possible or bom):
        raise UserError("--feedback-zip, --percent, --canvas-assignment, --points-possible and --bom go with --lms: "
                        "add --lms moodle, moodle-gradebook or canvas")
    if shard and (lms or similarity):
        raise UserError("--lms, --feedback-zip and --similarity need the whole class: grade the shards without them, "
                        "then pass them to rnngrade merge")
    if shard and scheduler:
        raise UserError("--shard and --scheduler are two ways to spread the grading: use one of them")
    if scheduler:
        from .distributed import need_dask

        need_dask()
    download = batch_mod.lms_download(directory)  # Moodle's or Canvas's download, or None for a class folder
    assignment = assignment or _infer_class_assignment(directory, download)
    output = output or Path(lms_mod.DEFAULT_OUTPUT[lms] if lms else
                            f"grades-shard-{shard[0]}-of-{shard[1]}.csv" if shard else "grades.csv")
    entries = batch_mod.discover(directory, assignment, download)
    batch_mod.check_names(entries, assignment)  # -a lstm on a class of rnn_bptt.py: said before anything is graded
    options = None
    if lms:
        options = lms_mod.Options(lms, percent=percent, canvas_assignment=canvas_assignment,
                                  points_possible=points_possible, bom=bom)
        lms_mod.check(options, download.lms if download else None, entries, feedback_zip)
    check_writable_file(output, "the class CSV (-o)")
    if feedback_zip is not None:
        check_writable_file(feedback_zip, "the feedback zip (--feedback-zip)")
    check_writable_dir(results_dir, "the results (--results)")
    near = [directory if directory.is_dir() else directory.parent]
    secret, notes = _secret(secret_file, near)
    skipped = []
    bar = batch_mod.Progress(f"grading {assignment}" + (f" (shard {shard[0]}/{shard[1]})" if shard else ""))

    def progress(student, result, was_skipped):
        bar.update(was_skipped)
        if was_skipped:
            skipped.append(student)

    cluster = _cluster(scheduler)  # reachable, with workers running this grader: checked before any grading
    if shard is None:
        from .report import warm_up

        warm_up()
    try:
        results = batch_mod.grade_class(directory, assignment, results_dir, jobs=jobs, seed=seed, secret=secret,
                                        resume=resume, timeout=timeout, lang=lang, on_done=progress,
                                        entries=entries, shard=shard, cluster=cluster, on_total=bar.set_total)
    except batch_mod.Interrupted as exc:
        click.echo(f"interrupted: {exc.done} of {exc.total} students graded, their results in {results_dir}; run "
                   f"the same command with --resume to grade the other {exc.total - exc.done}", err=True)
        raise click.exceptions.Exit(130) from None
    finally:
        if cluster is not None:
            cluster.close()
    bar.close()
    if resume:
        click.echo(f"resumed: {len(skipped)} student(s) already graded in {results_dir} on the submission they have "
                   f"now skipped, {len(results) - len(skipped)} graded now", err=True)
    click.echo(batch_mod.finish(results, output, results_dir, lms=options, entries=entries,
                                feedback_zip=feedback_zip, lang=lang, similarity=similarity,
                                class_report=shard is None), nl=False)
    if shard:
        click.echo(f"wrote {output} (shard {shard[0]}/{shard[1]}: {len(results)} student(s)), {results_dir}/<student>"
                   f".json and .txt, {results_dir}/{batch_mod.SHARD_MANIFEST.format(k=shard[0], n=shard[1])}; join "
                   f"the shards with rnngrade merge")
        _exit_status(results, notes, [])
        return
    _after_class(results, output, results_dir, lms, feedback_zip, notes, download, directory)


@main.command()
@click.argument("folders", metavar="RESULTS_DIR...", nargs=-1, required=True,
                type=click.Path(path_type=Path, file_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The class CSV, as rnngrade batch writes it (default grades.csv); with --lms, the LMS's import file "
                   "(the per-test CSV then goes in --results).")
@click.option("--results", "results_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("results"), show_default=True,
              help="Folder for the whole class: each student's JSON and feedback, summary.png, report.html.")
@click.option("--source", type=click.Path(path_type=Path), default=None,
              help="The class the shards graded (the folder, or the LMS's download): needed for --lms moodle, "
                   "--feedback-zip, and --lms of an LMS's download (the ids and files it names).")
@click.option("--lms", type=click.Choice(["moodle", "moodle-gradebook", "canvas"]), default=None,
              help="Write -o for this LMS, as rnngrade batch --lms does.")
@click.option("--feedback-zip", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the feedback zip the LMS takes back (needs --source, the LMS's download).")
@click.option("--percent", is_flag=True, help="With --lms: scores out of 100.")
@click.option("--canvas-assignment", metavar="'TITLE (ID)'", default=None,
              help="With --lms canvas: the assignment column as Canvas names it.")
@click.option("--points-possible", is_flag=True, help="With --lms canvas: write the 'Points Possible' row.")
@click.option("--bom", is_flag=True, help="With --lms: start the CSV with a UTF-8 byte-order mark (for Excel).")
@LANG_OPTION
def merge(folders, output, results_dir, source, lms, feedback_zip, percent, canvas_assignment, points_possible, bom,
          lang) -> None:
    """Join the results of `rnngrade batch --shard K/N` (one --results folder per shard, or one folder they all
    wrote to) into what rnngrade batch writes for the whole class: the CSV in the class's order, each student's
    result in --results, summary.png, report.html, the summary, and with --lms the LMS's file.

    Refuses (exit 2, nothing written) shards of different assignments, inputs or classes, a missing shard, and
    the same student twice with different results. Exit codes otherwise as rnngrade batch's.
    """
    from . import batch as batch_mod
    from . import lms as lms_mod
    from .files import check_writable_dir, check_writable_file, unique_names, write_atomic

    if lms is None and (feedback_zip or percent or canvas_assignment or points_possible or bom):
        raise UserError("--feedback-zip, --percent, --canvas-assignment, --points-possible and --bom go with --lms: "
                        "add --lms moodle, moodle-gradebook or canvas")
    merged = batch_mod.merge(list(folders))
    results = merged.results
    entries, lms_kind = None, None
    if source is not None:
        download = batch_mod.lms_download(source)
        lms_kind = download.lms if download is not None else None
        entries = batch_mod.discover(source, merged.assignment, download)
        if list(unique_names([e.student for e in entries])) != merged.sids:
            raise UserError(f"{source} is not the class the shards graded (its students differ): pass the class "
                            f"folder or download given to rnngrade batch --shard")
    elif lms and (lms == "moodle" or feedback_zip or any(r.get("lms_id") for r in results)):
        raise UserError(f"merge --lms {lms} of an LMS's download needs that download for its ids and files: pass it "
                        f"with --source (the .zip or folder given to rnngrade batch --shard)")
    options = None
    if lms:
        options = lms_mod.Options(lms, percent=percent, canvas_assignment=canvas_assignment,
                                  points_possible=points_possible, bom=bom)
        ids = entries if entries is not None else [batch_mod.Entry(r["student"], Path(), r.get("lms_id", ""))
                                                   for r in results]
        lms_mod.check(options, lms_kind, ids, feedback_zip)
    output = output or Path(lms_mod.DEFAULT_OUTPUT[lms] if lms else "grades.csv")
    check_writable_file(output, "the class CSV (-o)")
    if feedback_zip is not None:
        check_writable_file(feedback_zip, "the feedback zip (--feedback-zip)")
    check_writable_dir(results_dir, "the results (--results)")
    results_dir.mkdir(parents=True, exist_ok=True)
    for sid, folder in zip(merged.sids, merged.folders):
        for suffix in (".json", ".txt"):
            src, dst = folder / f"{sid}{suffix}", results_dir / f"{sid}{suffix}"
            if dst.exists() and src.resolve() == dst.resolve():
                continue
            try:
                write_atomic(dst, src.read_bytes())
            except FileNotFoundError:  # a feedback file lost: the result (the grade) is what counts
                pass
    click.echo(batch_mod.finish(results, output, results_dir, lms=options, entries=entries,
                                feedback_zip=feedback_zip, lang=lang), nl=False)
    click.echo(f"merged {merged.shards} shard(s) of {merged.assignment}: {len(results)} student(s)")
    _after_class(results, output, results_dir, lms, feedback_zip, [])


def _after_class(results, output, results_dir, lms, feedback_zip, notes, download=None, directory=None) -> None:
    """What batch and merge say after the summary: the files written, the notes, the exit status."""
    from . import batch as batch_mod
    from .report import printable

    missing = batch_mod.no_submission(results)
    if missing and lms:
        click.echo(f"no file to grade: a blank grade in the {lms} import for those {len(missing)} (0 in the summary)")
    if lms:
        also = f", {feedback_zip} (feedback for the LMS)" if feedback_zip else ""
        click.echo(f"wrote {output} ({lms} import){also}, {results_dir}/grades.csv, {results_dir}/<student>.json "
                   f"and .txt, {results_dir}/summary.png, {results_dir}/report.html")
    else:
        click.echo(f"wrote {output}, {results_dir}/<student>.json and .txt, {results_dir}/summary.png, "
                   f"{results_dir}/report.html")
    extra = []
    if download is not None and download.ignored:
        extra = [f"left out of {directory} (not named as {download.lms.capitalize()} names submissions): "
                 + printable(", ".join(download.ignored[:10])) + (", …" if len(download.ignored) > 10 else "")]
    _exit_status(results, notes, extra)


def _exit_status(results, notes, extra) -> None:
    """The notes for the TA (isolation said once per machine), then exit 1 (internal errors), 3 (submissions that
    could not be graded) or 0."""
    from . import batch as batch_mod
    from .report import printable

    _notes(notes + extra + _distinct(n for r in results for n in r.get("isolation", ())))
    failed = batch_mod.internal_errors(results)
    if failed:
        shown = ", ".join(map(printable, failed[:10])) + (", …" if len(failed) > 10 else "")
        raise GraderFailure(f"the grader failed for {len(failed)} student(s) ({shown}): their results say "
                            f"\"internal error\"; run again with --resume to grade only them, and report it")
    ungradable = [r["student"] for r in results if r.get("status") == "refused"]
    if ungradable:  # listed in the summary above and in report.html; exit 3 tells a script that some got no grade
        # (a student an LMS download lists without a file handed nothing in: not a failure to grade)
        click.echo(f"{len(ungradable)} submission(s) could not be graded (see \"not graded\" above): exit code "
                   f"{UNGRADABLE_EXIT}", err=True)
        click.get_current_context().exit(UNGRADABLE_EXIT)


def _infer_class_assignment(directory: Path, download=None) -> str:
    from .errors import UserError
    from .submission import assignment_names
    from .suites import ASSIGNMENTS

    # names only: no link below the class folder followed, bounded; an LMS's download by the files' original names
    found = download.assignments() if download is not None else assignment_names(directory)
    if len(found) == 1:
        return found.pop()
    which = f"found {', '.join(sorted(found))}" if found else "no file is named after one"
    raise UserError(f"cannot tell the assignment of {directory} ({which}): pass -a with one of {', '.join(ASSIGNMENTS)}")


@main.command()
@click.option("--results", "results_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Keep the results here (default: a temporary folder).")
@LANG_OPTION
def demo(results_dir, lang) -> None:
    """Grade the bundled example class (a correct, a buggy and an unfinished submission) and
    show each report and the class summary."""
    import tempfile

    from . import batch as batch_mod
    from .files import find_root, safe_name

    root = find_root()
    klass = root / "examples" / "class"
    with tempfile.TemporaryDirectory() as tmp:
        out = results_dir or Path(tmp)
        click.echo(f"Grading the example class in {klass.relative_to(root)} (rnn_bptt, 3 students)\n")
        results = batch_mod.grade_class(klass, "rnn_bptt", out, jobs=2, lang=lang)
        for r in sorted(results, key=lambda r: r["student"]):
            click.echo((out / f"{safe_name(r['student'])}.txt").read_text(encoding="utf-8"))
        click.echo(batch_mod.finish(results, out / "grades.csv", out), nl=False)
        if results_dir:
            click.echo(f"results in {out}")


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default=Path("."))
def secret(directory) -> None:
    """Create the course secret DIRECTORY/.rnngrade-secret (mode 0640): the hidden inputs are derived
    from it, so no student can compute them. Run it once per course, where grading is run; keep the
    file readable by the TAs only; never replace it during a course (every hidden input would change)."""
    from .seeds import create_secret

    path = create_secret(directory)
    click.echo(f"wrote {path}: rnngrade grade, batch and nbgrader autograde find it in this folder or below it "
               f"(or pass --secret {path})")


@_subgroup(name="nbgrader")
def nbgrader_group() -> None:
    """Run the kit as an nbgrader course (needs the nbgrader extra: pip install 'rnn-exercise-kit[nbgrader]')."""


def _need_nbgrader() -> None:
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        raise InputError("nbgrader is not installed: pip install 'rnn-exercise-kit[nbgrader]' "
                         "(or pip install nbgrader==0.9.6)") from None


@nbgrader_group.command("init")
@click.argument("course_dir", type=click.Path(path_type=Path))
@click.option("--assignments", default=None, metavar="A,B,…",
              help="Comma-separated exercises to put in source/ (default: all of them).")
@click.option("--course-id", default=None, help="nbgrader's course id, for a new course (default: rnn).")
def nbgrader_init(course_dir, assignments, course_id) -> None:
    """Create or update an nbgrader course in COURSE_DIR: nbgrader_config.py (kept when it exists) and
    source/<assignment>/<assignment>.ipynb from the kit. Never touches the gradebook or submissions."""
    from .course import init_course, parse_assignments
    from .files import find_root
    from .release import exercises

    root = find_root()
    names = parse_assignments(assignments, exercises(root), course_dir)
    rep = init_course(course_dir, root, names, course_id)
    for p in rep.written:
        click.echo(f"wrote {p}")
    kept = "" if rep.config_written else f" ({course_dir / 'nbgrader_config.py'} kept as it is)"
    click.echo(f"course {course_dir}: {len(names)} assignments ({', '.join(names)}), {len(rep.written)} files "
               f"written, {len(rep.unchanged)} unchanged{kept}")
    click.echo(f"next: cd {course_dir} && nbgrader generate_assignment <assignment>  (see docs/instructors.md)")


@nbgrader_group.command("autograde")
@click.argument("assignment")
@click.option("--course", "course_dir", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="The nbgrader course directory.")
@JOBS_OPTION
@click.option("--student", "students", multiple=True, help="Only this student (repeatable).")
@click.option("--force", is_flag=True, help="Grade again students already autograded (default: skip them).")
@SCHEDULER_OPTION
@SEED_OPTION
@SECRET_OPTION
@TIMEOUT_OPTION
@LANG_OPTION
def nbgrader_autograde(assignment, course_dir, jobs, students, force, scheduler, seed, secret_file, timeout,
                       lang) -> None:
    """Autograde ASSIGNMENT's submitted notebooks with rnngrade's isolated worker (in parallel, or on a Dask
    cluster with --scheduler) and record the points in nbgrader's gradebook and autograded/ folder, as
    `nbgrader autograde` would (the gradebook written by this process alone)."""
    _need_nbgrader()
    from .batch import Progress
    from .nbgrade import autograde

    if scheduler:
        from .distributed import need_dask

        need_dask()
    secret, notes = _secret(secret_file, [course_dir])
    bar = Progress(f"autograding {assignment}")
    cluster = _cluster(scheduler)
    try:
        outcomes = autograde(course_dir, assignment, jobs=jobs, students=students, force=force, seed=seed,
                             secret=secret, timeout=timeout, lang=lang, on_total=bar.set_total,
                             on_done=lambda o: bar.update(o.skipped), cluster=cluster)
    except KeyboardInterrupt:
        click.echo(f"interrupted: {bar.done} of {bar.total} students autograded and in the gradebook; run the same "
                   f"command again to autograde the others (those done are skipped)", err=True)
        raise click.exceptions.Exit(130) from None
    finally:
        if cluster is not None:
            cluster.close()
    bar.close()
    from .report import printable

    for o in outcomes:
        if o.skipped:
            click.echo(f"{printable(o.student)}: already autograded (skipped; --force grades again)")
        else:
            problem = f"  ({o.error})" if o.error else f"  (note: {o.note})" if o.note else ""
            click.echo(printable(f"{o.student}: {o.score:g} / {o.max_score:g}{problem}"))
    graded = [o for o in outcomes if not o.skipped]
    click.echo(f"{len(graded)} autograded, {len(outcomes) - len(graded)} skipped, "
               f"{sum(bool(o.error) for o in graded)} with a notebook that could not be graded as handed in; "
               f"scores are in the gradebook (formgrader, nbgrader generate_feedback, nbgrader export)")
    manual = [o.student for o in graded if o.note]
    if manual:
        click.echo(printable(f"{len(manual)} with test cells that lost their nbgrader metadata, to grade by hand in "
                             f"formgrader (the LMS exporters leave them blank until then): "
                             + ", ".join(manual[:20]) + (", …" if len(manual) > 20 else "")))
    _notes(notes + _distinct(n for o in graded for n in o.isolation))
    failed = [o.student for o in graded if o.internal]
    if failed:
        raise GraderFailure(f"the grader failed for {len(failed)} student(s) ({printable(', '.join(failed[:10]))}): their "
                            f"cells say \"internal error\"; run again with --force --student ID, and report it")


@_subgroup(name="gradescope")
def gradescope_group() -> None:
    """Grade on Gradescope: build the autograder zip its Configure Autograder page takes; grade one
    submission in its /autograder layout (what the zip's run_autograder calls)."""


@gradescope_group.command("build")
@click.argument("assignment")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=Path("autograder.zip"),
              show_default=True, help="The zip to write (mode 0600: it holds the course secret).")
@click.option("--secret", "secret_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The course secret (default: found as rnngrade grade finds it: $RNNGRADE_SECRET, or "
                   ".rnngrade-secret here or above).")
@click.option("--no-secret", is_flag=True,
              help="Build without a course secret: the hidden inputs are then the public defaults, which anyone "
                   "with the kit can compute.")
@click.option("--hidden-visibility", type=click.Choice(["after_due_date", "after_published", "hidden", "visible"]),
              default="after_due_date", show_default=True,
              help="When students see the hidden cases (and the total): Gradescope's visibility.")
@click.option("--format", "fmt", type=click.Choice(["text", "md"]), default="text", show_default=True,
              help="How Gradescope shows the feedback: plain text, or Markdown (every character escaped).")
@LANG_OPTION
def gradescope_build(assignment, output, secret_file, no_secret, hidden_visibility, fmt, lang) -> None:
    """Write the autograder zip of ASSIGNMENT for Gradescope (Configure Autograder, base image Ubuntu):
    setup.sh, run_autograder, the kit's sources and the course secret."""
    from . import gradescope, seeds
    from .files import check_writable_file, write_atomic
    from .suites import get_suite

    gradescope.check_options(assignment, hidden_visibility, fmt, lang)
    if secret_file is not None and no_secret:
        raise UserError("--secret and --no-secret contradict each other: pass one of them")
    check_writable_file(output, "the autograder zip (-o)")
    secret, notes, where = None, [], None
    if not no_secret:
        where = seeds.find_secret(secret_file)
        if where is None:
            raise UserError(f"no course secret ({seeds.SECRET_NAME}) found: a Gradescope autograder without one gives "
                            f"away its hidden inputs; run `rnngrade secret DIR` first (or pass --secret FILE, or "
                            f"--no-secret to build anyway)")
        secret, notes = seeds.load_secret(where)
    data = gradescope.build_zip(assignment, secret=secret, hidden_visibility=hidden_visibility, fmt=fmt, lang=lang)
    write_atomic(output, data, mode=0o600)  # the zip holds the course secret
    inputs = seeds.inputs_for(assignment, get_suite(assignment).seed, None, secret)
    click.echo(f"wrote {output} ({assignment}, {get_suite(assignment).max_score:g} points, hidden cases "
               f"{hidden_visibility}, hidden inputs {inputs.id}"
               + (f" from the course secret {where}" if where else "") + ")")
    click.echo("upload it in Gradescope: the assignment's Configure Autograder page, base image Ubuntu, Zip file "
               "upload; it holds the course secret: keep it as private as the secret")
    if no_secret:
        notes = ["built without a course secret (--no-secret): the hidden inputs are the public defaults, which "
                 "anyone with the kit can compute"]
    _notes(notes)


@gradescope_group.command("run")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=Path("/autograder"),
              show_default=True, help="Gradescope's folder: source/, submission/, results/.")
@SANDBOX_OPTION
def gradescope_run(root, sandbox) -> None:
    """Grade the submission in ROOT/submission and write ROOT/results/results.json (always: a zero with the
    reason when it cannot grade). The log, isolation notes included, goes to stdout (instructors only).
    Exit 0 when a grade was written, 1 when the grader failed (results.json says so)."""
    _warm_up(sandbox)
    from . import gradescope

    outcome = gradescope.run(root, sandbox=sandbox)
    for line in outcome.log:
        click.echo(line)
    if outcome.failed:
        raise GraderFailure(f"the autograder failed on this submission (see above); {root}/results/results.json "
                            f"gives it 0 and says so")
