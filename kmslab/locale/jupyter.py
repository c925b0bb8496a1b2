"""A Jupyter Server extension: a link that opens JupyterLab in Japanese (or English) at a given folder.

JupyterLab 4 takes its display language from one setting only, `locale` of
`@jupyterlab/translation-extension:plugin` (Settings > Language); no URL parameter selects it
(https://jupyterlab.readthedocs.io/en/stable/user/language.html). So a Binder link for the Japanese
course points at this extension, which sets that user setting and redirects:

    https://mybinder.org/v2/gh/kmslab/kmslab/HEAD?urlpath=kmslab/ja/workspace/ja
        -> /kmslab/ja/workspace/ja: locale ja_JP, then /lab/tree/workspace/ja (JupyterLab in Japanese)

`/kmslab/en/<path>` sets English back. Each Binder launch is a fresh server, so the English link
(`urlpath=lab/tree/workspace`) stays English. binder/postBuild enables the extension
(jupyter_server_config.d/kmslab.json); `jupyter lab --ServerApp.jpserver_extensions='{"kmslab.locale.jupyter": true}'`
does it by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

PLUGIN = Path("@jupyterlab", "translation-extension", "plugin.jupyterlab-settings")
LOCALES = {"ja": "ja_JP", "en": "en"}


def settings_dir(serverapp: Any) -> Path:
    """JupyterLab's user settings folder, as the running JupyterLab was configured (its default otherwise)."""
    for name, apps in dict(serverapp.extension_manager.extension_apps).items():
        if name == "jupyterlab":
            for app in apps:
                folder = getattr(app, "user_settings_dir", None)
                if folder:
                    return Path(folder)
    from jupyterlab.commands import get_user_settings_dir  # type: ignore[import-untyped]

    return Path(get_user_settings_dir())


def set_locale(folder: Path, locale: str) -> Path:
    """Write JupyterLab's display language into the user settings in `folder` (other settings of the file kept)."""
    path = folder / PLUGIN
    try:
        current = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = {}
    current = current if isinstance(current, dict) else {}
    current["locale"] = locale
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    return path


class LanguageHandler(JupyterHandler):
    """GET /kmslab/<ja|en>/<path>: set JupyterLab's display language, then open /lab/tree/<path>."""

    @web.authenticated
    def get(self, language: str, path: str = "") -> None:
        set_locale(settings_dir(self.serverapp), LOCALES[language])
        parts = [p for p in path.split("/") if p and p not in (".", "..")]
        target = url_path_join(self.base_url, "lab", "tree", *(quote(p) for p in parts))
        self.redirect(target)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "kmslab.locale.jupyter"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    pattern = url_path_join(serverapp.web_app.settings["base_url"], r"kmslab/(ja|en)/?(.*)")
    serverapp.web_app.add_handlers(".*$", [(pattern, LanguageHandler)])
