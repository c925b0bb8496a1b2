"""Notebook 8, the playground: any policy, AWS's errors, scenario files."""

from __future__ import annotations

import json
from typing import Any

from ..engine import STANDARD_ACTIONS
from ..exercises import Exercise, flips_question
from ..lab import Lab
from .lesson02 import exercise_name_in_key_policy
from .policies import add_statement


def exercise_playground_goal(lab: Lab, key: str = "demo", user: str = "kms-test-2") -> Exercise:
    """In the playground: let a user Decrypt (not Encrypt) without the root statement (notebook 2's task)."""
    exercise = exercise_name_in_key_policy(lab, key, user)
    exercise.task = (f'In the playground, let {user} Decrypt with "{key}" but not Encrypt, and keep the key policy '
                     "free of the root statement. Then check().")
    exercise.hints = (*exercise.hints[:1], f'Add a statement with "Principal": {{"AWS": "{lab.principal_arn(user)}"}} '
                      'and "Action": "kms:Decrypt" in the key policy editor, then Apply.')
    exercise.solution_text = (f'A statement {{"Sid": "Decrypt for {user}", "Effect": "Allow", "Principal": {{"AWS": '
                              f'"{lab.principal_arn(user)}"}}, "Action": "kms:Decrypt", "Resource": "*"}} in the key '
                              "policy (or a grant for Decrypt).")
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
        title="Predict a Deny for everyone",
        task=f'Which cells flip if the key policy of "{key}" gets the statement {json.dumps(deny)}? '
             'check([("kms-test-1", "Decrypt"), ...]); a whole column is ("*", "Decrypt"). '
             "The lab tries it and puts the policy back.",
        checker=flips_question(lab, key, lab.principals(), list(STANDARD_ACTIONS), change, undo),
        hints=("An explicit Deny only turns allowed cells into denied ones.",
               f"Only the {action.split(':')[1]} column can change: who may {action.split(':')[1]} now?"),
        solution_text=f"Every cell of the {action.split(':')[1]} column that is allowed now.",
    )
