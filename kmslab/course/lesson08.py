"""Notebook 8, the playground: any policy, AWS's errors, scenario files."""

from __future__ import annotations

import json
from typing import Any

from ..engine import STANDARD_ACTIONS
from ..engine.words import N_
from ..exercises import Exercise, flips_question, say
from ..lab import Lab
from .lesson02 import exercise_name_in_key_policy
from .policies import add_statement

T: dict[str, str] = {
    "playground_goal.task": N_('In the playground, let {user} Decrypt with "{key}" but not Encrypt, and keep the key '
                               "policy free of the root statement. Then check()."),
    "playground_goal.hint2": N_('Add a statement with "Principal": {{"AWS": "{arn}"}} and "Action": "kms:Decrypt" in '
                                "the key policy editor, then Apply."),
    "playground_goal.solution": N_('A statement {{"Sid": "Decrypt for {user}", "Effect": "Allow", "Principal": '
                                   '{{"AWS": "{arn}"}}, "Action": "kms:Decrypt", "Resource": "*"}} in the key policy '
                                   "(or a grant for Decrypt)."),
    "deny_everyone.title": N_("Predict a Deny for everyone"),
    "deny_everyone.task": N_('Which cells flip if the key policy of "{key}" gets the statement {statement}? '
                             'check([("kms-test-1", "Decrypt"), ...]); a whole column is ("*", "Decrypt"). '
                             "The lab tries it and puts the policy back."),
    "deny_everyone.hint1": N_("An explicit Deny only turns allowed cells into denied ones."),
    "deny_everyone.hint2": N_("Only the {operation} column can change: who may {operation} now?"),
    "deny_everyone.solution": N_("Every cell of the {operation} column that is allowed now."),
}


def exercise_playground_goal(lab: Lab, key: str = "demo", user: str = "kms-test-2") -> Exercise:
    """In the playground: let a user Decrypt (not Encrypt) without the root statement (notebook 2's task)."""
    exercise = exercise_name_in_key_policy(lab, key, user)
    arn = lab.principal_arn(user)
    exercise.task = say(T["playground_goal.task"], user=user, key=key)
    exercise.hints = (*exercise.hints[:1], say(T["playground_goal.hint2"], arn=arn))
    exercise.solution_text = say(T["playground_goal.solution"], user=user, arn=arn)
    return exercise


def exercise_deny_everyone_flips(lab: Lab, key: str = "demo", action: str = "kms:Decrypt") -> Exercise:
    """Predict which cells flip when the key policy denies an action to Principal "*"."""
    deny = {"Sid": "Nobody decrypts", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": action,
            "Resource": "*"}
    original: dict[str, Any] = {}

    def change() -> None:
        original["policy"] = lab.key_policy(key)
        lab.put_key_policy(key, add_statement(original["policy"], deny), bypass_lockout_check=True)

    def undo() -> None:
        lab.put_key_policy(key, original["policy"], bypass_lockout_check=True)

    return Exercise(
        title=say(T["deny_everyone.title"]),
        task=say(T["deny_everyone.task"], key=key, statement=json.dumps(deny)),
        checker=flips_question(lab, key, lab.principals(), list(STANDARD_ACTIONS), change, undo),
        hints=(say(T["deny_everyone.hint1"]), say(T["deny_everyone.hint2"], operation=action.split(":")[1])),
        solution_text=say(T["deny_everyone.solution"], operation=action.split(":")[1]),
    )
