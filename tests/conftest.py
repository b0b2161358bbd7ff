"""Shared fixtures: the PyTorch oracle, the oracle tolerance, hypothesis profiles."""

import os

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("dev", deadline=None, max_examples=20)
settings.register_profile("ci", deadline=None, max_examples=20, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")

#: rnnref must agree with the oracle to this, relative to the largest entry (at least 1)
ORACLE_TOL = 1e-10


@pytest.fixture(scope="session")
def torch():
    """PyTorch CPU in float64; a missing torch fails under CI=true and skips elsewhere."""
    try:
        import torch as _torch
    except ImportError:  # pragma: no cover - depends on the environment
        msg = "PyTorch (the oracle) is not installed: pip install -e '.[test]'"
        if os.environ.get("CI") == "true":
            pytest.fail(msg + " (CI=true: the oracle tests must run, never skip)")
        pytest.skip(msg)
    _torch.set_default_dtype(_torch.float64)
    return _torch


def assert_oracle(actual, expected, what=""):
    """max |actual − expected| ≤ ORACLE_TOL · max(1, max |expected|), shapes equal."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != oracle {expected.shape}"
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    err = float(np.max(np.abs(actual - expected), initial=0.0))
    assert err <= ORACLE_TOL * scale, f"{what}: max abs error {err:.3e} > {ORACLE_TOL:g}·{scale:.3g}"


@pytest.fixture
def oracle_close():
    """The assert_oracle comparison, as a fixture."""
    return assert_oracle
