"""Notebook 0, welcome: the cast, one request, reading the answer."""

from __future__ import annotations

from ..exercises import Exercise, verdict_question
from ..lab import Lab


def exercise_root_prediction(lab: Lab, key: str) -> Exercise:
    """Predict whether the account's root user may Decrypt with `key` under its key policy as it is now."""
    return Exercise(
        title="Predict the root user",
        task=f'With the key policy as it is now, may the account\'s root user call Decrypt on "{key}"? '
             'Answer "allowed" or "denied": check("...").',
        checker=verdict_question(lab, "root", "kms:Decrypt", key),
        hints=("Look for a statement whose Principal is the account itself.",
               "arn:aws:iam::111122223333:root stands for the account: the root user and every IAM "
               "principal whose IAM policies allow it."),
        solution_text="Allowed when the key policy has the root statement (the default key policy has it); "
                      "denied without it: no IAM policy can stand in for the key policy, not even for the root user.",
    )
