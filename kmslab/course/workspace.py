"""A learner's own copies of the notebooks, apart from the course as shipped.

JupyterLab autosaves outputs and edits into the notebooks it has open. `make lab` therefore opens
JupyterLab on `workspace/` (git-ignored), filled from `notebooks/` on first use: the course as
shipped stays clean (`git status`, `make test`), and the learner's work stays where it is.
A translation of the course in `notebooks/ja/` goes to `workspace/ja/` the same way.

    python -m kmslab prepare         # copy the notebooks that are missing, never overwrite
    python -m kmslab restore 02      # notebook 02 as shipped; the learner's copy goes to backups/
    python -m kmslab restore ja/02   # the same for the Japanese edition (or: restore 02 --lang ja)
    python -m kmslab status          # which copies differ from the course as shipped

(`python -m kmslab.course.workspace ...` is the same, for a kmslab without these CLI commands.)
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..engine.words import N_, _

WORKSPACE = "workspace"
BACKUPS = "backups"

# The commands' help and lines (translated by the active catalog: `kmslab restore --help` in Japanese too).
T: dict[str, str] = {
    "prepare": N_("copy the course's notebooks you do not have in workspace/ yet (never overwrites)"),
    "restore": N_("get a notebook as shipped back into workspace/ (your copy goes to workspace/backups/)"),
    "restore.notebook": N_('e.g. 02, "02-without-the-root-statement" or ja/02'),
    "restore.lang": N_("an edition of the course, e.g. ja (same as ja/02)"),
    "status": N_("which of your notebooks in workspace/ differ from the course as shipped"),
    "workspace": N_("the folder of your copies (default: workspace/)"),
    "description": N_("Your own copies of the course's notebooks (workspace/)."),
    "error": N_("error: {error}"),
    "copied": N_("{where}: {n} notebook(s) copied"),
    "kept": N_(" (your copies are kept)"),
    "restored": N_("restored {path}"),
    "backup": N_("; your version is kept as {backup}"),
    "reload": N_("In JupyterLab: close the notebook's tab without saving, or File > Reload Notebook from Disk."),
    "changed": N_("changed: {name}"),
    "as_shipped": N_("every notebook is as shipped"),
}


def _say(key: str, /, **values: object) -> str:
    return _(T[key]).format(**values) if values else _(T[key])


def shipped_notebooks() -> Path:
    """The folder of the course as shipped: `notebooks/` beside the kmslab package, or found from the cwd up."""
    candidates = [Path(__file__).resolve().parents[2] / "notebooks"]
    here = Path.cwd().resolve()
    candidates += [folder / "notebooks" for folder in (here, *here.parents)]
    for folder in candidates:
        if (folder / "00-welcome.ipynb").is_file():
            return folder
    raise FileNotFoundError("the course's notebooks/ folder was not found: run this from the kmslab checkout")


def default_workspace(source: Path | None = None) -> Path:
    """`workspace/` beside `notebooks/`."""
    return (source or shipped_notebooks()).parent / WORKSPACE


def editions(source: Path) -> list[str]:
    """The course's editions: "" (the notebooks themselves) and each subfolder with notebooks ("ja")."""
    return ["", *sorted(d.name for d in source.iterdir() if d.is_dir() and any(d.glob("*.ipynb")))]


def prepare(source: Path | None = None, workspace: Path | None = None) -> list[Path]:
    """Copy every shipped notebook the workspace does not have yet; a learner's copy is never overwritten.

    Each edition in a subfolder (`notebooks/ja/`) goes to the same subfolder of the workspace.
    Returns the copies made (none on a second run).
    """
    source = source or shipped_notebooks()
    workspace = workspace or default_workspace(source)
    made = []
    for edition in editions(source):
        (workspace / edition).mkdir(parents=True, exist_ok=True)
        for original in sorted((source / edition).glob("*.ipynb")):
            copy = workspace / edition / original.name
            if not copy.exists():
                shutil.copy2(original, copy)
                made.append(copy)
    return made


