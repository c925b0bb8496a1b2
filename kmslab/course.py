"""The course's lessons as code: each notebook starts its lab here and gets its exercises here.

Every lesson world is a scenario file shipped in `kmslab/scenarios/`, so what a
notebook shows can be replayed with `python -m kmslab check`.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from .exercises import CheckResult, Exercise, flips_question, verdict_question
from .lab import Lab
from .runner import lab_from_scenario
from .widgets.experiment import KeyPolicyExperiment, has_root_statement, with_root_statement

ACCOUNT = "111122223333"


def scenario_path(name: str) -> Path:
    """The path of a shipped scenario file, e.g. `seed-without-root`."""
    return Path(str(resources.files("kmslab").joinpath(f"scenarios/{name}.yaml")))


def start(name: str) -> Lab:
    """A fresh lab with the world of the shipped scenario `name` (closes any earlier lab)."""
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
        error = exc.response["Error"]
        return (f"An error occurred ({error['Code']}) when calling the {exc.operation_name} operation: "
                f"{error['Message']}")
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
