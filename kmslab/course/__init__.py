"""The course's lessons as code: each notebook starts its lab here and gets its exercises here.

    from kmslab import course
    lab = course.start("seed-without-root")      # the notebook's world, from a shipped scenario
    ex1 = course.exercise_root_prediction(lab, "demo")

One module per notebook (`lesson00` ... `lesson08`: its exercises and lesson helpers), built on
the shared checks of `kmslab.exercises`; `setup` and `policies` hold what several lessons use;
`workspace` keeps a learner's copies of the notebooks apart from the course as shipped.
Every name a notebook uses is importable from `kmslab.course` itself.
"""

from __future__ import annotations

from .lesson00 import exercise_root_prediction
from .lesson01 import exercise_detach_flips, exercise_least_privilege
from .lesson02 import exercise_name_in_key_policy, exercise_root_flips
from .lesson03 import exercise_predict_same_name, exercise_safety_check, exercise_survives_deletion
from .lesson04 import exercise_deny_deletion, exercise_key_admin_decrypt, exercise_least_privilege_key_user
from .lesson05 import (
    exercise_caller_account,
    exercise_context_statement,
    exercise_via_service_flips,
    requests_with,
)
from .lesson06 import (
    cross_account_2x2,
    cross_account_worlds,
    exercise_cross_account_user,
    exercise_foreign_root,
    exercise_key_reference,
)
from .lesson07 import (
    context_grid,
    exercise_constraint_prediction,
    exercise_grant_instead,
    exercise_grant_with_constraint,
    grants_frame,
)
from .lesson08 import exercise_deny_everyone_flips, exercise_playground_goal
from .policies import (
    KEY_USER_ACTIONS,
    add_statement,
    iam_restore,
    iam_snapshot,
    key_policy_principals,
    remove_statement,
    unique_id,
)
from .setup import ACCOUNT, cast, events, outcome_line, playground, scenario_path, show_error, start, workdir

__all__ = [
    "ACCOUNT", "KEY_USER_ACTIONS", "add_statement", "cast", "context_grid", "cross_account_2x2",
    "cross_account_worlds", "events", "exercise_caller_account", "exercise_constraint_prediction",
    "exercise_context_statement", "exercise_cross_account_user", "exercise_deny_deletion",
    "exercise_deny_everyone_flips", "exercise_detach_flips", "exercise_foreign_root", "exercise_grant_instead",
    "exercise_grant_with_constraint", "exercise_key_admin_decrypt", "exercise_key_reference",
    "exercise_least_privilege", "exercise_least_privilege_key_user", "exercise_name_in_key_policy",
    "exercise_playground_goal", "exercise_predict_same_name", "exercise_root_flips", "exercise_root_prediction",
    "exercise_safety_check", "exercise_survives_deletion", "exercise_via_service_flips", "grants_frame",
    "iam_restore", "iam_snapshot", "key_policy_principals", "outcome_line", "playground", "remove_statement",
    "requests_with", "scenario_path", "show_error", "start", "unique_id", "workdir",
]
