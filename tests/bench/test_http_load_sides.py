"""The HTTP load bench's two sides: each named so that its lines and medians can be told
apart, whether they differ by source tree or by interpreter."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

from tests.bench_modules import bench_module


def test_interpreter_names_the_version_and_the_real_executable() -> None:
    tier = bench_module("tier")
    base = Path(getattr(sys, "_base_executable", sys.executable)).resolve()

    assert tier.interpreter(sys.executable) == f"Python {platform.python_version()} ({base})"


def test_two_trees_are_named_by_their_folders() -> None:
    http_load = bench_module("http_load")
    sides = [(Path("/src/main"), sys.executable), (Path("/src/before"), sys.executable)]

    assert http_load._labels(sides) == ["main", "before"]


def test_one_tree_twice_is_told_apart_by_interpreter_then_by_number() -> None:
    http_load = bench_module("http_load")
    version = platform.python_version()
    sides = [(Path("/src/main"), sys.executable), (Path("/src/main"), sys.executable)]

    assert http_load._labels(sides) == [f"main@{version}#1", f"main@{version}#2"]
