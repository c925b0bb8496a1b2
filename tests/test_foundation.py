"""Checks on the project's foundation: lint, clean notebooks, version, pins, CI wiring."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


# --- lint -------------------------------------------------------------------------------------


def test_ruff_check_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- notebooks are committed without outputs --------------------------------------------------


def notebook_problems(nb: dict) -> list[str]:
    """What a committed notebook must not carry: outputs, execution counts, widget state."""
    problems = []
    if "widgets" in nb.get("metadata", {}):
        problems.append("saved widget state in notebook metadata")
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {index}: has outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {index}: has an execution count")
    return problems


def committed_notebooks() -> list[Path]:
    return sorted(
        path
        for path in (ROOT / "notebooks").rglob("*.ipynb")
        if ".ipynb_checkpoints" not in path.parts
    )


def test_notebooks_have_no_outputs():
    problems = []
    for path in committed_notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        problems += [f"{path.relative_to(ROOT)}: {p}" for p in notebook_problems(nb)]
    assert problems == [], "strip them with: .venv/bin/nbstripout notebooks/*.ipynb\n" + "\n".join(
        problems
    )


def test_notebook_checker_flags_outputs_and_counts():
    import nbformat

    clean = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# Hi"), nbformat.v4.new_code_cell("1 + 1")]
    )
    assert notebook_problems(clean) == []

    dirty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    dirty.cells[0].execution_count = 3
    dirty.cells[0].outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=3)
    ]
    dirty.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    assert notebook_problems(dirty) == [
        "saved widget state in notebook metadata",
        "cell 0: has outputs",
        "cell 0: has an execution count",
    ]


# --- the package ------------------------------------------------------------------------------


def test_version_matches_installed_metadata():
    import kmslab

    assert kmslab.__version__ == importlib.metadata.version("kmslab"), (
        "kmslab/__init__.py and the installed metadata disagree: reinstall (make test does)"
    )


# --- pins -------------------------------------------------------------------------------------


def read_pins(path: Path) -> dict[str, str]:
    """Exact pins of a requirements file, by canonical name; `-r other.txt` is followed."""
    pins: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            pins.update(read_pins(path.parent / line[3:].strip()))
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"{path.name}: not exact: {raw}"
        name = canonicalize_name(req.name)
        assert name not in pins, f"{path.name}: {req.name} pinned twice"
        pins[name] = specs[0].version
    return pins


def test_binder_pins_equal_requirements_pins():
    top = read_pins(ROOT / "requirements.txt")
    binder = read_pins(ROOT / "binder" / "requirements.txt")
    assert binder == top


def test_dev_requirements_are_exact_pins():
    assert (
        read_pins(ROOT / "requirements-dev.txt").keys()
        > read_pins(ROOT / "requirements.txt").keys()
    )


def test_pins_satisfy_pyproject_ranges():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {
        "requirements.txt": project["dependencies"],
        "requirements-dev.txt": project["optional-dependencies"]["dev"],
    }
    problems = []
    for filename, deps in groups.items():
        pins = read_pins(ROOT / filename)
        for dep in map(Requirement, deps):
            version = pins.get(canonicalize_name(dep.name))
            if version is None:
                problems.append(f"{dep.name}: not pinned in {filename}")
            elif not dep.specifier.contains(version, prereleases=True):
                problems.append(f"{dep.name}=={version} ({filename}) is outside {dep.specifier}")
    assert problems == []


# --- binder -----------------------------------------------------------------------------------


def test_binder_files():
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.read_text().startswith("#!/usr/bin/env bash\n")
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"


def test_lab_overrides_name_real_settings():
    """binder/overrides.json names settings that the installed JupyterLab has."""
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    overrides = json.loads((ROOT / "binder" / "overrides.json").read_text(encoding="utf-8"))
    assert overrides, "no overrides"
    for plugin_id, settings in overrides.items():
        package, plugin = plugin_id.split(":")
        schema_path = schemas / package / f"{plugin}.json"
        assert schema_path.is_file(), f"no schema for {plugin_id}"
        properties = json.loads(schema_path.read_text(encoding="utf-8"))["properties"]
        for key, value in settings.items():
            assert key in properties, f"{plugin_id} has no setting {key}"
            prop = properties[key]
            allowed = [option["const"] for option in prop.get("oneOf", []) if "const" in option]
            if allowed:
                assert value in allowed, f"{plugin_id}.{key}: {value!r} not in {allowed}"
            elif prop.get("type") == "boolean":
                assert isinstance(value, bool), f"{plugin_id}.{key} must be true or false"


# --- README and CI agree ----------------------------------------------------------------------


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"^```[a-z]*\n(.*?)^```", readme, re.S | re.M)
    assert first_block, "README.md has no code block"
    assert first_block.group(1).splitlines() == ["make lab", "make test"]
    assert re.search(r"^make test$", readme, re.M)

    ci_lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert "make test" in ci_lines
    assert "set -euo pipefail" in ci_lines
    assert "export KMSLAB_REQUIRE_BROWSER=1" in ci_lines
    assert not [line for line in ci_lines if "pytest" in line], "CI must run make test only"


@pytest.mark.parametrize("path", ["Makefile", ".ci/run"])
def test_browser_requirement_is_wired(path):
    assert "KMSLAB_REQUIRE_BROWSER" in (ROOT / path).read_text(encoding="utf-8")
