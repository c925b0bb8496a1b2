"""The course's lessons as code: each notebook starts its lab here and gets its exercises here.

Every lesson world is a scenario file shipped in `kmslab/scenarios/`, so what a
notebook shows can be replayed with `python -m kmslab check`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from .exercises import CheckResult, Exercise, flips_question, verdict_question
from .lab import Lab
from .runner import lab_from_scenario
from .widgets.context import RequestContextExperiment
from .widgets.experiment import KeyPolicyExperiment, has_root_statement, with_root_statement
from .widgets.playground import Playground

if TYPE_CHECKING:
    import pandas as pd

    from .lab import Outcome

ACCOUNT = "111122223333"


def scenario_path(name: str) -> Path:
    """The path of a shipped scenario file, e.g. `seed-without-root`."""
    return Path(str(resources.files("kmslab").joinpath(f"scenarios/{name}.yaml")))


def start(name: str) -> Lab:
    """A fresh lab with the world of the shipped scenario `name` (closes any earlier lab).

    moto's random ids (key ids, grant ids, access keys) are seeded from `name`, so a lesson shows
    the same ids on every run: a facilitator's screen matches the learners'.
    """
    from moto.moto_api._internal import mock_random

    mock_random.seed(f"kmslab:{name}")
    return lab_from_scenario(scenario_path(name))


def cast(lab: Lab) -> Any:
    """Who is who in the lab: each principal, its IAM policies, and whether the key policies name it."""
    import pandas as pd

    rows = []
    policies = {k: json.dumps(lab.key_policy(k)) for k in lab.key_names()}
    for arn in lab.principals():
        if ":root" in arn:
            kind, attached = "root user", "— (the root user has no IAM policies)"
        elif ":role/" in arn:
            kind, attached = "role", ", ".join(lab.attached_policies(arn)) or "none"
        else:
            kind, attached = "IAM user", ", ".join(lab.attached_policies(arn)) or "none"
        named = [k for k, text in policies.items() if f'"{arn}"' in text]
        rows.append({"principal": arn, "type": kind, "attached IAM policies": attached,
                     "named in the key policy of": ", ".join(named) or "—"})
    return pd.DataFrame(rows)


def show_error(call: Any) -> str:
    """Run a boto3 call; return AWS's answer as the AWS CLI prints it (for lessons about denials)."""
    try:
        call()
    except ClientError as exc:
        return str(exc)  # botocore words it as the AWS CLI does
    return "The call succeeded."


# ------------------------------------------------------------------ exercises, notebook 1


def exercise_root_prediction(lab: Lab, key: str) -> Exercise:
    return Exercise(
        title="Predict the root user",
        task=f'With this key policy, may the account\'s root user call Decrypt on "{key}"? '
             'Answer "allowed" or "denied": check("...").',
        checker=verdict_question(lab, "root", "kms:Decrypt", key),
        hints=("Look for a statement whose Principal is the account itself.",
               "arn:aws:iam::111122223333:root stands for the account: the root user and every IAM "
               "principal whose IAM policies allow it."),
        solution_text="Allowed when the key policy has the root statement (the default key policy has it); "
                      "denied without it: no IAM policy can stand in for the key policy.",
    )


def exercise_least_privilege(lab: Lab, key: str, user: str = "kms-test-3") -> Exercise:
    def check() -> CheckResult:
        decrypt = lab.request(user, "kms:Decrypt", key)
        encrypt = lab.request(user, "kms:Encrypt", key)
        if decrypt.decision != "allowed":
            return CheckResult(False, f"{user} still cannot Decrypt: {decrypt.reason}.")
        if encrypt.decision == "allowed":
            return CheckResult(False, f"{user} can Decrypt, but also Encrypt: allow only what is needed.")
        return CheckResult(True, f"{user} may Decrypt and nothing more: {decrypt.reason}.")

    return Exercise(
        title="Least privilege through IAM",
        task=f"Without changing the key policy, let {user} Decrypt with \"{key}\" and nothing else, "
             "using lab.put_inline_policy(...). Then call check().",
        checker=check,
        hints=("The default key policy delegates to IAM: an IAM policy of the user is enough.",
               'An identity policy needs "Effect", "Action" and "Resource" (no Principal).',
               f'lab.put_inline_policy("{user}", "decrypt-only", {{"Version": "2012-10-17", "Statement": '
               '[{"Effect": "Allow", "Action": "kms:...", "Resource": lab.key_arn(...)}]})'),
        solution_text=(f'lab.put_inline_policy("{user}", "decrypt-only", {{"Version": "2012-10-17", '
                       f'"Statement": [{{"Effect": "Allow", "Action": "kms:Decrypt", '
                       f'"Resource": lab.key_arn("{key}")}}]}})'),
    )


def exercise_detach_flips(lab: Lab, key: str, user: str = "kms-test-2",
                          policy: str = "AdministratorAccess", actions: Any = None) -> Exercise:
    from .engine import STANDARD_ACTIONS

    acts = list(actions or STANDARD_ACTIONS)
    return Exercise(
        title="Predict the flips",
        task=f"Which cells of the table flip if {policy} is detached from {user}? "
             'check([("kms-test-2", "Decrypt"), ...]) — the lab tries it and puts it back.',
        checker=flips_question(lab, key, lab.principals(), acts,
                               change=lambda: lab.detach_policy(user, policy),
                               undo=lambda: lab.attach_policy(user, policy)),
        hints=("Only the user who loses the policy can change.",
               "With the root statement, the user's access to the key comes only from its IAM policies."),
        solution_text=f"Every action of {user}: its access came from {policy} through the root statement.",
    )


