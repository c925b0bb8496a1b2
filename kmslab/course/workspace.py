"""A learner's own copies of the notebooks, apart from the course as shipped.

JupyterLab autosaves outputs and edits into the notebooks it has open. `make lab` therefore opens
JupyterLab on `workspace/` (git-ignored), filled from `notebooks/` on first use: the course as
shipped stays clean (`git status`, `make test`), and the learner's work stays where it is.

    python -m kmslab.course.workspace prepare         # copy the notebooks that are missing, never overwrite
    python -m kmslab.course.workspace restore 02      # notebook 02 as shipped; the learner's copy goes to backups/
    python -m kmslab.course.workspace status          # which copies differ from the course as shipped
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

WORKSPACE = "workspace"
BACKUPS = "backups"


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


def prepare(source: Path | None = None, workspace: Path | None = None) -> list[Path]:
    """Copy every shipped notebook the workspace does not have yet; a learner's copy is never overwritten.

    Returns the copies made (none on a second run).
    """
    source = source or shipped_notebooks()
    workspace = workspace or default_workspace(source)
    workspace.mkdir(parents=True, exist_ok=True)
    made = []
    for original in sorted(source.glob("*.ipynb")):
        copy = workspace / original.name
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


def restore(name: str, source: Path | None = None, workspace: Path | None = None) -> tuple[Path, Path | None]:
    """Put the shipped version of notebook `name` into the workspace.

    The learner's copy, if it differs, is kept in `workspace/backups/` with the time in its name.
    Returns (the restored notebook, the backup or None).
    """
    source = source or shipped_notebooks()
    workspace = workspace or default_workspace(source)
    original = find(name, source)
    copy = workspace / original.name
    backup = None
    if copy.exists() and not filecmp.cmp(original, copy, shallow=False):
        backups = workspace / BACKUPS
        backups.mkdir(parents=True, exist_ok=True)
        backup = backups / f"{original.stem}.{time.strftime('%Y%m%d-%H%M%S')}.ipynb"
        n = 1
        while backup.exists():
            n += 1
            backup = backups / f"{original.stem}.{time.strftime('%Y%m%d-%H%M%S')}-{n}.ipynb"
        shutil.move(copy, backup)
    workspace.mkdir(parents=True, exist_ok=True)
    shutil.copy2(original, copy)
    return copy, backup


def changed(source: Path | None = None, workspace: Path | None = None) -> list[str]:
    """Names of the workspace's notebooks that differ from the course as shipped."""
    source = source or shipped_notebooks()
    workspace = workspace or default_workspace(source)
    return [p.name for p in sorted(source.glob("*.ipynb"))
            if (workspace / p.name).exists() and not filecmp.cmp(p, workspace / p.name, shallow=False)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kmslab.course.workspace",
                                     description="Your own copies of the course's notebooks (workspace/).")
    parser.add_argument("--workspace", type=Path, help="the folder of your copies (default: workspace/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="copy the notebooks you do not have yet (never overwrites)")
    again = sub.add_parser("restore", help="get a notebook as shipped back (your copy goes to backups/)")
    again.add_argument("notebook", help='e.g. 02 or "02-without-the-root-statement"')
    sub.add_parser("status", help="which of your notebooks differ from the course as shipped")
    args = parser.parse_args(argv)
    try:
        if args.command == "prepare":
            made = prepare(workspace=args.workspace)
            where = args.workspace or default_workspace()
            print(f"{where}: {len(made)} notebook(s) copied" + ("" if made else " (your copies are kept)"))
        elif args.command == "restore":
            path, backup = restore(args.notebook, workspace=args.workspace)
            print(f"restored {path}" + (f"; your version is kept as {backup}" if backup else ""))
            print("In JupyterLab: close the notebook's tab without saving, or File > Reload Notebook from Disk.")
        else:
            names = changed(workspace=args.workspace)
            print("\n".join(f"changed: {n}" for n in names) or "every notebook is as shipped")
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
