"""Notebook 5, conditions: kms:CallerAccount, kms:ViaService, the encryption context, aws:PrincipalArn."""

from __future__ import annotations

import json
from typing import Any

from ..engine.policy import has_account_statement
from ..engine.words import N_
from ..exercises import Cell, Exercise, Words, allowed, denied, expand_cells, flips, goal, say, verdict_question
from ..lab import Lab, Outcome
from ..widgets.context import RequestContextExperiment

T: dict[str, str] = {
    "via_service.title": N_("Predict kms:ViaService"),
    "via_service.task": N_("With no encryption context: which cells flip when the requests come through {service} "
                           'instead of directly? check([("ebs-operator", "Decrypt"), ...]); the lab makes both tables '
                           "and compares."),
    "via_service.hint1": N_("Which statement of the key policy has a kms:ViaService condition, and for which actions?"),
    "via_service.hint2": N_("The other conditions do not look at the service."),
    "via_service.solution": N_("ebs-operator's Decrypt and GenerateDataKey: the statement \"Only through Amazon EC2\" "
                               "allows them only with kms:ViaService = ec2.<region>.amazonaws.com."),
    "context.no_root": N_("The root statement is gone: keep it, and add a statement."),
    "context.no_context": N_("no encryption context"),
    "context.too_wide": N_("{role} may also Decrypt with {context}: the condition is missing or too wide."),
    "context.title": N_("A condition on the encryption context"),
    "context.task": N_('Add a statement to the key policy of "{key}" so that {role} may Decrypt only when the '
                       "encryption context contains {k}={v} (use `course.add_statement` and `lab.put_key_policy`). "
                       "Then check()."),
    "context.cannot": N_("{role} cannot Decrypt with {{{k}: {v}}} yet: {reason}."),
    "context.also_encrypt": N_("{role} may also Encrypt: allow only kms:Decrypt."),
    "context.success": N_("{role} may Decrypt with {{{k}: {v}}} only: {reason}."),
    "context.hint1": N_('The Principal is the role: {{"AWS": "{arn}"}}.'),
    "context.hint2": N_('The condition key is "kms:EncryptionContext:{k}", with StringEquals.'),
    "caller_account.title": N_('Principal "*" and kms:CallerAccount'),
    "caller_account.task": N_('The key policy allows Principal "*" to DescribeKey when kms:CallerAccount is '
                              "111122223333. May {principal} (AdministratorAccess in its own account) call DescribeKey "
                              'on "{key}"? check("allowed") or check("denied").'),
    "caller_account.hint1": N_("kms:CallerAccount is the account of the caller, not of the key."),
    "caller_account.hint2": N_("Does any statement allow account 444455556666?"),
    "caller_account.solution": N_("Denied: its account is 444455556666, so the condition is false, and no other "
                                  "statement allows that account; its IAM policy alone is not enough across "
                                  "accounts."),
}


def exercise_via_service_flips(experiment: RequestContextExperiment, service: str | None = None) -> Exercise:
    """Predict which cells of a RequestContextExperiment's table flip when the requests come through a service.

    The lab makes the requests itself (no encryption context; directly, then through `service`): the
    experiment's widget is never touched, so the learner's table keeps its own state.
    """
    lab, key = experiment.lab, experiment.key
    service = service or f"ec2.{lab.region}.amazonaws.com"
    through: list[str | None] = [None]

    def table() -> dict[Cell, str]:
        return {(lab.principal_arn(p), a): lab.request(p, a, key, via_service=through[0]).decision
                for p in experiment.principals for a in experiment.actions}

    return Exercise(
        title=say(T["via_service.title"]),
        task=say(T["via_service.task"], service=service),
        checker=flips(table, change=lambda: through.__setitem__(0, service), undo=lambda: through.__setitem__(0, None),
                      expand=lambda cells: expand_cells(cells, experiment.principals, experiment.actions,
                                                        lab.principal_arn)),
        hints=(say(T["via_service.hint1"]), say(T["via_service.hint2"])),
        solution_text=say(T["via_service.solution"]),
    )


def exercise_context_statement(lab: Lab, key: str = "app-key", role: str = "role/batch",
                               pair: tuple[str, str] = ("project", "alpha")) -> Exercise:
    """Write a key policy statement with a kms:EncryptionContext condition."""
    k, v = pair
    account = lab.key_arn(key).split(":")[4]

    def keeps_root() -> Words | None:
        return None if has_account_statement(lab.key_policy(key), account) else say(T["context.no_root"])

    too_wide = [denied(lab, role, "kms:Decrypt", key, encryption_context=ctx,
                       otherwise=say(T["context.too_wide"], role=role,
                                     context=json.dumps(ctx) if ctx else say(T["context.no_context"])))
                for ctx in ({k: v + "-other"}, None)]
    arn = lab.principal_arn(role)
    return Exercise(
        title=say(T["context.title"]),
        task=say(T["context.task"], key=key, role=role, k=k, v=v),
        checker=goal([keeps_root,
                      allowed(lab, role, "kms:Decrypt", key, encryption_context={k: v},
                              otherwise=say(T["context.cannot"], role=role, k=k, v=v)),
                      *too_wide,
                      denied(lab, role, "kms:Encrypt", key, encryption_context={k: v},
                             otherwise=say(T["context.also_encrypt"], role=role))],
                     success=lambda: say(T["context.success"], role=role, k=k, v=v, reason=lab.request(
                         role, "kms:Decrypt", key, encryption_context={k: v}).reason)),
        hints=(say(T["context.hint1"], arn=arn), say(T["context.hint2"], k=k)),
        solution_text=(f'lab.put_key_policy("{key}", course.add_statement(lab.key_policy("{key}"), {{\n'
                       f'    "Sid": "Batch decrypts {k} {v}", "Effect": "Allow", "Principal": {{"AWS": "{arn}"}},\n'
                       f'    "Action": "kms:Decrypt", "Resource": "*",\n'
                       f'    "Condition": {{"StringEquals": {{"kms:EncryptionContext:{k}": "{v}"}}}}}}))'),
    )


def exercise_caller_account(lab: Lab, key: str = "app-key",
                            principal: str = "arn:aws:iam::444455556666:user/outsider") -> Exercise:
    """Predict kms:CallerAccount for a principal of another account with AdministratorAccess."""
    return Exercise(
        title=say(T["caller_account.title"]),
        task=say(T["caller_account.task"], principal=principal, key=key),
        checker=verdict_question(lab, principal, "kms:DescribeKey", key),
        hints=(say(T["caller_account.hint1"]), say(T["caller_account.hint2"])),
        solution_text=say(T["caller_account.solution"]),
    )


def requests_with(lab: Lab, key: str, principals: list[str], actions: list[str] | None = None,
                  **request: Any) -> list[Outcome]:
    """Every principal x action on `key` as real requests with the same request options
    (`encryption_context=`, `via_service=`): a table of its own, the learner's widget untouched."""
    from ..widgets.context import CONTEXT_ACTIONS

    return [lab.request(p, a, key, **request) for p in principals for a in (actions or CONTEXT_ACTIONS)]
