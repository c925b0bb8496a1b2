"""A learner's work never breaks the course and is never lost (issue 14 item 8).

`make lab` opens JupyterLab on workspace/, copies of notebooks/ made on first use; JupyterLab's
autosave writes there, so the notebooks as shipped stay clean (git, `make test`), and `restore`
gets one back while keeping the learner's version.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from kmslab.course import workspace

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def course(tmp_path):
    """A small course as shipped (two notebooks) and where its workspace goes."""
    source = tmp_path / "notebooks"
    source.mkdir()
    for name in ("00-welcome", "02-without-the-root-statement"):
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_code_cell(f"print({name!r})"))
        nbformat.write(nb, str(source / f"{name}.ipynb"))
    return source, tmp_path / "workspace"


def save_as_learner(path: Path) -> None:
    """What JupyterLab's autosave does after a session: outputs, an execution count, an edit."""
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[0].source += "\nanswer = 42"
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="hello\n")]
    nb.cells[0].execution_count = 1
    nbformat.write(nb, str(path))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.ipynb"))}


def test_a_learners_session_leaves_the_course_as_shipped_and_keeps_their_work(course):
    source, work = course
    shipped = snapshot(source)
    assert [p.name for p in workspace.prepare(source, work)] == sorted(shipped)
    save_as_learner(work / "02-without-the-root-statement.ipynb")
    assert snapshot(source) == shipped  # the course as shipped is untouched
    assert workspace.changed(source, work) == ["02-without-the-root-statement.ipynb"]
    assert workspace.prepare(source, work) == []  # a second `make lab` overwrites nothing
    assert "answer = 42" in (work / "02-without-the-root-statement.ipynb").read_text()


def test_restore_gets_the_original_back_and_keeps_the_learners_copy(course):
    source, work = course
    workspace.prepare(source, work)
    mine = work / "02-without-the-root-statement.ipynb"
    save_as_learner(mine)
    learners = mine.read_bytes()
    restored, backup = workspace.restore("2", source, work)
    assert restored == mine and mine.read_bytes() == (source / mine.name).read_bytes()
    assert backup is not None and backup.parent == work / "backups" and backup.read_bytes() == learners
    again, no_backup = workspace.restore("02-without-the-root-statement", source, work)
    assert no_backup is None  # nothing to keep: the copy was as shipped
    with pytest.raises(ValueError, match="no single notebook"):
        workspace.restore("07", source, work)


def test_the_command_line_finds_the_course_from_the_checkout(tmp_path):
    result = subprocess.run([sys.executable, "-m", "kmslab.course.workspace", "prepare", "--workspace",
                             str(tmp_path / "w")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "w").glob("*.ipynb")) == \
        sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    result = subprocess.run([sys.executable, "-m", "kmslab", "restore", "99", "--workspace", str(tmp_path / "w")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "no single notebook '99'" in result.stderr
    save_as_learner(tmp_path / "w" / "02-without-the-root-statement.ipynb")
    result = subprocess.run([sys.executable, "-m", "kmslab", "restore", "02", "--workspace", str(tmp_path / "w")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "your version is kept as" in result.stdout
    assert (tmp_path / "w" / "02-without-the-root-statement.ipynb").read_bytes() == \
        (ROOT / "notebooks" / "02-without-the-root-statement.ipynb").read_bytes()


def test_the_workspace_commands_import_no_widgets_or_pandas():
    """`python -m kmslab restore` comes with the CLI, which stays free of pandas and ipywidgets."""
    code = ("import sys, kmslab.cli; kmslab.cli.build_parser(); "
            "print(sorted(m for m in ('pandas', 'ipywidgets') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "[]", result.stderr


def test_make_lab_binder_and_git_all_use_the_workspace():
    makefile = (ROOT / "Makefile").read_text()
    lab = re.search(r"^lab:.*\n((?:\t.*\n)+)", makefile, flags=re.M).group(1)
    assert "kmslab.course.workspace prepare" in lab and "--notebook-dir=workspace" in lab
    assert "workspace/" in (ROOT / ".gitignore").read_text().splitlines()
    assert "kmslab.course.workspace prepare" in (ROOT / "binder" / "postBuild").read_text()
    badge = re.search(r"mybinder\.org/v2/gh/[^)]*urlpath=([^)&]*)", (ROOT / "README.md").read_text()).group(1)
    assert badge == "lab/tree/workspace"
    assert json.loads((ROOT / "notebooks" / "00-welcome.ipynb").read_text())  # the course itself stays in notebooks/


def test_an_installed_kmslab_finds_the_course_from_the_working_directory(course, monkeypatch):
    """binder/postBuild installs kmslab (not editable) and runs `prepare` from the repository."""
    source, _ = course
    (source / "00-welcome.ipynb").touch()
    monkeypatch.setattr(workspace, "__file__", str(source.parent / "site-packages" / "kmslab" / "course" / "x.py"))
    monkeypatch.chdir(source.parent)
    assert workspace.shipped_notebooks() == source.resolve()
    assert workspace.default_workspace() == source.resolve().parent / "workspace"
    monkeypatch.chdir(source.parent.parent)
    with pytest.raises(FileNotFoundError, match="run this from the kmslab checkout"):
        workspace.shipped_notebooks()


def test_an_edition_in_a_subfolder_gets_its_own_workspace_folder(course):
    source, work = course
    (source / "ja").mkdir()
    for name in ("00-welcome", "02-without-the-root-statement"):
        (source / "ja" / f"{name}.ipynb").write_bytes((source / f"{name}.ipynb").read_bytes().replace(b"print", b"len"))
    made = workspace.prepare(source, work)
    assert sorted(str(p.relative_to(work)) for p in made) == [
        "00-welcome.ipynb", "02-without-the-root-statement.ipynb",
        "ja/00-welcome.ipynb", "ja/02-without-the-root-statement.ipynb"]
    mine = work / "ja" / "02-without-the-root-statement.ipynb"
    save_as_learner(mine)
    assert workspace.changed(source, work) == ["ja/02-without-the-root-statement.ipynb"]
    restored, backup = workspace.restore("ja/02", source, work)
    assert restored == mine and mine.read_bytes() == (source / "ja" / mine.name).read_bytes()
    assert backup is not None and backup.parent == work / "backups" / "ja"
    assert workspace.restore("02", source, work, lang="ja")[0] == mine
    assert (work / "02-without-the-root-statement.ipynb").read_bytes() == \
        (source / "02-without-the-root-statement.ipynb").read_bytes()  # the English copy untouched
    with pytest.raises(ValueError, match="no edition 'fr'"):
        workspace.restore("fr/02", source, work)
