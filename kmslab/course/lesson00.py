"""Notebook 0, welcome: the cast, one request, reading the answer."""

from __future__ import annotations

from ..engine.words import N_
from ..exercises import Exercise, say, verdict_question
from ..lab import Lab

T: dict[str, str] = {
    "root_prediction.title": N_("Predict the root user"),
    "root_prediction.task": N_("With the key policy as it is now, may the account's root user call Decrypt on "
                               '"{key}"? Answer "allowed" or "denied": check("...").'),
    "root_prediction.hint1": N_("Look for a statement whose Principal is the account itself."),
    "root_prediction.hint2": N_("arn:aws:iam::111122223333:root stands for the account: the root user and every IAM "
                                "principal whose IAM policies allow it."),
    "root_prediction.solution": N_("Allowed when the key policy has the root statement (the default key policy has "
                                   "it); denied without it: no IAM policy can stand in for the key policy, not even "
                                   "for the root user."),
}


def exercise_root_prediction(lab: Lab, key: str) -> Exercise:
    """Predict whether the account's root user may Decrypt with `key` under its key policy as it is now."""
    return Exercise(
        title=say(T["root_prediction.title"]),
        task=say(T["root_prediction.task"], key=key),
        checker=verdict_question(lab, "root", "kms:Decrypt", key),
        hints=(say(T["root_prediction.hint1"]), say(T["root_prediction.hint2"])),
        solution_text=say(T["root_prediction.solution"]),
    )
