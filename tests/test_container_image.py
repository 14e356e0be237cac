"""The production image serves the web pages: its last stage holds the pages an earlier stage
built, where the app looks for them (no engine here to build it; the file is read as the
builder reads it)."""

from __future__ import annotations

import re
from pathlib import Path

from ioc.web.openapi import FRONTEND_DIST

ROOT = Path(__file__).resolve().parents[1]


def _stages() -> list[list[str]]:
    stages: list[list[str]] = []
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


def test_the_last_stage_serves_the_pages_the_build_stage_made() -> None:
    *builders, final = _stages()
    names = {re.split(r"\s+", stage[0])[-1] for stage in builders}
    [copy] = [line for line in final if line.startswith("COPY --from=")]
    found = re.fullmatch(r"COPY --from=(\S+)\s+(\S+)\s+(\S+)", copy)
    assert found is not None, copy
    source_stage, built, target = found.groups()

    assert source_stage in names
    [builder] = [stage for stage in builders if stage[0].endswith(source_stage)]
    assert any("npm ci" in line for line in builder)
    assert any(re.search(r"npm run .*build", line) for line in builder)
    assert built.endswith("/dist")
    workdir = [line.split()[1] for line in final if line.startswith("WORKDIR")][-1]
    assert Path(workdir, target).resolve() == Path(workdir) / FRONTEND_DIST.relative_to(ROOT)


def test_local_installs_and_builds_stay_out_of_the_build_context() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {"frontend/node_modules", "frontend/dist", ".venv"} <= set(ignored)