# ------------------------------------------------------------------ exercises, notebook 2


def exercise_root_flips(experiment: KeyPolicyExperiment) -> Exercise:
    lab, key = experiment.lab, experiment.key
    original: dict[str, Any] = {}

    def change() -> None:
        original["policy"] = lab.key_policy(key)
        on = not has_root_statement(original["policy"], experiment.account)
        lab.put_key_policy(key, with_root_statement(original["policy"], experiment.account, on))

    def undo() -> None:
        lab.put_key_policy(key, original["policy"], bypass_lockout_check=True)

    return Exercise(
        title="Predict what the root statement changes",
        task="Before you click the toggle: which (principal, action) cells will flip when the root statement "
             'is added? check([("kms-test-2", "Decrypt"), ...])',
        checker=flips_question(lab, key, experiment.principals, experiment.actions, change, undo),
        hints=("Principals named in the key policy do not need the root statement.",
               "The root statement makes IAM policies count: who has an IAM policy that allows kms actions? "
               "And who is the account itself?"),
        solution_text="kms-test-2 (AdministratorAccess now counts) and the root user flip for every action; "
                      "kms-test-1 and manabusakai were allowed already.",
    )


def exercise_grant_instead(lab: Lab, key: str, user: str = "kms-test-2") -> Exercise:
    before = json.dumps(lab.key_policy(key), sort_keys=True)

    def check() -> CheckResult:
        if json.dumps(lab.key_policy(key), sort_keys=True) != before:
            return CheckResult(False, "The key policy changed: the task is to leave it as it is "
                                      "(PutKeyPolicy it back, or lab.reset the experiment).")
        outcome = lab.request(user, "kms:Decrypt", key)
        if outcome.decision != "allowed":
            return CheckResult(False, f"{user} is still denied: {outcome.reason}.")
        return CheckResult(True, f"{outcome.reason}.")

    return Exercise(
        title="Decrypt without touching the key policy",
        task=f"Without the root statement and without changing the key policy, make {user} able to Decrypt "
             f'with "{key}". Then call check().',
        checker=check,
        hints=("IAM policies cannot help here: the key policy does not allow the account.",
               "KMS has a third kind of permission besides key policies and IAM policies.",
               f'lab.create_grant("{key}", "{user}", [...]) — which operations?'),
        solution_text=f'lab.create_grant("{key}", "{user}", ["Decrypt"])',
    )


# ------------------------------------------------------------------ helpers for notebooks 3-8

# The console's "Allow use of the key" actions for a symmetric encryption key.
# https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-users
KEY_USER_ACTIONS: tuple[str, ...] = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                                     "kms:DescribeKey")


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement", [])
    return list(statements) if isinstance(statements, list) else [statements]


def add_statement(policy: dict[str, Any], statement: dict[str, Any]) -> dict[str, Any]:
    """A copy of `policy` with `statement` appended (an existing statement with the same Sid is replaced)."""
    import copy

    new = copy.deepcopy(policy)
    sid = statement.get("Sid")
    kept = [s for s in _statements(new) if sid is None or s.get("Sid") != sid]
    new["Statement"] = [*kept, copy.deepcopy(statement)]
    return new


def remove_statement(policy: dict[str, Any], sid: str) -> dict[str, Any]:
    """A copy of `policy` without the statement(s) whose Sid is `sid`."""
    import copy

    new = copy.deepcopy(policy)
    new["Statement"] = [s for s in _statements(new) if s.get("Sid") != sid]
    return new


def unique_id(lab: Lab, user: str, account: str | None = None) -> str:
    """The IAM user's unique id (AIDA...), as GetUser returns it: what a key policy keeps of a deleted user.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
    """
    return lab.admin("iam", account).get_user(UserName=user)["User"]["UserId"]


def key_policy_principals(lab: Lab, key: str) -> list[str]:
    """Every AWS principal the key policy names, in order (ARNs, account ids, or unique ids of deleted ones)."""
    found: list[str] = []
    for s in _statements(lab.key_policy(key)):
        principal = s.get("Principal")
        values = principal.get("AWS", []) if isinstance(principal, dict) else principal or []
        for value in [values] if isinstance(values, str) else values:
            if value not in found:
                found.append(value)
    return found


def outcome_line(outcome: Outcome) -> str:
    """`kms-test-2 · Decrypt · app-key: denied (AccessDeniedException)` — one request's answer on one line."""
    from .widgets.labels import principal_label

    key = f" · {outcome.key}" if outcome.key else ""
    error = f" ({outcome.error})" if outcome.error else ""
    return f"{principal_label(outcome.principal)} · {outcome.action.split(':', 1)[1]}{key}: {outcome.decision}{error}"


def workdir() -> Path:
    """A temporary directory for the files a notebook writes: one per kernel, removed when the kernel exits."""
    import atexit
    import shutil
    import tempfile

    global _WORKDIR
    if _WORKDIR is None or not _WORKDIR.is_dir():
        _WORKDIR = Path(tempfile.mkdtemp(prefix="kmslab-"))
        atexit.register(shutil.rmtree, _WORKDIR, ignore_errors=True)
    return _WORKDIR


