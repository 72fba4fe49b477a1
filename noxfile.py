"""Checks for partnerkit: `python -m nox` runs tests, typecheck, lint, docs and build."""

from __future__ import annotations

import os
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

import nox

nox.options.sessions = ["tests", "typecheck", "lint", "docs", "build"]
nox.options.reuse_venv = "yes"
nox.options.error_on_external_run = True

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")


def _group(name: str) -> list[str]:
    return list(nox.project.dependency_groups(PYPROJECT, name))


@nox.session
def tests(session: nox.Session) -> None:
    """Unit, property and contract tests, doctests of docs/ and docstrings, and examples/."""
    # Editable, so the docstring doctests collected from src/ are the modules that run;
    # the build session checks the installed wheel.
    session.install("-e", ".", *_group("test"))
    session.run(
        "pytest",
        *session.posargs,
        env={"HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "ci")},
    )


@nox.session
def fuzz(session: nox.Session) -> None:
    """The fuzz suite (tests/fuzz) under the ``fuzz`` profile: many examples per entry point.

    Not run by default; ``tests`` runs the same suite with a few examples per target.
    """
    session.install("-e", ".", *_group("test"))
    session.run(
        "pytest", "-p", "no:cacheprovider", "tests/fuzz", *session.posargs,
        env={"HYPOTHESIS_PROFILE": "fuzz"},
    )  # fmt: skip


@nox.session
def mutants(session: nox.Session) -> None:
    """Mutation testing (mutmut) of the kernels: Money, the monthly fiscal calendar, margins.

    Not run by default nor in CI: it takes half an hour on two cores. [tool.mutmut] in
    pyproject.toml names the files and their areas' tests. Without posargs every mutant runs
    afresh; posargs name mutants to run again (globs, such as
    ``partnerkit.quoting._margin.*``). Then ``mutmut results`` lists the survivors and
    ``mutmut show NAME`` shows one; docs/contributing.md has the figures.
    """
    session.install(".", *_group("mutants"))
    if not session.posargs:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    session.run(
        "mutmut", "run", *session.posargs,
        env={"HYPOTHESIS_PROFILE": "mutants"},
    )  # fmt: skip
    session.run("mutmut", "results")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over src, tests, examples and bench (the bench peers are not installed)."""
    session.install(".", *_group("typing"))
    session.run("mypy", "--strict", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install(*_group("lint"))
    paths = ["src", "tests", "examples", "bench", "docs", "noxfile.py", "conftest.py"]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site; any warning fails the build."""
    # The testing extra brings pytest, which the contract suite's API page imports; the dask
    # extra what partnerkit.scale's page imports.
    session.install(".[testing,dask]", *_group("docs"))
    out = ROOT / "docs" / "_build" / "html"
    shutil.rmtree(out, ignore_errors=True)
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", str(out))


@nox.session
def build(session: nox.Session) -> None:
    """Build sdist and wheel, twine check them, install the wheel in a fresh venv, run the demo.

    Then unpack the sdist, install it with the test group in another fresh venv, and run a
    fast subset of its own tests and the docs from the unpacked folder: an sdist that lacks
    a file its tests need (conftest.py, a test helper, a docs page) fails here.
    """
    session.install(*_group("build"))
    with tempfile.TemporaryDirectory(prefix="partnerkit-build-") as tmp:
        dist = Path(tmp) / "dist"
        session.run("python", "-m", "build", "--outdir", str(dist))
        artifacts = sorted(str(p) for p in dist.iterdir())
        session.run("twine", "check", "--strict", *artifacts)
        wheel = next(p for p in artifacts if p.endswith(".whl"))
        venv = Path(tmp) / "venv"
        session.run(sys.executable, "-m", "venv", str(venv), external=True)
        bindir = venv / ("Scripts" if os.name == "nt" else "bin")
        python = str(bindir / "python")
        session.run(python, "-m", "pip", "install", "--quiet", wheel, external=True)
        # Run from the temporary folder so the source tree cannot be imported by accident.
        with session.chdir(tmp):
            session.run(python, "-m", "partnerkit", "demo", external=True)
            session.run(str(bindir / "partnerkit"), "--version", external=True)

        sdist = next(p for p in artifacts if p.endswith(".tar.gz"))
        with tarfile.open(sdist) as archive:
            archive.extractall(Path(tmp) / "sdist", filter="data")
        (unpacked,) = (Path(tmp) / "sdist").iterdir()
        sdist_venv = Path(tmp) / "sdist-venv"
        session.run(sys.executable, "-m", "venv", str(sdist_venv), external=True)
        sdist_bin = sdist_venv / ("Scripts" if os.name == "nt" else "bin")
        sdist_python = str(sdist_bin / "python")
        session.run(
            sdist_python, "-m", "pip", "install", "--quiet", str(unpacked), *_group("test"),
            external=True,
        )  # fmt: skip
        # The installed package, not the unpacked src/, is what the tests import.
        with session.chdir(unpacked):
            session.run(
                sdist_python, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                "tests/core", "docs",
                # A check that the sdist's tests collect and pass, not the PostgreSQL run:
                # that is the tests session's.
                env={"HYPOTHESIS_PROFILE": "ci", "PARTNERKIT_REQUIRE_POSTGRES": "0"},
                external=True,
            )  # fmt: skip


@nox.session
def translations(session: nox.Session) -> None:
    """Extract the messages into the .pot, update every catalog from it, compile the .mo files.

    Not run by default: run it after changing a label, then translate the new
    entries in each ``.po`` and run it again to compile them.
    """
    session.install("babel>=2.14")
    # Relative paths, so the source references in the catalogs do not depend on the checkout.
    locale_dir = "src/partnerkit/locale"
    pot = f"{locale_dir}/partnerkit.pot"
    session.run(
        "pybabel", "extract", "--keyword=N_", "--keyword=ngettext:1,2",
        "--keyword=_plural:1,2", "--project=partnerkit",
        "--copyright-holder=The partnerkit developers",
        "--msgid-bugs-address=https://github.com/partnerkit/partnerkit/issues",
        "--width=100", f"--output-file={pot}", "src/partnerkit",
    )  # fmt: skip
    session.run(
        "pybabel", "update", "--domain=partnerkit", f"--input-file={pot}",
        f"--output-dir={locale_dir}", "--width=100", "--ignore-obsolete",
    )  # fmt: skip
    session.run(
        "pybabel", "compile", "--domain=partnerkit", f"--directory={locale_dir}", "--statistics"
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against the peers named in the issues; prints throughputs and ratios."""
    session.install(".", *_group("bench"))
    session.run("python", "bench/run.py", *session.posargs)
