"""The course's lessons as code: each notebook starts its lab here and gets its exercises here.

    from kmslab import course
    lab = course.start("seed-without-root")      # the notebook's world, from a shipped scenario
    ex1 = course.exercise_root_prediction(lab, "demo")

One module per notebook (`lesson00` ... `lesson08`: its exercises and lesson helpers), built on
the shared checks of `kmslab.exercises`; `setup` and `policies` hold what several lessons use;
`workspace` keeps a learner's copies of the notebooks apart from the course as shipped.
Every name a notebook uses is importable from `kmslab.course` itself; each is loaded on first use, so
`kmslab.course.workspace` (used by the CLI) costs no widget or pandas import.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

# name -> the module of this package that defines it
_NAMES = {
    "exercise_root_prediction": "lesson00",
    "exercise_detach_flips": "lesson01", "exercise_least_privilege": "lesson01",
    "exercise_name_in_key_policy": "lesson02", "exercise_root_flips": "lesson02",
    "exercise_predict_same_name": "lesson03", "exercise_safety_check": "lesson03",
    "exercise_survives_deletion": "lesson03",
    "exercise_deny_deletion": "lesson04", "exercise_key_admin_decrypt": "lesson04",
    "exercise_least_privilege_key_user": "lesson04",
    "exercise_caller_account": "lesson05", "exercise_context_statement": "lesson05",
    "exercise_via_service_flips": "lesson05", "requests_with": "lesson05",
    "cross_account_2x2": "lesson06", "cross_account_worlds": "lesson06", "exercise_cross_account_user": "lesson06",
    "exercise_foreign_root": "lesson06", "exercise_key_reference": "lesson06",
    "context_grid": "lesson07", "exercise_constraint_prediction": "lesson07", "exercise_grant_instead": "lesson07",
    "exercise_grant_with_constraint": "lesson07", "grants_frame": "lesson07",
    "exercise_deny_everyone_flips": "lesson08", "exercise_playground_goal": "lesson08",
    "KEY_USER_ACTIONS": "policies", "add_statement": "policies", "iam_restore": "policies",
    "iam_snapshot": "policies", "key_policy_principals": "policies", "remove_statement": "policies",
    "unique_id": "policies",
    "ACCOUNT": "setup", "cast": "setup", "events": "setup", "outcome_line": "setup", "playground": "setup",
    "readable": "setup",
    "scenario_path": "setup", "show_error": "setup", "start": "setup", "workdir": "setup",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        value = getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_NAMES})


LESSONS = tuple(f"lesson{n:02d}" for n in range(9))


def every_template() -> Iterator[tuple[str, str]]:
    """(id, English template) of every sentence of the lessons and their shared helpers (each module's `T`),
    for the message catalogs."""
    for lesson in ("setup", "workspace", *LESSONS):
        module = importlib.import_module(f"{__name__}.{lesson}")
        for key, text in getattr(module, "T", {}).items():
            yield f"{lesson}.{key}", text