_WORKDIR: Path | None = None


def playground(lab: Lab) -> Playground:
    """The notebook 8 playground on `lab`: editors for the key policy and IAM policies, the table, load/save."""
    return Playground(lab)


def _iam_split(arn: str) -> tuple[str, str, str]:
    """(account, user|role, name) of an IAM user or role ARN."""
    account, resource = arn.split(":")[4], arn.split(":", 5)[5]
    kind, _, rest = resource.partition("/")
    if kind not in ("user", "role"):
        raise ValueError(f"{arn} is not an IAM user or role")
    return account, kind, rest.rsplit("/", 1)[-1]


def _iam_snapshot(lab: Lab, arn: str) -> tuple[dict[str, Any], list[str]]:
    """The inline policy documents and managed policy ARNs of a user or role."""
    account, kind, name = _iam_split(arn)
    iam = lab.admin("iam", account)
    key = f"{kind.capitalize()}Name"
    inline = {}
    for pname in getattr(iam, f"list_{kind}_policies")(**{key: name})["PolicyNames"]:
        doc = getattr(iam, f"get_{kind}_policy")(**{key: name, "PolicyName": pname})["PolicyDocument"]
        inline[pname] = json.loads(doc) if isinstance(doc, str) else doc
    attached = getattr(iam, f"list_attached_{kind}_policies")(**{key: name})["AttachedPolicies"]
    managed = [p["PolicyArn"] for p in attached]
    return inline, managed


def _iam_restore(lab: Lab, arn: str, inline: dict[str, Any], managed: list[str]) -> None:
    """Put a user's or role's IAM policies back as `_iam_snapshot` found them."""
    now_inline, now_managed = _iam_snapshot(lab, arn)
    for pname in now_inline:
        if pname not in inline:
            lab.delete_inline_policy(arn, pname)
    for pname, doc in inline.items():
        lab.put_inline_policy(arn, pname, doc)
    for policy in now_managed:
        if policy not in managed:
            lab.detach_policy(arn, policy)
    for policy in managed:
        if policy not in now_managed:
            lab.attach_policy(arn, policy)


def _names_account(statement: dict[str, Any], account: str) -> bool:
    principal = statement.get("Principal")
    values = principal.get("AWS", []) if isinstance(principal, dict) else []
    values = [values] if isinstance(values, str) else values
    return any(v == account or f":{account}:" in v for v in values)


