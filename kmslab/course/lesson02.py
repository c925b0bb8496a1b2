"""Notebook 2, without the root statement: IAM policies have no effect, even the root user is denied."""

from __future__ import annotations

from typing import Any

from ..engine.policy import has_account_statement, with_account_statement
from ..exercises import Exercise, allowed, denied, flips_question, goal
from ..lab import Lab
from ..widgets.experiment import KeyPolicyExperiment


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
        title="Predict what the root statement changes",
        task="Which (principal, action) cells will flip when the root statement is added? "
             'check([("kms-test-2", "Decrypt"), ...]); a whole row is ("kms-test-2", "*"). '
             "The lab tries it and puts the policy back.",
        checker=flips_question(lab, key, experiment.principals, experiment.actions, change, undo),
        hints=("Principals named in the key policy do not need the root statement.",
               "The root statement makes IAM policies count: who has an IAM policy that allows kms actions? "
               "And who is the account itself?"),
        solution_text='check([("kms-test-2", "*"), ("root", "*")]): kms-test-2 (AdministratorAccess now counts) '
                      "and the root user flip for every action; kms-test-1 and manabusakai were allowed already.",
    )


def exercise_name_in_key_policy(lab: Lab, key: str, user: str = "kms-test-2") -> Exercise:
    """Let `user` Decrypt without the root statement: name it in the key policy (no IAM policy helps)."""
    account = lab.key_arn(key).split(":")[4]
    arn = lab.principal_arn(user)

    def no_root_statement() -> str | None:
        if has_account_statement(lab.key_policy(key), account):
            return "The key policy allows the account now: do it without the root statement."
        return None

    return Exercise(
        title="Decrypt without the root statement",
        task=f'Keep the root statement out of the key policy of "{key}", and let {user} Decrypt with it, but '
             "not Encrypt. Then call check().",
        checker=goal([no_root_statement,
                      allowed(lab, user, "kms:Decrypt", key, otherwise=f"{user} cannot Decrypt yet: {{reason}}."),
                      denied(lab, user, "kms:Encrypt", key,
                             otherwise=f"{user} may also Encrypt: allow only kms:Decrypt.")],
                     success=lambda: f"{lab.request(user, 'kms:Decrypt', key).reason}."),
        hints=(f"Without the root statement, {user}'s IAM policies have no effect. What did kms-test-1 have "
               "that let it in?",
               f'A statement naming {user} directly: "Principal": {{"AWS": "{arn}"}}, "Action": "kms:Decrypt".',
               f'lab.put_key_policy("{key}", course.add_statement(lab.key_policy("{key}"), {{"Sid": ..., '
               f'"Effect": "Allow", "Principal": ..., "Action": ..., "Resource": "*"}}))'),
        solution_text=(f'lab.put_key_policy("{key}", course.add_statement(lab.key_policy("{key}"), {{\n'
                       f'    "Sid": "Decrypt for {user}", "Effect": "Allow", "Principal": {{"AWS": "{arn}"}},\n'
                       '    "Action": "kms:Decrypt", "Resource": "*"}))'),
    )
