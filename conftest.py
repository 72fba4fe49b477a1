"""Run every example in the docs and the README as a test (Sybil), and skip non-test files."""

from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from typing import Any

import pytest
from sybil import Sybil
from sybil.parsers import markdown, myst

_FLAGS = ELLIPSIS | NORMALIZE_WHITESPACE

collect_ignore = ["docs/conf.py", "noxfile.py", "bench", "examples", "src/partnerkit/__main__.py"]

pytest_collect_file = (
    Sybil(
        parsers=[myst.PythonCodeBlockParser(doctest_optionflags=_FLAGS)],
        path="docs",
        patterns=["*.md"],
        excludes=["_build/*"],
        name="docs",
    )
    + Sybil(
        parsers=[markdown.PythonCodeBlockParser(doctest_optionflags=_FLAGS)],
        path=".",
        patterns=["README.md"],
        name="readme",
    )
).pytest()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    # Sybil runs a document's examples in order, in one namespace per process. pytest-xdist's
    # default "load" scheduling now and then hands the end of a document to the other
    # worker, where the names its beginning defined do not exist (NameError, then wrong
    # output). Files go to workers whole instead ("loadfile"), which keeps every document
    # on one worker and, with many small test files, is also the faster schedule here.
    if config.getvalue("dist") != "load":
        return None  # a schedule asked for on the command line
    from xdist.scheduler import LoadFileScheduling

    return LoadFileScheduling(config, log)
