"""Notebook 1, the default key policy: with the root statement, IAM policies decide."""

from __future__ import annotations

from collections.abc import Sequence

from ..engine import STANDARD_ACTIONS
from ..engine.words import N_
from ..exercises import Exercise, allowed, denied, flips_question, goal, say
from ..lab import Lab

T: dict[str, str] = {
    "least_privilege.title": N_("Least privilege through IAM"),
    "least_privilege.task": N_('Without changing the key policy, let {user} Decrypt with "{key}" and nothing else, '
                               "using `lab.put_inline_policy(...)`. Then call check()."),
    "least_privilege.cannot": N_("{user} still cannot Decrypt: {reason}."),
    "least_privilege.also_encrypt": N_("{user} can Decrypt, but also Encrypt: allow only what is needed."),
    "least_privilege.success": N_("{user} may Decrypt and nothing more: {reason}."),
    "least_privilege.hint1": N_("The default key policy delegates to IAM: an IAM policy of the user is enough."),
    "least_privilege.hint2": N_('An identity policy needs "Effect", "Action" and "Resource" (no Principal).'),
    "detach_flips.title": N_("Predict the flips"),
    "detach_flips.task": N_("Which cells of the table flip if {policy} is detached from {user}? "
                            'check([("kms-test-2", "Decrypt"), ...]); a whole row is ("kms-test-2", "*"). '
                            "The lab tries it and puts it back."),
    "detach_flips.hint1": N_("Only the user who loses the policy can change."),
    "detach_flips.hint2": N_("With the root statement, the user's access to the key comes only from its IAM policies."),
    "detach_flips.solution": N_('check([("{user}", "*")]): every action of {user}; its access came from {policy} '
                                "through the root statement."),
}


def exercise_least_privilege(lab: Lab, key: str, user: str = "kms-test-3") -> Exercise:
    """Let `user` Decrypt, and nothing more, through an IAM policy (the key policy delegates to IAM)."""
    decrypts = allowed(lab, user, "kms:Decrypt", key, otherwise=say(T["least_privilege.cannot"], user=user))
    return Exercise(
        title=say(T["least_privilege.title"]),
        task=say(T["least_privilege.task"], user=user, key=key),
        checker=goal([decrypts, denied(lab, user, "kms:Encrypt", key,
                                       otherwise=say(T["least_privilege.also_encrypt"], user=user))],
                     success=lambda: say(T["least_privilege.success"], user=user,
                                         reason=lab.request(user, "kms:Decrypt", key).reason)),
        hints=(say(T["least_privilege.hint1"]), say(T["least_privilege.hint2"]),
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
        title=say(T["detach_flips.title"]),
        task=say(T["detach_flips.task"], policy=policy, user=user),
        checker=flips_question(lab, key, lab.principals(), list(actions or STANDARD_ACTIONS),
                               change=lambda: lab.detach_policy(user, policy),
                               undo=lambda: lab.attach_policy(user, policy)),
        hints=(say(T["detach_flips.hint1"]), say(T["detach_flips.hint2"])),
        solution_text=say(T["detach_flips.solution"], user=user, policy=policy),
    )