def find(name: str, folder: Path) -> Path:
    """The notebook of `folder` named `name`: "02", "2", "02-without-the-root-statement" or the file name."""
    name = name.removesuffix(".ipynb")
    if name.isdigit():
        name = f"{int(name):02d}"
    matches = sorted(p for p in folder.glob("*.ipynb") if p.stem == name or p.stem.startswith(f"{name}-"))
    if len(matches) != 1:
        known = ", ".join(p.stem for p in sorted(folder.glob("*.ipynb")))
        raise ValueError(f"no single notebook {name!r} in {folder} (there are: {known})")
    return matches[0]


def restore(name: str, source: Path | None = None, workspace: Path | None = None,
            lang: str = "") -> tuple[Path, Path | None]:
    """Put the shipped version of notebook `name` ("02", or "ja/02" for an edition) into the workspace.

    The learner's copy, if it differs, is kept in `workspace/backups/` (`backups/ja/` for an edition)
    with the time in its name. Returns (the restored notebook, the backup or None).
    """
    source = source or shipped_notebooks()
    workspace = workspace or default_workspace(source)
    if "/" in name:
        lang, name = name.split("/", 1)
    if lang and lang not in editions(source):
        raise ValueError(f"no edition {lang!r} of the course (there are: {', '.join(editions(source)[1:]) or 'none'})")
    original = find(name, source / lang)
    copy = workspace / lang / original.name
    backup = None
    if copy.exists() and not filecmp.cmp(original, copy, shallow=False):
        backups = workspace / BACKUPS / lang
        backups.mkdir(parents=True, exist_ok=True)
        backup = backups / f"{original.stem}.{time.strftime('%Y%m%d-%H%M%S')}.ipynb"
        n = 1
        while backup.exists():
            n += 1
            backup = backups / f"{original.stem}.{time.strftime('%Y%m%d-%H%M%S')}-{n}.ipynb"
        shutil.move(copy, backup)
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(original, copy)
    return copy, backup


def changed(source: Path | None = None, workspace: Path | None = None) -> list[str]:
    """Names of the workspace's notebooks that differ from the course as shipped ("ja/..." for an edition)."""
    source = source or shipped_notebooks()
    workspace = workspace or default_workspace(source)
    out = []
    for edition in editions(source):
        for p in sorted((source / edition).glob("*.ipynb")):
            mine = workspace / edition / p.name
            if mine.exists() and not filecmp.cmp(p, mine, shallow=False):
                out.append(f"{edition}/{p.name}" if edition else p.name)
    return out


def add_commands(sub: Any) -> None:
    """The workspace's commands (`prepare`, `restore`, `status`) on an argparse subparsers object.

    `python -m kmslab restore 02` and `python -m kmslab.course.workspace restore 02` are the same.
    """
    made = sub.add_parser("prepare", help=_say("prepare"), description=_say("prepare"))
    again = sub.add_parser("restore", help=_say("restore"), description=_say("restore"))
    again.add_argument("notebook", help=_say("restore.notebook"))
    again.add_argument("--lang", default="", help=_say("restore.lang"))
    status = sub.add_parser("status", help=_say("status"), description=_say("status"))
    for parser, command in ((made, _prepare), (again, _restore), (status, _status)):
        parser.add_argument("--workspace", type=Path, help=_say("workspace"))
        parser.set_defaults(func=_guarded(command))


def _guarded(command: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            command(args)
        except (FileNotFoundError, ValueError) as exc:
            print(_say("error", error=exc), file=sys.stderr)
            return 2
        return 0
    return run


def _prepare(args: argparse.Namespace) -> None:
    made = prepare(workspace=args.workspace)
    where = args.workspace or default_workspace()
    print(_say("copied", where=where, n=len(made)) + ("" if made else _say("kept")))


def _restore(args: argparse.Namespace) -> None:
    path, backup = restore(args.notebook, workspace=args.workspace, lang=args.lang)
    print(_say("restored", path=path) + (_say("backup", backup=backup) if backup else ""))
    print(_say("reload"))


def _status(args: argparse.Namespace) -> None:
    names = changed(workspace=args.workspace)
    print("\n".join(_say("changed", name=n) for n in names) or _say("as_shipped"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kmslab.course.workspace",
                                     description=_say("description"))
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
