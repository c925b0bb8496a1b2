"""Extract, update and compile kmslab's message catalogs (Babel), from the template tables themselves.

Every sentence kmslab says is an English template in a table (`kmslab.engine.words`,
`kmslab.widgets.words`, and any other module listed in `SOURCES` that has `every_template()`),
so extraction walks those tables instead of parsing source code:

    python -m kmslab.locale.catalogs extract    # kmslab/locale/kmslab.pot from the tables
    python -m kmslab.locale.catalogs update     # merge the .pot into every <lang>/LC_MESSAGES/kmslab.po
    python -m kmslab.locale.catalogs compile    # .po -> .mo (make and binder/postBuild run this)
    python -m kmslab.locale.catalogs check      # exit 1 if a template has no translation (or loses a placeholder)

The `.pot` and `.po` files are committed; the `.mo` files are built at install.
"""

from __future__ import annotations

import argparse
import importlib
import re
import string
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

DOMAIN = "kmslab"
HERE = Path(__file__).resolve().parent
POT = HERE / f"{DOMAIN}.pot"
# Modules whose every_template() yields (id, English template); a missing function is skipped, so a
# module can join by growing one.
SOURCES = ("kmslab.engine.words", "kmslab.widgets.words", "kmslab.exercises", "kmslab.course", "kmslab.cli",
           "kmslab.scenario.words")
# Placeholders a translation may leave out: `{s}` is English's plural "s" (Japanese has none).
OPTIONAL = {"s"}


def templates() -> Iterator[tuple[str, str, str]]:
    """(module, id, English template) of every sentence kmslab says."""
    for name in SOURCES:
        module = importlib.import_module(name)
        every = getattr(module, "every_template", None)
        if every is None:
            continue
        for key, text in every():
            yield name, key, text


# printf-style fields, as argparse's own words have them (`%(prog)s`, `%s`, `%(value)r`); `%%` is a percent sign
_PRINTF = re.compile(r"%(?:\((\w+)\))?([sr])|%%")


def fields(template: str) -> list[tuple[str, str, str]]:
    """A template's replacement fields as (name, conversion, format spec), sorted for comparing.

    Brace fields (`{name!r:>4}`) and printf fields (`%(name)s` -> ("%name", "s", ""), `%s` -> ("%", "s", "")).
    """
    braces = [(name, conv or "", spec or "") for _, name, spec, conv in string.Formatter().parse(template)
              if name is not None]
    printf = [("%" + (m.group(1) or ""), m.group(2), "") for m in _PRINTF.finditer(template) if m.group(2)]
    return sorted(braces + printf)


def problems(catalog: Catalog) -> list[str]:
    """What is wrong with a language's catalog: untranslated, fuzzy, or with different placeholders."""
    out = []
    for module, key, english in templates():
        message = catalog.get(english)
        where = f"{module} {key!r}"
        translated = message.string if message is not None else ""
        if not translated or not isinstance(translated, str):
            out.append(f"{where}: no translation of {english!r}")
        elif message is not None and message.fuzzy:
            out.append(f"{where}: the translation is marked fuzzy (check it, then remove the flag)")
        else:
            kept = fields(translated)
            if kept != [f for f in fields(english) if f[0] not in OPTIONAL or f in kept]:
                out.append(f"{where}: placeholders {kept} instead of {fields(english)}")
    return out


def template_catalog() -> Catalog:
    """A catalog of every template (the .pot), each with the ids it is known by as a comment."""
    catalog = Catalog(project="kmslab", domain=DOMAIN, charset="utf-8", fuzzy=False)
    seen: dict[str, list[str]] = {}
    for module, key, english in templates():
        seen.setdefault(english, []).append(f"{module}: {key}")
    for english, ids in seen.items():
        flags = ("python-brace-format",) if fields(english) else ()
        catalog.add(english, auto_comments=ids, flags=flags)
    return catalog


def po_files() -> list[Path]:
    return sorted(HERE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def write(path: Path, catalog: Catalog) -> None:
    with path.open("wb") as f:
        write_po(f, catalog, width=120, omit_header=False, sort_output=False)


def extract() -> None:
    write(POT, template_catalog())


def update() -> None:
    template = template_catalog()
    for path in po_files():
        catalog = read(path)
        catalog.update(template, no_fuzzy_matching=True)
        write(path, catalog)


def compile_all() -> list[Path]:
    """Write every `.po`'s `.mo` beside it (fuzzy and untranslated entries left out)."""
    out = []
    for path in po_files():
        mo = path.with_suffix(".mo")
        with mo.open("wb") as f:
            write_mo(f, read(path))
        out.append(mo)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kmslab.locale.catalogs", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("extract", "update", "compile", "check"))
    args = parser.parse_args(argv)
    if args.command == "extract":
        extract()
    elif args.command == "update":
        extract()
        update()
    elif args.command == "compile":
        for mo in compile_all():
            print(f"compiled {mo.relative_to(HERE.parent.parent)}")
    else:
        bad = [f"{path.parent.parent.name}: {p}" for path in po_files() for p in problems(read(path))]
        print("\n".join(bad) or "every template is translated")
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
