"""Building the site: write the docs tree, run MkDocs (or Zensical), then Pagefind.

This is the only module of `kb.site` that touches the file system or runs programs. A build
refuses output directories it did not make, writes the docs tree into a staging directory
that replaces the old one only when complete, and reports failures as `Problem` values.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kb.pipeline import load_knowledge_base
from kb.problems import Problem
from kb.site.tree import DocsTree, docs_tree

__all__ = [
    "DOCS_MARKER",
    "SITE_MARKER",
    "BuildReport",
    "Builder",
    "build_site",
    "check_target",
    "run_builder",
    "run_pagefind",
    "write_docs_tree",
]

Builder = Literal["mkdocs", "zensical"]
SITE_MARKER = ".kb-site"
DOCS_MARKER = ".kb-docs"
_TAIL = 30  # lines of a failing tool's output shown in the problem


@dataclass(frozen=True)
class BuildReport:
    """What a successful build made, and how long each stage took (seconds)."""

    output: Path
    docs: Path
    pages: int
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _holds_knowledge_base(folder: Path) -> bool:
    return (folder / "taxonomy" / "perspectives.yaml").exists() or any(
        (folder / "papers").glob("*.yaml")
    )


def check_target(path: Path, marker: str, root: Path) -> Problem | None:
    """A problem when writing `path` could destroy something that `kb build` did not make.

    A build empties its output directories, so they must be new, empty, or marked by an
    earlier build; never the knowledge base or a folder above it.
    """
    target = path.resolve()
    base = root.resolve()
    if target == base or target in base.parents or _holds_knowledge_base(target):
        return Problem(
            "unsafe-output",
            str(path),
            "refusing to build into the knowledge base or a folder that holds it",
            hint="pass an output directory of its own, e.g. -o site-build",
        )
    if target.exists() and not target.is_dir():
        return Problem("unsafe-output", str(path), "exists and is not a directory")
    if target.is_dir() and any(target.iterdir()) and not (target / marker).exists():
        return Problem(
            "unsafe-output",
            str(path),
            "is not empty and was not made by kb build, so it is left alone",
            hint="choose a new or empty directory, or delete this one first",
        )
    return None


def write_docs_tree(tree: DocsTree, target: Path) -> None:
    """Write `tree` (docs/, overrides/, mkdocs.yml) to `target`, replacing an older tree.

    NOTE: the tree is a build output of possibly 100,000 files, so files are written without
    the per-file fsync of `kb.write.write_atomic`; atomicity comes from building the whole
    tree in a staging directory and swapping it in by rename.
    """
    staging = target.with_name(f".{target.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    for base, files in (("docs", tree.docs), ("overrides", tree.overrides)):
        for relative, content in files.items():
            path = staging / base / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                path.write_text(content, encoding="utf-8", newline="\n")
            else:
                path.write_bytes(content)
    (staging / "mkdocs.yml").write_text(tree.config, encoding="utf-8")
    (staging / DOCS_MARKER).write_text("made by kb build; deleted and rewritten by it\n")
    swap_in(staging, target)


def swap_in(staging: Path, target: Path) -> None:
    """Replace `target` by the finished `staging` directory with renames, never half-way."""
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(target)


@contextmanager
def build_lock(output: Path) -> Iterator[None]:
    """Hold an exclusive lock for building into `output`; a second build waits its turn.

    NOTE: two builds writing one folder at once would interleave their files; a lock file
    beside the folder (flock, released by the kernel if a build dies) serialises them.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    with (output.parent / f".{output.name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(command: list[str], cwd: Path, what: str, config: Path) -> Problem | None:
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, check=False
    )
    if done.returncode == 0:
        return None
    output = (done.stdout + done.stderr).strip().splitlines()[-_TAIL:]
    return Problem(
        "build-failed",
        str(config),
        f"{what} failed (exit {done.returncode}):\n    " + "\n    ".join(output),
    )


def run_builder(docs: Path, output: Path, builder: Builder) -> Problem | None:
    """Turn the docs tree in `docs` into HTML in `output` with MkDocs or Zensical."""
    docs, output = docs.resolve(), output.resolve()
    config = docs / "mkdocs.yml"
    if builder == "mkdocs":
        command = [
            sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(output),
        ]  # fmt: skip
        return _run(command, docs, "mkdocs build", config)
    # NOTE: Zensical only writes inside the project (site_dir "site" of the generated config),
    # so its output is moved into place afterwards.
    command = [sys.executable, "-m", "zensical", "build", "--clean", "-f", str(config)]
    failed = _run(command, docs, "zensical build", config)
    if failed is None:
        shutil.rmtree(output, ignore_errors=True)
        shutil.move(docs / "site", output)
    return failed


def run_pagefind(output: Path) -> Problem | None:
    """Index `output` for search with Pagefind (the binary from the PyPI package)."""
    output = output.resolve()
    command = [sys.executable, "-m", "pagefind", "--site", str(output), "--silent"]
    return _run(command, output, "pagefind", output)


def build_site(
    root: Path,
    output: Path,
    docs: Path,
    builder: Builder = "mkdocs",
    search: bool = True,
    site_url: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildReport | list[Problem]:
    """Validate the knowledge base under `root`, then build its site into `output`.

    Returns the problems instead when any record is invalid (nothing is written then), when
    an output directory is unsafe, or when a tool fails.
    """
    with build_lock(output.resolve()):
        return _build_site(root, output, docs, builder, search, site_url, progress or _say_nothing)


def _say_nothing(message: str) -> None:
    """Progress goes nowhere unless a callback is given."""


def _build_site(
    root: Path,
    output: Path,
    docs: Path,
    builder: Builder,
    search: bool,
    site_url: str | None,
    say: Callable[[str], None],
) -> BuildReport | list[Problem]:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    result = load_knowledge_base(root)
    errors = result.errors()
    if errors:
        return errors
    unsafe = [
        problem
        for problem in (
            check_target(output, SITE_MARKER, root),
            check_target(docs, DOCS_MARKER, root),
        )
        if problem is not None
    ]
    if unsafe:
        return unsafe
    timings["load"] = time.perf_counter() - start
    mark = time.perf_counter()
    tree = docs_tree(result.kb)
    timings["generate"] = time.perf_counter() - mark
    for note in tree.notes:
        say(f"note: {note}")
    mark = time.perf_counter()
    write_docs_tree(tree, docs)
    timings["write"] = time.perf_counter() - mark
    say(f"wrote the docs tree ({len(tree.pages)} pages) to {docs}")
    mark = time.perf_counter()
    # NOTE: the HTML is built beside the output and swapped in only when complete, so a
    # failure (or Ctrl-C) half-way leaves the previous site as it was.
    staging = output.with_name(f".{output.name}.building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    failed = run_builder(docs, staging, builder)
    if failed:
        shutil.rmtree(staging, ignore_errors=True)
        return [failed]
    (staging / SITE_MARKER).write_text("made by kb build; deleted and rewritten by it\n")
    timings[builder] = time.perf_counter() - mark
    if search:
        mark = time.perf_counter()
        failed = run_pagefind(staging)
        if failed:
            shutil.rmtree(staging, ignore_errors=True)
            return [failed]
        timings["pagefind"] = time.perf_counter() - mark
    swap_in(staging, output)
    timings["total"] = time.perf_counter() - start
    return BuildReport(output, docs, len(tree.pages), timings, list(tree.notes))
