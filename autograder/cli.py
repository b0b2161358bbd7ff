"""The ``rnngrade`` command line: click only, thin. The work is done in the modules it calls."""

from __future__ import annotations

from pathlib import Path

import click

from . import __version__


class InputError(click.ClickException):
    """Bad input: one line saying what is wrong and what to do, exit code 2."""

    exit_code = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rnngrade")
def main() -> None:
    """rnngrade — grade RNN exercises against the rnnref reference."""


@main.command()
@click.option("--root", type=click.Path(path_type=Path, file_okay=False),
              help="The kit's checkout (default: found from the current folder).")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 when a generated file is out of date.")
def release(root: Path | None, check_only: bool) -> None:
    """Regenerate assignments/ and the nbgrader source notebooks from solutions/.

    Reads solutions/<name>/<name>.py and <name>.nb.py (see solutions/FORMAT.md) and writes
    solutions/<name>/<name>.ipynb, assignments/<name>/<name>.py and assignments/<name>/<name>.ipynb.
    A source that cannot be released writes nothing.
    """
    from .release import ReleaseError, exercises, find_root, release as do_release, stale

    try:
        root = find_root(root) if root is None else root
        if not (root / "solutions").is_dir():
            raise ReleaseError(f"{root} has no solutions/ folder: pass the kit's checkout with --root")
        names = exercises(root)
        if check_only:
            out_of_date = stale(root)
            for p in out_of_date:
                click.echo(f"out of date: {p.relative_to(root)}")
            if out_of_date:
                raise click.exceptions.Exit(1)
            click.echo(f"{len(names)} exercises, every generated file up to date")
            return
        written = do_release(root)
    except ReleaseError as exc:
        raise InputError(str(exc)) from None
    for p in written:
        click.echo(f"wrote {p.relative_to(root)}")
    click.echo(f"{len(names)} exercises released ({', '.join(names) or 'none'}), {len(written)} files changed")
