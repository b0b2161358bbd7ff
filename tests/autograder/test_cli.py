"""The rnngrade console script that pyproject.toml installs."""

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from autograder import __version__
from autograder.cli import main


class TestEntryPoint:
    def test_version_option(self):
        """`rnngrade --version` prints the package version."""
        result = CliRunner().invoke(main, ["--version"])
        assert result.exit_code == 0
        assert result.output.strip() == f"rnngrade, version {__version__}"

    def test_installed_script_runs(self, tmp_path):
        """The installed `rnngrade` script runs as a real process."""
        script = Path(sys.executable).with_name("rnngrade")
        assert script.exists(), f"console script not installed next to {sys.executable}"
        proc = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert "rnngrade" in proc.stdout and "Usage:" in proc.stdout
