"""Notebook 7, grants: the third kind of permission, constraints, retiring and revoking."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..engine.words import N_, _
from ..exercises import Exercise, Words, allowed, denied, goal, key_policy_unchanged, say, verdict_question
from ..lab import Lab
from .policies import has_iam_policy

if TYPE_CHECKING:
    import pandas as pd

T: dict[str, str] = {
    "grant_constraint.iam_policy": N_("{grantee} has an IAM policy now: remove it, and use a grant."),
    "grant_constraint.policy_changed": N_("The key policy of {key} changed: use a grant instead."),
    "grant_constraint.cannot": N_("{grantee} cannot {operation} with {{{k}: {v}}}: {reason}."),
    "grant_constraint.no_context": N_("no encryption context"),
    "grant_constraint.too_wide": N_("{grantee} may also Decrypt with {context}: add a constraint."),
    "grant_constraint.also_encrypt": N_("{grantee} may also Encrypt: list only the operations it needs."),
    "grant_constraint.title": N_("A grant with an encryption context constraint"),
    "grant_constraint.task": N_('As {creator} (a real CreateGrant), give {grantee} a grant on "{key}" for Decrypt and '
                                "GenerateDataKey, only when the encryption context contains {k}={v}. Then check()."),
    "grant_constraint.success": N_("{grantee} may Decrypt and GenerateDataKey with {{{k}: {v}}}, nothing more."),
    "constraint_prediction.title": N_("Predict the constraint"),
    "constraint_prediction.task": N_('May {principal} call {operation} on "{key}" with the encryption context '
                                     '{context}? check("allowed") or check("denied").'),
    "constraint_prediction.why_not": N_("Compare the request's encryption context with the grant's constraint, "
                                        "pair by pair."),
    "constraint_prediction.hint1": N_("EncryptionContextSubset: the request must contain these pairs, and may "
                                      "contain more."),
    "constraint_prediction.hint2": N_("EncryptionContextEquals: the request must contain exactly these pairs, no "
                                      "more, no fewer."),
    "constraint_prediction.solution": N_("Look at the principal's grant: with EncryptionContextEquals an extra pair "
                                         "is denied, with EncryptionContextSubset it is allowed."),
    "grant_instead.title": N_("Decrypt without touching the key policy"),
    "grant_instead.task": N_("Without the root statement and without changing the key policy, make {user} able to "
                             'Decrypt with "{key}". Then call check().'),
    "grant_instead.policy_changed": N_("The key policy changed: the task is to leave it as it is (PutKeyPolicy it "
                                       "back)."),
    "grant_instead.still_denied": N_("{user} is still denied: {reason}."),
    "grant_instead.success": N_("{reason}."),
    "grant_instead.hint1": N_("IAM policies cannot help here: the key policy does not allow the account."),
    "grant_instead.hint2": N_("KMS has a third kind of permission besides key policies and IAM policies."),
    "grant_instead.hint3": N_('lab.create_grant("{key}", "{user}", [...]): which operations?'),
    # context_grid's and grants_frame's heads
    "grid.no_context": N_("(no encryption context)"),
    "grid.index": N_("{operation} with encryption context"),
    "grants.id": N_("grant id"),
    "grants.grantee": N_("grantee principal"),
    "grants.operations": N_("operations"),
    "grants.constraints": N_("constraints"),
    "grants.retiring": N_("retiring principal"),
}


def _say(name: str, /, **values: object) -> str:
    """A template of `T` in the language kmslab speaks now (for tables, which hold plain strings)."""
    return _(T[name]).format(**values)


def context_grid(lab: Lab, key: str, principals: list[str], action: str,
                 contexts: list[dict[str, str] | None]) -> pd.DataFrame:
    """One real request per (encryption context, principal): rows are contexts, columns principals."""
    import pandas as pd

    from ..widgets import words
    from ..widgets.labels import principal_labels

    arns = [lab.principal_arn(p) for p in principals]
    labels = principal_labels(arns)
    text = {"allowed": words.say("cell_allowed"), "denied": words.say("cell_denied")}
    rows = {}
    for ctx in contexts:
        name = json.dumps(ctx) if ctx else _say("grid.no_context")
        rows[name] = {labels[a]: text.get(o.decision, f"⚠ {o.error}") for a in arns
                      for o in [lab.request(a, action, key, encryption_context=ctx or None)]}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = _say("grid.index", operation=action.split(":", 1)[-1])
    return frame


def grants_frame(lab: Lab, key: str) -> pd.DataFrame:
    """The key's grants as ListGrants returns them (read by the setup administrator), one row each."""
    import pandas as pd

    from ..widgets.labels import principal_label

    rows = []
    for g in lab.grants(key):
        constraints = g.get("Constraints") or {}
        rows.append([
            g["GrantId"], principal_label(g["GranteePrincipal"]), ", ".join(g["Operations"]),
            "; ".join(f"{k} {json.dumps(v)}" for k, v in constraints.items()) or "—",
            principal_label(g["RetiringPrincipal"]) if g.get("RetiringPrincipal") else "—",
        ])
    columns = [_say(f"grants.{c}") for c in ("id", "grantee", "operations", "constraints", "retiring")]
    return pd.DataFrame(rows, columns=columns)


