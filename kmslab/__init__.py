"""kmslab: learn by experiment how AWS KMS decides who may use a key.

    import kmslab
    lab = kmslab.Lab()            # a mocked AWS whose KMS decides like AWS

The names below are imported on first use, so `import kmslab` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from .i18n import set_language  # also chooses the language: KMSLAB_LANG, or a notebook under notebooks/ja/

__version__ = "0.1.0"

_LAZY = {
    "Lab": "kmslab.lab",
    "LabError": "kmslab.lab",
    "Outcome": "kmslab.lab",
    "authorize": "kmslab.engine",
    "access_table": "kmslab.widgets",
    "flow_svg": "kmslab.widgets",
    "explain_html": "kmslab.widgets",
    "KeyPolicyExperiment": "kmslab.widgets.experiment",
    "show": "kmslab.widgets.display",
    "show_policy": "kmslab.widgets.display",
    "load_scenario": "kmslab.scenario",
    "run_scenario": "kmslab.runner",
    "lab_from_scenario": "kmslab.runner",
}

__all__ = ["__version__", "set_language", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kmslab' has no attribute {name!r}")
