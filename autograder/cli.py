"""The ``rnngrade`` command line: click only, thin."""

import click

from . import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rnngrade")
def main() -> None:
    """rnngrade — grade RNN exercises against the rnnref reference."""
