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
    """With pytest-xdist (``-n``), run each page's examples on one worker, in order.

    The examples of a page share its namespace (an import at the top serves
    the whole page), so a page split across workers fails with NameErrors.
    Every other test is still scheduled on its own.
    """
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

    class PagesTogether(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path.endswith(".md") else nodeid

    return PagesTogether(config, log)
