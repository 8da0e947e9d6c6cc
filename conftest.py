"""Shared pytest setup: NumPy print options for doctests, hypothesis profiles."""

import os

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("default", max_examples=100, deadline=None)
settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(autouse=True)
def _numpy_doctest_printing(doctest_namespace):
    np.set_printoptions(legacy=False, precision=8, suppress=False)
    doctest_namespace["np"] = np
    yield
