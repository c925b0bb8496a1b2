"""Notebook 6, cross-account access: both sides must say yes; name the key by its ARN."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engine.policy import aws_principal_ids, statement_list
from ..engine.words import N_, _
from ..exercises import Exercise, allowed, goal, key_policy_unchanged, say, selection, verdict_question
from ..lab import Lab
from .policies import KEY_USER_ACTIONS, add_statement, iam_restore, iam_snapshot
from .setup import say as setup_say

if TYPE_CHECKING:
    import pandas as pd

T: dict[str, str] = {
    "cross_user.title": N_("The second yes"),
    "cross_user.task": N_('Without changing the key policy of "{key}", let {user} Encrypt with it. Then check().'),
    "cross_user.policy_changed": N_("The key policy of {key} changed: it already allows account {account}. The "
                                    "missing yes is on the other side."),
    "cross_user.still_denied": N_("Still denied: {reason}."),
    "cross_user.success": N_("{reason}."),
    "cross_user.hint1": N_("The key policy already allows account {account}. Who else must say yes?"),
    "cross_user.hint2": N_("An IAM policy in account {account}: lab.put_inline_policy(user ARN, name, document)."),
    "cross_user.hint3": N_("Resource: the key ARN (lab.key_arn(...))."),
    "foreign_root.title": N_("The other account's root user"),
    "foreign_root.task": N_('The key policy of "{key}" allows account {account}. Its root user has no IAM policy (it '
                            'cannot have one). May it Encrypt with the key? check("allowed") or check("denied").'),
    "foreign_root.hint1": N_("Cross-account access needs the key policy and the caller's own account to say yes."),
    "foreign_root.hint2": N_("In its own account, the root user has every permission."),
    "foreign_root.solution": N_("Allowed: the key policy allows its account, and its own account allows the root user "
                                "everything."),
    "key_reference.title": N_("How to name a key of another account"),
    "key_reference.task": N_('{principal} may Encrypt with "{key}". Which ways of naming the key work in the request? '
                             'check({{"arn", ...}}) with any of {refs}; the lab tries all four.'),
    "key_reference.noun": N_("ways of naming the key"),
    "key_reference.hint1": N_("A key id or an alias name is looked up in the caller's own account and Region."),
    "key_reference.hint2": N_("Which two forms contain the account id?"),
    "key_reference.solution": N_('check({{"arn", "alias_arn"}}): the key ARN or the alias ARN. The key id and the '
                                 "alias name answer NotFoundException."),
    # cross_account_2x2's heads and labels
    "two_by_two.rows": N_("key policy of {key} allows account {account}?"),
    "two_by_two.columns": N_("IAM policy of {principal} allows {action}?"),
    "two_by_two.yes": N_("yes"),
    "two_by_two.no": N_("no"),
    # cross_account_worlds' columns
    "worlds.key_policy": N_("key policy allows the account"),
    "worlds.iam_policy": N_("IAM policy allows"),
    "worlds.decision": N_("decision"),
    "worlds.message": N_("message"),
    "worlds.reason": N_("reason"),
}

WORLD_COLUMNS = ("key_policy", "iam_policy", "decision", "message", "reason")


def decision_word(decision: str) -> str:
    """"allowed" / "denied" / "error" in the language kmslab speaks (other values as they are)."""
    return setup_say(f"outcome.{decision}") if decision in ("allowed", "denied", "error") else decision


def _names_account(statement: dict[str, Any], account: str) -> bool:
    return any(v == account or f":{account}:" in v for v in aws_principal_ids(statement))


def cross_account_worlds(lab: Lab, key: str, principal: str, action: str = "kms:Encrypt") -> pd.DataFrame:
    """Build the four worlds of cross-account access in the lab and make the request in each.

    For each combination of (the key policy allows the caller's account?) x (the caller's IAM
    policy allows the action on the key?), the lab sets the key policy (PutKeyPolicy) and the
    caller's IAM policies (PutUserPolicy, DetachUserPolicy) and makes the real request with
    the key ARN. Everything is put back afterwards. Statements that name the caller's account
    or its principals are taken out of the key policy first; the caller's own inline and managed
    policies are set aside (group policies and boundaries are left as they are).
    Returns a long pandas DataFrame, one row per world, its column names and decisions in the language kmslab
    speaks ("message" is AWS's own words, in English; "reason" explains them).
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
    """
    import pandas as pd

    from ..engine import normalize_action

    action = normalize_action(action)
    arn = lab.principal_arn(principal)
    caller_account, key_arn = arn.split(":")[4], lab.key_arn(key)
    if caller_account == key_arn.split(":")[4]:
        raise ValueError(f"{arn} is in the key's own account: pick a principal of another account")
    original = lab.key_policy(key)
    base = dict(original, Statement=[s for s in statement_list(original) if not _names_account(s, caller_account)])
    actions = list(KEY_USER_ACTIONS) + ([action] if action not in KEY_USER_ACTIONS else [])
    allow_account = add_statement(base, {
        "Sid": f"Allow use of the key by account {caller_account}", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{caller_account}:root"}, "Action": actions, "Resource": "*"})
    iam_allow = {"Version": "2012-10-17", "Statement": [
        {"Sid": "UseTheKeyOfTheOtherAccount", "Effect": "Allow", "Action": action, "Resource": key_arn}]}
    inline, managed = iam_snapshot(lab, arn)
    rows = []
    try:
        for policy in managed:
            lab.detach_policy(arn, policy)
        for pname in inline:
            lab.delete_inline_policy(arn, pname)
        for kp_allows in (True, False):
            lab.put_key_policy(key, allow_account if kp_allows else base, bypass_lockout_check=True)
            for iam_allows in (True, False):
                if iam_allows:
                    lab.put_inline_policy(arn, "kmslab-cross-account", iam_allow)
                outcome = lab.request(arn, action, key, key_ref="arn")
                if iam_allows:
                    lab.delete_inline_policy(arn, "kmslab-cross-account")
                rows.append([kp_allows, iam_allows, decision_word(outcome.decision), outcome.message or "",
                             outcome.reason])
    finally:
        lab.put_key_policy(key, original, bypass_lockout_check=True)
        iam_restore(lab, arn, inline, managed)
    return pd.DataFrame(rows, columns=[_(T[f"worlds.{c}"]) for c in WORLD_COLUMNS])


def cross_account_2x2(lab: Lab, key: str, principal: str, action: str = "kms:Encrypt") -> pd.DataFrame:
    """The 2x2 of cross-account access as a DataFrame: rows = key policy allows the caller's account?,
    columns = the caller's IAM policy allows?, cells `✔ allowed` / `✘ denied` (see cross_account_worlds)."""
    import pandas as pd

    from ..widgets import words
    from ..widgets.labels import principal_label

    arn = lab.principal_arn(principal)
    worlds = cross_account_worlds(lab, key, arn, action)
    yes_no = {True: _(T["two_by_two.yes"]), False: _(T["two_by_two.no"])}
    text = {"allowed": words.say("cell_allowed"), "denied": words.say("cell_denied")}
    heads = [yes_no[True], yes_no[False]]
    rows = pd.Index(heads, name=_(T["two_by_two.rows"]).format(key=key, account=arn.split(":")[4]))
    cols = pd.Index(heads, name=_(T["two_by_two.columns"]).format(principal=principal_label(arn), action=action))
    table = pd.DataFrame("", index=rows, columns=cols)
    words_of = {decision_word(d): d for d in ("allowed", "denied")}
    for w in worlds.itertuples(index=False):
        kp, iam, decision = w[0], w[1], words_of.get(w[2], w[2])
        table.loc[yes_no[kp], yes_no[iam]] = text.get(decision, f"⚠ {decision}")
    return table


def exercise_cross_account_user(lab: Lab, key: str = "shared",
                                user: str = "arn:aws:iam::444455556666:user/intern") -> Exercise:
    """Let a user of the other account Encrypt with the key, from the right side."""
    account = lab.principal_arn(user).split(":")[4]
    return Exercise(
        title=say(T["cross_user.title"]),
        task=say(T["cross_user.task"], key=key, user=user),
        checker=goal([
            key_policy_unchanged(lab, key, otherwise=say(T["cross_user.policy_changed"], key=key, account=account)),
            allowed(lab, user, "kms:Encrypt", key, otherwise=say(T["cross_user.still_denied"])),
        ], success=lambda: say(T["cross_user.success"], reason=lab.request(user, "kms:Encrypt", key).reason)),
        hints=(say(T["cross_user.hint1"], account=account), say(T["cross_user.hint2"], account=account),
               say(T["cross_user.hint3"])),
        solution_text=(f'lab.put_inline_policy("{user}", "use-{key}", {{"Version": "2012-10-17", "Statement": '
                       f'[{{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": lab.key_arn("{key}")}}]}})'),
    )


def exercise_foreign_root(lab: Lab, key: str = "shared", account: str = "444455556666") -> Exercise:
    """Predict whether the other account's root user needs an IAM policy."""
    return Exercise(
        title=say(T["foreign_root.title"]),
        task=say(T["foreign_root.task"], key=key, account=account),
        checker=verdict_question(lab, f"arn:aws:iam::{account}:root", "kms:Encrypt", key),
        hints=(say(T["foreign_root.hint1"]), say(T["foreign_root.hint2"])),
        solution_text=say(T["foreign_root.solution"]),
    )


def exercise_key_reference(lab: Lab, key: str = "shared",
                           principal: str = "arn:aws:iam::444455556666:user/dev") -> Exercise:
    """Which ways of naming a key work from another account (the lab tries each)."""
    refs = ("arn", "id", "alias", "alias_arn")

    def working() -> set[str]:
        return {r for r in refs if lab.request(principal, "kms:Encrypt", key, key_ref=r).decision == "allowed"}

    return Exercise(
        title=say(T["key_reference.title"]),
        task=say(T["key_reference.task"], principal=principal, key=key, refs=", ".join(refs)),
        checker=selection(refs, working, noun=say(T["key_reference.noun"])),
        hints=(say(T["key_reference.hint1"]), say(T["key_reference.hint2"])),
        solution_text=say(T["key_reference.solution"]),
    )
