"""Notebook 1, the default key policy: with the root statement, IAM policies decide."""

from __future__ import annotations

from collections.abc import Sequence

from ..engine import STANDARD_ACTIONS
from ..exercises import Exercise, allowed, denied, flips_question, goal
from ..lab import Lab


def exercise_least_privilege(lab: Lab, key: str, user: str = "kms-test-3") -> Exercise:
    """Let `user` Decrypt, and nothing more, through an IAM policy (the key policy delegates to IAM)."""
    decrypts = allowed(lab, user, "kms:Decrypt", key, otherwise=f"{user} still cannot Decrypt: {{reason}}.")
    return Exercise(
        title="Least privilege through IAM",
        task=f"Without changing the key policy, let {user} Decrypt with \"{key}\" and nothing else, "
             "using `lab.put_inline_policy(...)`. Then call check().",
        checker=goal([decrypts, denied(lab, user, "kms:Encrypt", key, otherwise=(
                          f"{user} can Decrypt, but also Encrypt: allow only what is needed."))],
                     success=lambda: f"{user} may Decrypt and nothing more: "
                                     f"{lab.request(user, 'kms:Decrypt', key).reason}."),
        hints=("The default key policy delegates to IAM: an IAM policy of the user is enough.",
               'An identity policy needs "Effect", "Action" and "Resource" (no Principal).',
               f'lab.put_inline_policy("{user}", "decrypt-only", {{"Version": "2012-10-17", "Statement": '
               '[{"Effect": "Allow", "Action": "kms:...", "Resource": lab.key_arn(...)}]})'),
        solution_text=(f'lab.put_inline_policy("{user}", "decrypt-only", {{"Version": "2012-10-17", '
                       f'"Statement": [{{"Effect": "Allow", "Action": "kms:Decrypt", '
                       f'"Resource": lab.key_arn("{key}")}}]}})'),
    )


def exercise_detach_flips(lab: Lab, key: str, user: str = "kms-test-2", policy: str = "AdministratorAccess",
                          actions: Sequence[str] | None = None) -> Exercise:
    """Predict which cells flip when `policy` is detached from `user` (the lab tries it and puts it back)."""
    return Exercise(
        title="Predict the flips",
        task=f"Which cells of the table flip if {policy} is detached from {user}? "
             'check([("kms-test-2", "Decrypt"), ...]); a whole row is ("kms-test-2", "*"). '
             "The lab tries it and puts it back.",
        checker=flips_question(lab, key, lab.principals(), list(actions or STANDARD_ACTIONS),
                               change=lambda: lab.detach_policy(user, policy),
                               undo=lambda: lab.attach_policy(user, policy)),
        hints=("Only the user who loses the policy can change.",
               "With the root statement, the user's access to the key comes only from its IAM policies."),
        solution_text=f'check([("{user}", "*")]): every action of {user}; its access came from {policy} '
                      "through the root statement.",
    )