def exercise_grant_with_constraint(lab: Lab, key: str = "app-key", grantee: str = "batch",
                                   pair: tuple[str, str] = ("project", "alpha"),
                                   creator: str = "key-admin") -> Exercise:
    """Create (as the key administrator) a grant with an encryption context constraint."""
    k, v = pair

    def no_iam_policy() -> Words | None:
        return say(T["grant_constraint.iam_policy"], grantee=grantee) if has_iam_policy(lab, grantee) else None

    requirements = [key_policy_unchanged(lab, key, otherwise=say(T["grant_constraint.policy_changed"], key=key)),
                    no_iam_policy]
    requirements += [allowed(lab, grantee, action, key, encryption_context={k: v},
                             otherwise=say(T["grant_constraint.cannot"], grantee=grantee, operation=action[4:],
                                           k=k, v=v))
                     for action in ("kms:Decrypt", "kms:GenerateDataKey")]
    requirements += [denied(lab, grantee, "kms:Decrypt", key, encryption_context=ctx,
                            otherwise=say(T["grant_constraint.too_wide"], grantee=grantee,
                                          context=json.dumps(ctx) if ctx else say(T["grant_constraint.no_context"])))
                     for ctx in ({k: v + "-other"}, None)]
    requirements.append(denied(lab, grantee, "kms:Encrypt", key, encryption_context={k: v},
                               otherwise=say(T["grant_constraint.also_encrypt"], grantee=grantee)))
    return Exercise(
        title=say(T["grant_constraint.title"]),
        task=say(T["grant_constraint.task"], creator=creator, grantee=grantee, key=key, k=k, v=v),
        checker=goal(requirements, success=lambda: say(T["grant_constraint.success"], grantee=grantee, k=k, v=v)),
        hints=(f'kms = lab.client("kms", as_="{creator}"); kms.create_grant(KeyId=..., GranteePrincipal=..., '
               "Operations=[...], Constraints=...)",
               f'Constraints={{"EncryptionContextSubset": {{"{k}": "{v}"}}}}'),
        solution_text=(f'lab.client("kms", as_="{creator}").create_grant(KeyId=lab.key_arn("{key}"), '
                       f'GranteePrincipal=lab.principal_arn("{grantee}"), Operations=["Decrypt", "GenerateDataKey"], '
                       f'Constraints={{"EncryptionContextSubset": {{"{k}": "{v}"}}}})'),
    )


def exercise_constraint_prediction(lab: Lab, key: str, principal: str, context: dict[str, str],
                                   action: str = "kms:Decrypt") -> Exercise:
    """Predict a request with an encryption context (the lab makes it)."""
    return Exercise(
        title=say(T["constraint_prediction.title"]),
        task=say(T["constraint_prediction.task"], principal=principal, operation=action.split(":")[1], key=key,
                 context=json.dumps(context)),
        checker=verdict_question(lab, principal, action, key, encryption_context=context,
                                 why_not=say(T["constraint_prediction.why_not"])),
        hints=(say(T["constraint_prediction.hint1"]), say(T["constraint_prediction.hint2"])),
        solution_text=say(T["constraint_prediction.solution"]),
    )


def exercise_grant_instead(lab: Lab, key: str, user: str = "kms-test-2") -> Exercise:
    """Let `user` Decrypt without touching the key policy or IAM: a grant (for the seed world, after notebook 7)."""
    return Exercise(
        title=say(T["grant_instead.title"]),
        task=say(T["grant_instead.task"], user=user, key=key),
        checker=goal([key_policy_unchanged(lab, key, otherwise=say(T["grant_instead.policy_changed"])),
                      allowed(lab, user, "kms:Decrypt", key,
                              otherwise=say(T["grant_instead.still_denied"], user=user))],
                     success=lambda: say(T["grant_instead.success"],
                                         reason=lab.request(user, "kms:Decrypt", key).reason)),
        hints=(say(T["grant_instead.hint1"]), say(T["grant_instead.hint2"]),
               say(T["grant_instead.hint3"], key=key, user=user)),
        solution_text=f'lab.create_grant("{key}", "{user}", ["Decrypt"])',
    )
