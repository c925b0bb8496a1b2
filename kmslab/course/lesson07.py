"""Notebook 7, grants: the third kind of permission, constraints, retiring and revoking."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..exercises import Exercise, allowed, denied, goal, key_policy_unchanged, verdict_question
from ..lab import Lab
from .policies import has_iam_policy

if TYPE_CHECKING:
    import pandas as pd


def context_grid(lab: Lab, key: str, principals: list[str], action: str,
                 contexts: list[dict[str, str] | None]) -> pd.DataFrame:
    """One real request per (encryption context, principal): rows are contexts, columns principals."""
    import pandas as pd

    from ..widgets.labels import principal_labels
    from ..widgets.table import ALLOWED_TEXT, DENIED_TEXT

    arns = [lab.principal_arn(p) for p in principals]
    labels = principal_labels(arns)
    text = {"allowed": ALLOWED_TEXT, "denied": DENIED_TEXT}
    rows = {}
    for ctx in contexts:
        name = json.dumps(ctx) if ctx else "(no encryption context)"
        rows[name] = {labels[a]: text.get(o.decision, f"⚠ {o.error}") for a in arns
                      for o in [lab.request(a, action, key, encryption_context=ctx or None)]}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = f"{action.split(':', 1)[-1]} with encryption context"
    return frame


def grants_frame(lab: Lab, key: str) -> pd.DataFrame:
    """The key's grants as ListGrants returns them (read by the setup administrator), one row each."""
    import pandas as pd

    from ..widgets.labels import principal_label

    rows = []
    for g in lab.grants(key):
        constraints = g.get("Constraints") or {}
        rows.append({
            "grant id": g["GrantId"], "grantee principal": principal_label(g["GranteePrincipal"]),
            "operations": ", ".join(g["Operations"]),
            "constraints": "; ".join(f"{k} {json.dumps(v)}" for k, v in constraints.items()) or "—",
            "retiring principal": principal_label(g["RetiringPrincipal"]) if g.get("RetiringPrincipal") else "—",
        })
    return pd.DataFrame(rows, columns=["grant id", "grantee principal", "operations", "constraints",
                                       "retiring principal"])


def exercise_grant_with_constraint(lab: Lab, key: str = "app-key", grantee: str = "batch",
                                   pair: tuple[str, str] = ("project", "alpha"),
                                   creator: str = "key-admin") -> Exercise:
    """Create (as the key administrator) a grant with an encryption context constraint."""
    k, v = pair

    def no_iam_policy() -> str | None:
        return f"{grantee} has an IAM policy now: remove it, and use a grant." if has_iam_policy(lab, grantee) else None

    requirements = [key_policy_unchanged(lab, key, otherwise=f"The key policy of {key} changed: use a grant instead."),
                    no_iam_policy]
    requirements += [allowed(lab, grantee, action, key, encryption_context={k: v},
                             otherwise=f"{grantee} cannot {action[4:]} with {{{k}: {v}}}: {{reason}}.")
                     for action in ("kms:Decrypt", "kms:GenerateDataKey")]
    requirements += [denied(lab, grantee, "kms:Decrypt", key, encryption_context=ctx,
                            otherwise=f"{grantee} may also Decrypt with "
                                      f"{json.dumps(ctx) if ctx else 'no encryption context'}: add a constraint.")
                     for ctx in ({k: v + "-other"}, None)]
    requirements.append(denied(lab, grantee, "kms:Encrypt", key, encryption_context={k: v},
                               otherwise=f"{grantee} may also Encrypt: list only the operations it needs."))
    return Exercise(
        title="A grant with an encryption context constraint",
        task=f'As {creator} (a real CreateGrant), give {grantee} a grant on "{key}" for Decrypt and GenerateDataKey, '
             f"only when the encryption context contains {k}={v}. Then check().",
        checker=goal(requirements, success=lambda: f"{grantee} may Decrypt and GenerateDataKey with {{{k}: {v}}}, "
                                                   "nothing more."),
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
        title="Predict the constraint",
        task=f'May {principal} call {action.split(":")[1]} on "{key}" with the encryption context '
             f'{json.dumps(context)}? check("allowed") or check("denied").',
        checker=verdict_question(lab, principal, action, key, encryption_context=context,
                                 why_not="Compare the request's encryption context with the grant's constraint, "
                                         "pair by pair."),
        hints=("EncryptionContextSubset: the request must contain these pairs, and may contain more.",
               "EncryptionContextEquals: the request must contain exactly these pairs, no more, no fewer."),
        solution_text="Look at the principal's grant: with EncryptionContextEquals an extra pair is denied, with "
                      "EncryptionContextSubset it is allowed.",
    )


def exercise_grant_instead(lab: Lab, key: str, user: str = "kms-test-2") -> Exercise:
    """Let `user` Decrypt without touching the key policy or IAM: a grant (for the seed world, after notebook 7)."""
    return Exercise(
        title="Decrypt without touching the key policy",
        task=f"Without the root statement and without changing the key policy, make {user} able to Decrypt "
             f'with "{key}". Then call check().',
        checker=goal([key_policy_unchanged(lab, key, otherwise="The key policy changed: the task is to leave it as "
                                                               "it is (PutKeyPolicy it back)."),
                      allowed(lab, user, "kms:Decrypt", key, otherwise=f"{user} is still denied: {{reason}}.")],
                     success=lambda: f"{lab.request(user, 'kms:Decrypt', key).reason}."),
        hints=("IAM policies cannot help here: the key policy does not allow the account.",
               "KMS has a third kind of permission besides key policies and IAM policies.",
               f'lab.create_grant("{key}", "{user}", [...]): which operations?'),
        solution_text=f'lab.create_grant("{key}", "{user}", ["Decrypt"])',
    )