def cross_account_worlds(lab: Lab, key: str, principal: str, action: str = "kms:Encrypt") -> pd.DataFrame:
    """Build the four worlds of cross-account access in the lab and make the request in each.

    For each combination of (the key policy allows the caller's account?) x (the caller's IAM
    policy allows the action on the key?), the lab sets the key policy (PutKeyPolicy) and the
    caller's IAM policies (PutUserPolicy, DetachUserPolicy) and makes the real request with
    the key ARN. Everything is put back afterwards. Statements that name the caller's account
    or its principals are taken out of the key policy first; the caller's own inline and managed
    policies are set aside (group policies and boundaries are left as they are).
    Returns a long pandas DataFrame, one row per world.
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
    """
    import pandas as pd

    from .engine import normalize_action

    action = normalize_action(action)
    arn = lab.principal_arn(principal)
    caller_account, key_arn = arn.split(":")[4], lab.key_arn(key)
    if caller_account == key_arn.split(":")[4]:
        raise ValueError(f"{arn} is in the key's own account: pick a principal of another account")
    original = lab.key_policy(key)
    base = dict(original, Statement=[s for s in _statements(original) if not _names_account(s, caller_account)])
    actions = list(KEY_USER_ACTIONS) + ([action] if action not in KEY_USER_ACTIONS else [])
    allow_account = add_statement(base, {
        "Sid": f"Allow use of the key by account {caller_account}", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{caller_account}:root"}, "Action": actions, "Resource": "*"})
    iam_allow = {"Version": "2012-10-17", "Statement": [
        {"Sid": "UseTheKeyOfTheOtherAccount", "Effect": "Allow", "Action": action, "Resource": key_arn}]}
    inline, managed = _iam_snapshot(lab, arn)
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
                rows.append({"key policy allows the account": kp_allows, "IAM policy allows": iam_allows,
                             "decision": outcome.decision, "message": outcome.message or "",
                             "reason": outcome.reason})
    finally:
        lab.put_key_policy(key, original, bypass_lockout_check=True)
        _iam_restore(lab, arn, inline, managed)
    return pd.DataFrame(rows)


def cross_account_2x2(lab: Lab, key: str, principal: str, action: str = "kms:Encrypt") -> pd.DataFrame:
    """The 2x2 of cross-account access as a DataFrame: rows = key policy allows the caller's account?,
    columns = the caller's IAM policy allows?, cells `✔ allowed` / `✘ denied` (see cross_account_worlds)."""
    import pandas as pd

    from .widgets.labels import principal_label
    from .widgets.table import ALLOWED_TEXT, DENIED_TEXT

    arn = lab.principal_arn(principal)
    worlds = cross_account_worlds(lab, key, arn, action)
    yes_no = {True: "yes", False: "no"}
    text = {"allowed": ALLOWED_TEXT, "denied": DENIED_TEXT}
    rows = pd.Index(["yes", "no"], name=f"key policy of {key} allows account {arn.split(':')[4]}?")
    cols = pd.Index(["yes", "no"], name=f"IAM policy of {principal_label(arn)} allows {action}?")
    table = pd.DataFrame("", index=rows, columns=cols)
    for w in worlds.itertuples(index=False):
        kp, iam, decision = w[0], w[1], w[2]
        table.loc[yes_no[kp], yes_no[iam]] = text.get(decision, f"⚠ {decision}")
    return table


def context_grid(lab: Lab, key: str, principals: list[str], action: str,
                 contexts: list[dict[str, str] | None]) -> pd.DataFrame:
    """One real request per (encryption context, principal): rows are contexts, columns principals."""
    import pandas as pd

    from .widgets.labels import principal_labels
    from .widgets.table import ALLOWED_TEXT, DENIED_TEXT

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

    from .widgets.labels import principal_label

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


def _policy_unchanged(lab: Lab, key: str) -> Callable[[], bool]:
    """A function that says whether the key policy is still what it is now."""
    before = json.dumps(lab.key_policy(key), sort_keys=True)
    return lambda: json.dumps(lab.key_policy(key), sort_keys=True) == before


def _verdict(answer: Any) -> str | None:
    answer = str(answer).strip().lower()
    return answer if answer in ("allowed", "denied") else None


# ------------------------------------------------------------------ exercises, notebook 3


def exercise_predict_same_name(lab: Lab, key: str, user: str = "alice",
                               action: str = "kms:GetKeyPolicy") -> Exercise:
    """Predict whether a new user with a deleted key administrator's name gets the key back (real request)."""
    return Exercise(
        title="Predict the new user with the old name",
        task=f'The key policy of "{key}" named {user}. {user} was deleted, and a new user {user} created. May the '
             f'new {user} call {action.split(":")[1]} on "{key}"? check("allowed") or check("denied").',
        checker=verdict_question(lab, user, action, key),
        hints=("A key policy does not store a principal by its name.",
               "IAM gives every user a unique id (AIDA...), also a new user who reuses a deleted user's name."),
        solution_text=f"Denied: the key policy holds the old {user}'s unique id; the new {user} has another one.",
    )


def exercise_safety_check(lab: Lab, key: str, candidate: dict[str, Any], as_: str = "it-admin") -> Exercise:
    """Predict whether PutKeyPolicy of `candidate` passes the lockout safety check (the lab tries it)."""

    def check(answer: str) -> CheckResult:
        answer = str(answer).strip().lower()
        if answer not in ("accepted", "refused"):
            return CheckResult(False, 'Answer with "accepted" or "refused".')
        original = lab.key_policy(key)
        try:
            lab.put_key_policy(key, candidate, as_=as_)
            actual, why = "accepted", "AWS accepted it"
            lab.put_key_policy(key, original, bypass_lockout_check=True)  # the lab puts the old policy back
        except ClientError as exc:
            error = exc.response["Error"]
            actual, why = "refused", f"{error['Code']}: {error['Message']}"
        if answer == actual:
            return CheckResult(True, f"{actual.capitalize()}: {why}")
        return CheckResult(False, f"Not what AWS answered. Would {as_} still be allowed PutKeyPolicy "
                                  "under the new policy?")

    return Exercise(
        title="Will the safety check let it through?",
        task=f'{as_} calls PutKeyPolicy on "{key}" with the policy `candidate` (no bypass). Will AWS accept it '
             'or refuse it? check("accepted") or check("refused") — the lab tries it and puts the policy back.',
        checker=check,
        hints=("The lockout safety check asks one question: could the caller call PutKeyPolicy again "
               "under the new policy?",
               f"{as_} gets its permissions from AdministratorAccess, an IAM policy. Does the candidate still "
               "let IAM policies count?"),
        solution_text="Refused when the candidate drops the root statement (it-admin's IAM policy would no longer "
                      "count); accepted when the candidate keeps it or names it-admin directly.",
    )


def exercise_survives_deletion(lab: Lab, admin: str = "carol", rescuer: str = "it-admin") -> Exercise:
    """Write a key policy that keeps the key manageable after its only named administrator is deleted."""
    admin_arn = lab.principal_arn(admin)

    def check(policy: dict[str, Any] | str) -> CheckResult:
        name = next(f"exercise-key-{n}" for n in range(1, 1000) if f"exercise-key-{n}" not in lab.key_names())
        try:
            lab.create_key(name, policy=policy, created_by=admin)
        except ClientError as exc:
            error = exc.response["Error"]
            return CheckResult(False, f"AWS refused to create a key with this policy ({error['Code']}: "
                                      f"{error['Message']})")
        managed = lab.request(admin, "kms:PutKeyPolicy", name)
        if managed.decision != "allowed":
            return CheckResult(False, f"{admin} cannot manage the new key: {managed.reason}.")
        lab.delete_user(admin)
        lab.create_user(admin)  # a new user with the same name: a new unique id
        rescue = lab.request(rescuer, "kms:PutKeyPolicy", name)
        if rescue.decision != "allowed":
            return CheckResult(False, f"The lab made {name} with your policy, deleted {admin} and created "
                                      f"{admin} again: now nobody can change its key policy ({rescuer}: "
                                      f"{rescue.reason}).")
        return CheckResult(True, f"The lab made {name} with your policy and deleted {admin}: {rescuer} can "
                                 f"still change the key policy ({rescue.reason}).")

    return Exercise(
        title="A key that survives its administrator",
        task=f"Write a key policy (a dict) that makes {admin} a key administrator and keeps the key manageable "
             f"after {admin} is deleted. check(policy): the lab creates a key with it (as {admin}), "
             f"deletes {admin}, creates {admin} again and asks whether {rescuer} can still call PutKeyPolicy.",
        checker=check,
        hints=(f"{admin} has no IAM policy: the key policy must name {admin_arn} directly.",
               "Who is left when every named principal is gone? The account itself, if the key policy allows it.",
               'Two statements: the root statement ("Enable IAM User Permissions") and one naming '
               f"{admin_arn}."),
        solution_text=(
            'check({"Version": "2012-10-17", "Statement": [\n'
            '  {"Sid": "Enable IAM User Permissions", "Effect": "Allow",\n'
            f'   "Principal": {{"AWS": "arn:aws:iam::{admin_arn.split(":")[4]}:root"}}, '
            '"Action": "kms:*", "Resource": "*"},\n'
            '  {"Sid": "Allow access for Key Administrators", "Effect": "Allow",\n'
            f'   "Principal": {{"AWS": "{admin_arn}"}}, "Action": "kms:*", "Resource": "*"}}]}})'),
    )


# ------------------------------------------------------------------ exercises, notebook 4


def exercise_key_admin_decrypt(lab: Lab, key: str, principal: str = "key-admin") -> Exercise:
    """Predict whether a key administrator of the console's key policy may Decrypt."""
    return Exercise(
        title="May a key administrator decrypt?",
        task=f'{principal} is named in "Allow access for Key Administrators" and has no IAM policy. May it call '
             f'Decrypt with "{key}"? check("allowed") or check("denied").',
        checker=verdict_question(lab, principal, "kms:Decrypt", key),
        hints=("Read the action list of the key administrators' statement.",
               "kms:Create*, kms:Describe*, kms:Put*, ... — is there a cryptographic operation among them?"),
        solution_text="Denied: the key administrators' statement allows managing the key, not using it, and "
                      f"{principal} has no IAM policy that the root statement would let count.",
    )


def exercise_least_privilege_key_user(lab: Lab, key: str = "app-key", user: str = "intern",
                                      other_key: str = "other-key") -> Exercise:
    """Give a user Encrypt and Decrypt on one key through IAM alone (key policy unchanged)."""
    unchanged = _policy_unchanged(lab, key)

    def check() -> CheckResult:
        if not unchanged():
            return CheckResult(False, f"The key policy of {key} changed: do it with an IAM policy of {user}.")
        for action in ("kms:Encrypt", "kms:Decrypt"):
            o = lab.request(user, action, key)
            if o.decision != "allowed":
                return CheckResult(False, f"{user} cannot {action.split(':')[1]} with {key} yet: {o.reason}.")
        for action in ("kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"):
            o = lab.request(user, action, key)
            if o.decision == "allowed":
                return CheckResult(False, f"{user} may also {action.split(':')[1]}: a key user should not "
                                          "manage the key.")
        o = lab.request(user, "kms:Encrypt", other_key)
        if o.decision == "allowed":
            return CheckResult(False, f"{user} may also use {other_key}: name only {key} in the Resource element.")
        return CheckResult(True, f"{user} uses {key} and nothing else, through IAM alone.")

    return Exercise(
        title="A least-privilege key user through IAM",
        task=f'Without changing the key policy, let {user} Encrypt and Decrypt with "{key}" — and not manage it, '
             f'and not use "{other_key}" — with lab.put_inline_policy("{user}", ...). Then check().',
        checker=check,
        hints=("The key policy allows the account, so an IAM policy of the user counts.",
               "Resource: the key's ARN (lab.key_arn(...)), not \"*\".",
               f'lab.put_inline_policy("{user}", "use-{key}", {{"Version": "2012-10-17", "Statement": '
               '[{"Effect": "Allow", "Action": [...], "Resource": ...}]})'),
        solution_text=(f'lab.put_inline_policy("{user}", "use-{key}", {{"Version": "2012-10-17", "Statement": '
                       f'[{{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], '
                       f'"Resource": lab.key_arn("{key}")}}]}})'),
    )


def exercise_deny_deletion(lab: Lab, key: str = "app-key", user: str = "it-admin") -> Exercise:
    """Stop an administrator from scheduling the key's deletion with an explicit Deny in IAM."""
    unchanged = _policy_unchanged(lab, key)

    def check() -> CheckResult:
        if not unchanged():
            return CheckResult(False, f"The key policy of {key} changed: this time, use an IAM policy of {user}.")
        o = lab.request(user, "kms:ScheduleKeyDeletion", key)
        if o.decision == "allowed":
            return CheckResult(False, f"{user} may still schedule the deletion of {key}: {o.reason}.")
        if "with an explicit deny in an identity-based policy" not in (o.message or ""):
            return CheckResult(False, f"{user} is denied, but not by an explicit Deny in an IAM policy "
                                      f"({o.message}). Did you take away more than needed?")
        still = lab.request(user, "kms:Encrypt", key)
        if still.decision != "allowed":
            return CheckResult(False, f"{user} can no longer Encrypt either: deny only kms:ScheduleKeyDeletion.")
        return CheckResult(True, f"{o.message}")

    return Exercise(
        title="An explicit Deny in IAM",
        task=f'Without changing the key policy and without detaching AdministratorAccess, make sure {user} can '
             f'never schedule the deletion of "{key}", and may still use it. Then check().',
        checker=check,
        hints=("An explicit Deny beats every Allow, wherever it is.",
               "An IAM policy can deny a KMS key without any permission from the key policy.",
               f'lab.put_inline_policy("{user}", "no-key-deletion", {{"Version": "2012-10-17", "Statement": '
               '[{"Effect": "Deny", "Action": "kms:...", "Resource": "*"}]})'),
        solution_text=(f'lab.put_inline_policy("{user}", "no-key-deletion", {{"Version": "2012-10-17", '
                       '"Statement": [{"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}]})'),
    )


# ------------------------------------------------------------------ exercises, notebook 5


def exercise_via_service_flips(experiment: RequestContextExperiment, service: str | None = None) -> Exercise:
    """Predict which cells of a RequestContextExperiment flip when the requests come through a service."""
    lab = experiment.lab
    service = service or f"ec2.{lab.region}.amazonaws.com"

    def check(predicted: Any) -> CheckResult:
        cells = {(lab.principal_arn(p), a if a.startswith("kms:") else f"kms:{a}") for p, a in predicted}
        saved = (dict(experiment.encryption_context), experiment.via_service)
        try:
            experiment.set_context(None, None)
            before = {(o.principal, o.action): o.decision for o in experiment.outcomes}
            experiment.set_context(None, service)
            after = {(o.principal, o.action): o.decision for o in experiment.outcomes}
        finally:
            experiment.set_context(*saved)
        actual = {c for c in before if before[c] != after.get(c)}
        if cells == actual:
            return CheckResult(True, f"Exactly these {len(actual)} cells flip.")
        parts = []
        if actual - cells:
            parts.append(f"{len(actual - cells)} cell(s) that flip are missing from your answer")
        if cells - actual:
            parts.append(f"{len(cells - actual)} cell(s) in your answer do not flip")
        return CheckResult(False, "; ".join(parts) + ".")

    return Exercise(
        title="Predict kms:ViaService",
        task=f"With no encryption context: which cells flip when the requests come through {service} instead "
             'of directly? check([("ebs-operator", "Decrypt"), ...]) — the lab makes both tables and compares.',
        checker=check,
        hints=("Which statement of the key policy has a kms:ViaService condition, and for which actions?",
               "The other conditions do not look at the service."),
        solution_text="ebs-operator's Decrypt and GenerateDataKey: the statement \"Only through Amazon EC2\" "
                      "allows them only with kms:ViaService = ec2.<region>.amazonaws.com.",
    )


def exercise_context_statement(lab: Lab, key: str = "app-key", role: str = "role/batch",
                               pair: tuple[str, str] = ("project", "alpha")) -> Exercise:
    """Write a key policy statement with a kms:EncryptionContext condition."""
    k, v = pair

    def check() -> CheckResult:
        if not has_root_statement(lab.key_policy(key), lab.key_arn(key).split(":")[4]):
            return CheckResult(False, "The root statement is gone: keep it, and add a statement.")
        right = lab.request(role, "kms:Decrypt", key, encryption_context={k: v})
        if right.decision != "allowed":
            return CheckResult(False, f"{role} cannot Decrypt with {{{k}: {v}}} yet: {right.reason}.")
        for ctx in ({k: v + "-other"}, None):
            o = lab.request(role, "kms:Decrypt", key, encryption_context=ctx)
            if o.decision == "allowed":
                shown = json.dumps(ctx) if ctx else "no encryption context"
                return CheckResult(False, f"{role} may also Decrypt with {shown}: the condition is missing "
                                          "or too wide.")
        enc = lab.request(role, "kms:Encrypt", key, encryption_context={k: v})
        if enc.decision == "allowed":
            return CheckResult(False, f"{role} may also Encrypt: allow only kms:Decrypt.")
        return CheckResult(True, f"{role} may Decrypt with {{{k}: {v}}} only: {right.reason}.")

    arn = lab.principal_arn(role)
    return Exercise(
        title="A condition on the encryption context",
        task=f'Add a statement to the key policy of "{key}" so that {role} may Decrypt only when the encryption '
             f"context contains {k}={v} (use course.add_statement and lab.put_key_policy). Then check().",
        checker=check,
        hints=(f'The Principal is the role: {{"AWS": "{arn}"}}.',
               f'The condition key is "kms:EncryptionContext:{k}", with StringEquals.'),
        solution_text=(f'lab.put_key_policy("{key}", course.add_statement(lab.key_policy("{key}"), {{\n'
                       f'    "Sid": "Batch decrypts {k} {v}", "Effect": "Allow", "Principal": {{"AWS": "{arn}"}},\n'
                       f'    "Action": "kms:Decrypt", "Resource": "*",\n'
                       f'    "Condition": {{"StringEquals": {{"kms:EncryptionContext:{k}": "{v}"}}}}}}))'),
    )


def exercise_caller_account(lab: Lab, key: str = "app-key",
                            principal: str = "arn:aws:iam::444455556666:user/outsider") -> Exercise:
    """Predict kms:CallerAccount for a principal of another account with AdministratorAccess."""
    return Exercise(
        title="Principal \"*\" and kms:CallerAccount",
        task=f'The key policy allows Principal "*" to DescribeKey when kms:CallerAccount is 111122223333. May '
             f'{principal} (AdministratorAccess in its own account) call DescribeKey on "{key}"? '
             'check("allowed") or check("denied").',
        checker=verdict_question(lab, principal, "kms:DescribeKey", key),
        hints=("kms:CallerAccount is the account of the caller, not of the key.",
               "Does any statement allow account 444455556666?"),
        solution_text="Denied: its account is 444455556666, so the condition is false, and no other statement "
                      "allows that account; its IAM policy alone is not enough across accounts.",
    )


# ------------------------------------------------------------------ exercises, notebook 6


def exercise_cross_account_user(lab: Lab, key: str = "shared",
                                user: str = "arn:aws:iam::444455556666:user/intern") -> Exercise:
    """Let a user of the other account Encrypt with the key, from the right side."""
    unchanged = _policy_unchanged(lab, key)
    account = lab.principal_arn(user).split(":")[4]

    def check() -> CheckResult:
        if not unchanged():
            return CheckResult(False, f"The key policy of {key} changed: it already allows account {account}. "
                                      "The missing yes is on the other side.")
        o = lab.request(user, "kms:Encrypt", key)
        if o.decision != "allowed":
            return CheckResult(False, f"Still denied: {o.reason}.")
        return CheckResult(True, f"{o.reason}.")

    return Exercise(
        title="The second yes",
        task=f'Without changing the key policy of "{key}", let {user} Encrypt with it. Then check().',
        checker=check,
        hints=(f"The key policy already allows account {account}. Who else must say yes?",
               f"An IAM policy in account {account}: lab.put_inline_policy(user ARN, name, document).",
               "Resource: the key ARN (lab.key_arn(...))."),
        solution_text=(f'lab.put_inline_policy("{user}", "use-{key}", {{"Version": "2012-10-17", "Statement": '
                       f'[{{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": lab.key_arn("{key}")}}]}})'),
    )


def exercise_foreign_root(lab: Lab, key: str = "shared", account: str = "444455556666") -> Exercise:
    """Predict whether the other account's root user needs an IAM policy."""
    return Exercise(
        title="The other account's root user",
        task=f'The key policy of "{key}" allows account {account}. Its root user has no IAM policy (it cannot '
             'have one). May it Encrypt with the key? check("allowed") or check("denied").',
        checker=verdict_question(lab, f"arn:aws:iam::{account}:root", "kms:Encrypt", key),
        hints=("Cross-account access needs the key policy and the caller's own account to say yes.",
               "In its own account, the root user has every permission."),
        solution_text="Allowed: the key policy allows its account, and its own account allows the root user "
                      "everything.",
    )


def exercise_key_reference(lab: Lab, key: str = "shared",
                           principal: str = "arn:aws:iam::444455556666:user/dev") -> Exercise:
    """Which ways of naming a key work from another account (the lab tries each)."""
    refs = ("arn", "id", "alias", "alias_arn")

    def check(answer: Any) -> CheckResult:
        given = {str(a).strip().lower() for a in answer}
        unknown = given - set(refs)
        if unknown:
            return CheckResult(False, f"Use the names {', '.join(refs)} (not {', '.join(sorted(unknown))}).")
        works = {r for r in refs if lab.request(principal, "kms:Encrypt", key, key_ref=r).decision == "allowed"}
        if given == works:
            return CheckResult(True, f"Exactly these work: {', '.join(sorted(works))}.")
        return CheckResult(False, f"{len(works ^ given)} of the four answers differ from what the lab saw.")

    return Exercise(
        title="How to name a key of another account",
        task=f'{principal} may Encrypt with "{key}". Which ways of naming the key work in the request? '
             f'check({{"arn", ...}}) with any of {", ".join(refs)} — the lab tries all four.',
        checker=check,
        hints=("A key id or an alias name is looked up in the caller's own account and Region.",
               "Which two forms contain the account id?"),
        solution_text='{"arn", "alias_arn"}: the key ARN or the alias ARN. The key id and the alias name answer '
                      "NotFoundException.",
    )


# ------------------------------------------------------------------ exercises, notebook 7


def exercise_grant_with_constraint(lab: Lab, key: str = "app-key", grantee: str = "batch",
                                   pair: tuple[str, str] = ("project", "alpha"),
                                   creator: str = "key-admin") -> Exercise:
    """Create (as the key administrator) a grant with an encryption context constraint."""
    unchanged = _policy_unchanged(lab, key)
    k, v = pair

    def check() -> CheckResult:
        if not unchanged():
            return CheckResult(False, f"The key policy of {key} changed: use a grant instead.")
        if lab.attached_policies(grantee) or _iam_snapshot(lab, lab.principal_arn(grantee))[0]:
            return CheckResult(False, f"{grantee} has an IAM policy now: remove it, and use a grant.")
        for action in ("kms:Decrypt", "kms:GenerateDataKey"):
            o = lab.request(grantee, action, key, encryption_context={k: v})
            if o.decision != "allowed":
                return CheckResult(False, f"{grantee} cannot {action.split(':')[1]} with {{{k}: {v}}}: {o.reason}.")
        for ctx in ({k: v + "-other"}, None):
            o = lab.request(grantee, "kms:Decrypt", key, encryption_context=ctx)
            if o.decision == "allowed":
                return CheckResult(False, f"{grantee} may also Decrypt with "
                                          f"{json.dumps(ctx) if ctx else 'no encryption context'}: add a constraint.")
        o = lab.request(grantee, "kms:Encrypt", key, encryption_context={k: v})
        if o.decision == "allowed":
            return CheckResult(False, f"{grantee} may also Encrypt: list only the operations it needs.")
        return CheckResult(True, f"{grantee} may Decrypt and GenerateDataKey with {{{k}: {v}}}, nothing more.")

    return Exercise(
        title="A grant with an encryption context constraint",
        task=f'As {creator} (a real CreateGrant), give {grantee} a grant on "{key}" for Decrypt and GenerateDataKey, '
             f"only when the encryption context contains {k}={v}. Then check().",
        checker=check,
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

    def check(answer: str) -> CheckResult:
        verdict = _verdict(answer)
        if verdict is None:
            return CheckResult(False, 'Answer with "allowed" or "denied".')
        o = lab.request(principal, action, key, encryption_context=context)
        if o.decision == verdict:
            return CheckResult(True, f"The lab agrees: {o.reason}.")
        return CheckResult(False, "The lab answers differently. Compare the request's encryption context with the "
                                  "grant's constraint, pair by pair.")

    return Exercise(
        title="Predict the constraint",
        task=f'May {principal} call {action.split(":")[1]} on "{key}" with the encryption context '
             f'{json.dumps(context)}? check("allowed") or check("denied").',
        checker=check,
        hints=("EncryptionContextSubset: the request must contain these pairs, and may contain more.",
               "EncryptionContextEquals: the request must contain exactly these pairs, no more, no fewer."),
        solution_text="Look at the principal's grant: with EncryptionContextEquals an extra pair is denied, with "
                      "EncryptionContextSubset it is allowed.",
    )


# ------------------------------------------------------------------ exercises, notebook 8


def exercise_playground_goal(lab: Lab, key: str = "demo", user: str = "kms-test-2") -> Exercise:
    """In the playground: let a user Decrypt (not Encrypt) without the root statement."""
    account = lab.key_arn(key).split(":")[4]

    def check() -> CheckResult:
        if has_root_statement(lab.key_policy(key), account):
            return CheckResult(False, "The key policy allows the account now: do it without the root statement.")
        o = lab.request(user, "kms:Decrypt", key)
        if o.decision != "allowed":
            return CheckResult(False, f"{user} cannot Decrypt yet: {o.reason}.")
        if lab.request(user, "kms:Encrypt", key).decision == "allowed":
            return CheckResult(False, f"{user} may also Encrypt: allow only kms:Decrypt.")
        return CheckResult(True, f"{o.reason}.")

    return Exercise(
        title="Decrypt only, without the root statement",
        task=f'In the playground, let {user} Decrypt with "{key}" but not Encrypt, and keep the key policy free of '
             "the root statement. Then check().",
        checker=check,
        hints=(f"Without the root statement, {user}'s IAM policies have no effect: the key policy must name it.",
               f'Add a statement with "Principal": {{"AWS": "{lab.principal_arn(user)}"}} and "Action": '
               '"kms:Decrypt" in the key policy editor, then Apply.'),
        solution_text=(f'A statement {{"Sid": "Decrypt for {user}", "Effect": "Allow", "Principal": {{"AWS": '
                       f'"{lab.principal_arn(user)}"}}, "Action": "kms:Decrypt", "Resource": "*"}} in the key '
                       "policy (or a grant for Decrypt)."),
    )


def exercise_deny_everyone_flips(lab: Lab, key: str = "demo", action: str = "kms:Decrypt") -> Exercise:
    """Predict which cells flip when the key policy denies an action to Principal "*"."""
    deny = {"Sid": "Nobody decrypts", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": action,
            "Resource": "*"}
    original: dict[str, Any] = {}

    def change() -> None:
        original["policy"] = lab.key_policy(key)
        lab.put_key_policy(key, add_statement(original["policy"], deny), bypass_lockout_check=True)

    def undo() -> None:
        lab.put_key_policy(key, original["policy"], bypass_lockout_check=True)

    from .engine import STANDARD_ACTIONS

    return Exercise(
        title="Predict a Deny for everyone",
        task=f'Which cells flip if the key policy of "{key}" gets the statement {json.dumps(deny)}? '
             'check([("kms-test-1", "Decrypt"), ...]) — the lab tries it and puts the policy back.',
        checker=flips_question(lab, key, lab.principals(), list(STANDARD_ACTIONS), change, undo),
        hints=("An explicit Deny only turns allowed cells into denied ones.",
               f"Only the {action.split(':')[1]} column can change: who may {action.split(':')[1]} now?"),
        solution_text=f"Every cell of the {action.split(':')[1]} column that is allowed now.",
    )
