"""Notebook 2, without the root statement: IAM policies have no effect, even the root user is denied."""

from __future__ import annotations

from typing import Any

from ..engine.policy import has_account_statement, with_account_statement
from ..engine.words import N_
from ..exercises import Exercise, Words, allowed, denied, flips_question, goal, say
from ..lab import Lab
from ..widgets.experiment import KeyPolicyExperiment

T: dict[str, str] = {
    "root_flips.title": N_("Predict what the root statement changes"),
    "root_flips.task": N_("Which (principal, action) cells will flip when the root statement is added? "
                          'check([("kms-test-2", "Decrypt"), ...]); a whole row is ("kms-test-2", "*"). '
                          "The lab tries it and puts the policy back."),
    "root_flips.hint1": N_("Principals named in the key policy do not need the root statement."),
    "root_flips.hint2": N_("The root statement makes IAM policies count: who has an IAM policy that allows kms "
                           "actions? And who is the account itself?"),
    "root_flips.solution": N_('check([("kms-test-2", "*"), ("root", "*")]): kms-test-2 (AdministratorAccess now '
                              "counts) and the root user flip for every action; kms-test-1 and manabusakai were "
                              "allowed already."),
    "name_in_key_policy.no_root": N_("The key policy allows the account now: do it without the root statement."),
    "name_in_key_policy.title": N_("Decrypt without the root statement"),
    "name_in_key_policy.task": N_('Keep the root statement out of the key policy of "{key}", and let {user} Decrypt '
                                  "with it, but not Encrypt. Then call check()."),
    "name_in_key_policy.cannot": N_("{user} cannot Decrypt yet: {reason}."),
    "name_in_key_policy.also_encrypt": N_("{user} may also Encrypt: allow only kms:Decrypt."),
    "name_in_key_policy.success": N_("{reason}."),
    "name_in_key_policy.hint1": N_("Without the root statement, {user}'s IAM policies have no effect. What did "
                                   "kms-test-1 have that let it in?"),
    "name_in_key_policy.hint2": N_('A statement naming {user} directly: "Principal": {{"AWS": "{arn}"}}, '
                                   '"Action": "kms:Decrypt".'),
}


def exercise_root_flips(experiment: KeyPolicyExperiment) -> Exercise:
    """Predict which cells flip when the root statement is added to (or removed from) the key policy."""
    lab, key = experiment.lab, experiment.key
    original: dict[str, Any] = {}

    def change() -> None:
        original["policy"] = lab.key_policy(key)
        on = not has_account_statement(original["policy"], experiment.account)
        lab.put_key_policy(key, with_account_statement(original["policy"], experiment.account, on),
                           bypass_lockout_check=True)

    def undo() -> None:
        lab.put_key_policy(key, original["policy"], bypass_lockout_check=True)

    return Exercise(
        title=say(T["root_flips.title"]),
        task=say(T["root_flips.task"]),
        checker=flips_question(lab, key, experiment.principals, experiment.actions, change, undo),
        hints=(say(T["root_flips.hint1"]), say(T["root_flips.hint2"])),
        solution_text=say(T["root_flips.solution"]),
    )


def exercise_name_in_key_policy(lab: Lab, key: str, user: str = "kms-test-2") -> Exercise:
    """Let `user` Decrypt without the root statement: name it in the key policy (no IAM policy helps)."""
    account = lab.key_arn(key).split(":")[4]
    arn = lab.principal_arn(user)

    def no_root_statement() -> Words | None:
        if has_account_statement(lab.key_policy(key), account):
            return say(T["name_in_key_policy.no_root"])
        return None

    return Exercise(
        title=say(T["name_in_key_policy.title"]),
        task=say(T["name_in_key_policy.task"], key=key, user=user),
        checker=goal([no_root_statement,
                      allowed(lab, user, "kms:Decrypt", key, otherwise=say(T["name_in_key_policy.cannot"], user=user)),
                      denied(lab, user, "kms:Encrypt", key,
                             otherwise=say(T["name_in_key_policy.also_encrypt"], user=user))],
                     success=lambda: say(T["name_in_key_policy.success"],
                                         reason=lab.request(user, "kms:Decrypt", key).reason)),
        hints=(say(T["name_in_key_policy.hint1"], user=user),
               say(T["name_in_key_policy.hint2"], user=user, arn=arn),
               f'lab.put_key_policy("{key}", course.add_statement(lab.key_policy("{key}"), {{"Sid": ..., '
               f'"Effect": "Allow", "Principal": ..., "Action": ..., "Resource": "*"}}))'),
        solution_text=(f'lab.put_key_policy("{key}", course.add_statement(lab.key_policy("{key}"), {{\n'
                       f'    "Sid": "Decrypt for {user}", "Effect": "Allow", "Principal": {{"AWS": "{arn}"}},\n'
                       '    "Action": "kms:Decrypt", "Resource": "*"}))'),
    )
