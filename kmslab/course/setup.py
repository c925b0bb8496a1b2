"""What every lesson shares: starting its lab, the cast, AWS's errors, one-line answers, a scratch folder.

Every lesson world is a scenario file shipped in `kmslab/scenarios/`, so what a notebook shows
can be replayed with `python -m kmslab check`.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..engine.words import N_, _
from ..lab import Lab
from ..lab.moto_adapter import seed_ids
from ..runner import lab_from_scenario

if TYPE_CHECKING:
    import pandas as pd

    from ..lab import Outcome
    from ..widgets.playground import Playground

ACCOUNT = "111122223333"

# The words of the shared helpers' tables and lines (translated by the active catalog when rendered).
T: dict[str, str] = {
    "cast.principal": N_("principal"),
    "cast.type": N_("type"),
    "cast.attached": N_("attached IAM policies"),
    "cast.named": N_("named in the key policy of"),
    "cast.root_user": N_("root user"),
    "cast.role": N_("role"),
    "cast.iam_user": N_("IAM user"),
    "cast.root_has_none": N_("— (the root user has no IAM policies)"),
    "cast.none": N_("none"),
    "show_error.succeeded": N_("The call succeeded."),
    # outcome_line's verdicts
    "outcome.allowed": N_("allowed"),
    "outcome.denied": N_("denied"),
    "outcome.error": N_("error"),
    # events' columns
    "events.principal": N_("principal"),
    "events.action": N_("action"),
    "events.outcome": N_("outcome"),
    "events.reason": N_("reason"),
}


def say(name: str, /, **values: object) -> str:
    """One of `T`'s templates, translated by the active catalog and filled in."""
    return _(T[name]).format(**values)


def scenario_path(name: str) -> Path:
    """The path of a shipped scenario file, e.g. `seed-without-root`."""
    return Path(str(resources.files("kmslab").joinpath(f"scenarios/{name}.yaml")))


def start(name: str) -> Lab:
    """A fresh lab with the world of the shipped scenario `name` (closes any earlier lab).

    moto's random ids (key ids, grant ids, access keys) are seeded from `name`, so a lesson shows
    the same ids on every run: a facilitator's screen matches the learners'.
    """
    seed_ids(f"kmslab:{name}")
    return lab_from_scenario(scenario_path(name))


def cast(lab: Lab) -> pd.DataFrame:
    """Who is who in the lab: each principal, its IAM policies, and whether the key policies name it."""
    import pandas as pd

    rows = []
    policies = {k: json.dumps(lab.key_policy(k)) for k in lab.key_names()}
    for arn in lab.principals():
        if ":root" in arn:
            kind, attached = say("cast.root_user"), say("cast.root_has_none")
        else:
            kind = say("cast.role") if ":role/" in arn else say("cast.iam_user")
            attached = ", ".join(lab.attached_policies(arn)) or say("cast.none")
        named = [k for k, text in policies.items() if f'"{arn}"' in text]
        rows.append([arn, kind, attached, ", ".join(named) or "—"])
    columns = [say(f"cast.{c}") for c in ("principal", "type", "attached", "named")]
    return pd.DataFrame(rows, columns=columns)


def show_error(call: Any) -> str:
    """Run a boto3 call; return AWS's answer as the AWS CLI prints it (for lessons about denials)."""
    try:
        call()
    except ClientError as exc:
        return str(exc)  # botocore words it as the AWS CLI does
    return say("show_error.succeeded")


def outcome_line(outcome: Outcome) -> str:
    """`kms-test-2 · Decrypt · app-key: denied (AccessDeniedException)` — one request's answer on one line."""
    from ..widgets.labels import principal_label

    key = f" · {outcome.key}" if outcome.key else ""
    error = f" ({outcome.error})" if outcome.error else ""
    verdict = say(f"outcome.{outcome.decision}")
    return f"{principal_label(outcome.principal)} · {outcome.action.split(':', 1)[1]}{key}: {verdict}{error}"


def events(lab: Lab, last: int = 5) -> Any:
    """The last requests of the lab's CloudTrail-like log, as a table whose reasons are readable in full
    (its column names and outcomes in the language kmslab speaks)."""
    from ..widgets.labels import principal_label

    columns = ["principal", "action", "outcome", "reason"]
    frame = lab.events().tail(last)[columns].copy()
    frame["principal"] = frame["principal"].map(principal_label)
    frame["outcome"] = frame["outcome"].map(lambda o: say(f"outcome.{o}") if f"outcome.{o}" in T else o)
    frame.columns = [say(f"events.{c}") for c in columns]
    return frame.style.hide(axis="index").set_table_attributes('class="kmslab-events"').set_properties(
        subset=[say("events.reason")], **{"white-space": "normal", "text-align": "left", "min-width": "24em"})


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
    from ..widgets.playground import Playground

    return Playground(lab)
