"""Promises the repository makes about itself: the README's commands, the CI script, examples."""

import importlib
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def _console_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = text.split("```console\n")[1:]
    return [block.split("```", 1)[0].strip() for block in blocks]


def test_readme_has_exactly_two_setup_commands() -> None:
    commands = _console_commands()
    assert len(commands) == 2
    assert "partnerkit demo" in commands[0]
    assert "nox" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _console_commands()[1] in script


def test_examples_folder_is_not_empty() -> None:
    assert EXAMPLES, "examples/ should hold runnable scripts"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_script_runs_and_exits_zero(path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip(), "an example should show what it did"


@pytest.mark.parametrize(
    "module_name",
    [
        "partnerkit",
        "partnerkit.addresses",
        "partnerkit.contacts",
        "partnerkit.core",
        "partnerkit.core.errors",
        "partnerkit.deals",
        "partnerkit.fiscal",
        "partnerkit.locale",
        "partnerkit.partners",
        "partnerkit.plans",
        "partnerkit.program",
        "partnerkit.quoting",
        "partnerkit.scoring",
        "partnerkit.services",
        "partnerkit.storage",
        "partnerkit.testing",
        "partnerkit.testing.contract",
        "partnerkit.testing.pytest_plugin",
        "partnerkit.tiers",
    ],
)
def test_all_is_sorted_and_complete(module_name: str) -> None:
    module = importlib.import_module(module_name)

    # The order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions.
    def kind(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert list(module.__all__) == sorted(module.__all__, key=kind)
    assert all(hasattr(module, name) for name in module.__all__)


def test_module_runs_the_demo_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("partnerkit", run_name="__main__", alter_sys=False)
    assert exit_info.value.code == 2  # no command given: argparse usage error
    assert "demo" in capsys.readouterr().err


def test_program_is_reexported_lazily_so_one_area_imports_light() -> None:
    code = (
        "import sys, partnerkit.fiscal\n"
        "assert 'partnerkit.program' not in sys.modules, 'fiscal pulled in every area'\n"
        "from partnerkit import Program\n"
        "from partnerkit.program import Program as Direct\n"
        "assert Program is Direct\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_program_does_not_import_storage_and_storage_holds_its_spec() -> None:
    code = (
        "import sys, partnerkit.program\n"
        "assert 'partnerkit.storage' not in sys.modules, 'program pulled in storage'\n"
        "from partnerkit.storage import PROGRAMS\n"
        "assert PROGRAMS.type is partnerkit.program.Program\n"
        "assert not hasattr(partnerkit.program, 'PROGRAMS')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_every_declared_dependency_is_imported_by_partnerkit() -> None:
    # Issue #19: python-dateutil was declared and never imported. A dependency the code
    # does not import is dead weight for every host (or belongs to another group).
    import ast
    import importlib.metadata

    from packaging.requirements import Requirement

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    imported: set[str] = set()
    for path in (ROOT / "src" / "partnerkit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    provides: dict[str, set[str]] = {}
    for module, dists in importlib.metadata.packages_distributions().items():
        for dist in dists:
            provides.setdefault(dist.lower().replace("_", "-"), set()).add(module)
    unused = []
    for line in declared["dependencies"]:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        modules = provides.get(requirement.name.lower().replace("_", "-"), set())
        if not modules & imported:
            unused.append(requirement.name)
    assert unused == []
