"""Which language kmslab speaks: English (the default) or Japanese, from gettext catalogs.

Every sentence is an English template rendered through the engine's catalog hook
(`kmslab.engine.words._` / `use_catalog`); this module only chooses the catalog:

    kmslab.set_language("ja")     # or KMSLAB_LANG=ja, or a notebook under notebooks/ja/ (or workspace/ja/)

The catalogs are `kmslab/locale/<lang>/LC_MESSAGES/kmslab.po` (committed), compiled to `.mo`
at install (`make`, binder/postBuild: `python -m kmslab.locale.catalogs compile`). The `.mo`
is what is used; without one (a checkout nobody has built yet) the `.po` is read directly.
English costs nothing: no catalog is read, and importing this module imports nothing of kmslab.
It chooses the language once when imported (`import kmslab` imports it): see `apply_default`.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

DOMAIN = "kmslab"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("en", "ja")
ENV = "KMSLAB_LANG"

_state: dict[str, object] = {"language": "en", "source": None}


def normalise(language: str | None) -> str:
    """`ja`, `ja_JP`, `ja-JP.UTF-8` -> `ja`; empty or None -> `en`; an unknown language is an error."""
    code = (language or "en").strip().replace("-", "_").split(".")[0].split("_")[0].lower() or "en"
    if code not in LANGUAGES:
        raise ValueError(f"kmslab speaks {', '.join(LANGUAGES)}, not {language!r}")
    return code


def catalog_file(language: str, localedir: Path | None = None) -> Path | None:
    """The compiled catalog gettext finds for `language` (None: not compiled)."""
    found = gettext.find(DOMAIN, str(localedir or LOCALE_DIR), languages=[language])
    return Path(found) if found else None


def load_catalog(language: str, localedir: Path | None = None) -> tuple[dict[str, str], Path]:
    """English template -> translation for `language`, and the file read: the `.mo`, else the `.po`.

    Untranslated and fuzzy entries are left out (they render in English).
    """
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = localedir or LOCALE_DIR
    mo = catalog_file(language, folder)
    if mo is not None:
        with mo.open("rb") as f:
            messages = read_mo(f)
        source = mo
    else:
        source = folder / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not source.is_file():
            raise FileNotFoundError(f"no {DOMAIN} catalog for {language!r} in {folder}")
        with source.open("rb") as f:
            messages = read_po(f)
    table = {m.id: m.string for m in messages
             if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy}
    return table, source


def set_language(language: str | None, *, localedir: Path | None = None) -> str:
    """Speak `language` ("en" or "ja") from now on, in every widget, explanation and CLI line; returns it."""
    from .engine.words import use_catalog

    code = normalise(language)
    if code == "en":
        use_catalog(None)
        _state.update(language="en", source=None)
    else:
        table, source = load_catalog(code, localedir)
        use_catalog(table)
        _state.update(language=code, source=source)
    return code


def language() -> str:
    """The language kmslab speaks now."""
    return str(_state["language"])


def catalog_source() -> Path | None:
    """The catalog file in use (None for English): the `.mo` once compiled."""
    source = _state["source"]
    return source if isinstance(source, Path) else None


def language_for(environ: os._Environ[str] | dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """The language asked for: `KMSLAB_LANG` if set, else Japanese in a folder under `notebooks/ja`
    or `workspace/ja` (a Jupyter kernel's working directory is its notebook's folder), else English."""
    env = os.environ if environ is None else environ
    if env.get(ENV, "").strip():
        return normalise(env[ENV])
    try:
        parts = (cwd or Path.cwd()).resolve().parts
    except OSError:
        return "en"
    pairs = zip(parts, parts[1:], strict=False)
    return "ja" if any(a in ("notebooks", "workspace") and b == "ja" for a, b in pairs) else "en"


def apply_default() -> str:
    """Choose the language from the environment and the working directory (done at `import kmslab`).

    A language chosen by the folder is also put in `KMSLAB_LANG`, so what the process starts speaks it too: a
    Japanese notebook's `subprocess.run([sys.executable, "-m", "kmslab", "check", ...], cwd=elsewhere)`.
    """
    try:
        wanted = language_for()
    except ValueError:
        return language()  # an unknown KMSLAB_LANG: stay in English rather than fail on import
    if wanted != "en" and not os.environ.get(ENV, "").strip():
        os.environ[ENV] = wanted
    return set_language(wanted) if wanted != language() else wanted


apply_default()
