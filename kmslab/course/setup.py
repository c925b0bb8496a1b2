"""What every lesson shares: starting its lab, the cast, AWS's errors, one-line answers, a scratch folder.

Every lesson world is a scenario file shipped in `kmslab/scenarios/`, so what a notebook shows
can be replayed with `python -m kmslab check`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..engine.words import N_, _
from ..lab import Lab
from ..lab.moto_adapter import seed_ids
from ..runner import lab_from_scenario
from ..text_width import columns

if TYPE_CHECKING:
    import pandas as pd
    from pandas.io.formats.style import Styler

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
    # readable's words for True / False
    "table.yes": N_("yes"),
    "table.no": N_("no"),
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


def cast(lab: Lab) -> Styler:
    """Who is who in the lab: each principal, its IAM policies, and whether the key policies name it
    (a table to read, see `readable`; its DataFrame is `.data`)."""
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
    return readable(pd.DataFrame(rows, columns=columns), wide=[columns[2]], min_width="12em")


WIDE = 40  # characters: a column with a longer text wraps; the others keep each cell on one line


def readable(frame: pd.DataFrame, *, wide: Sequence[str] | None = None, min_width: str = "18em",
             css_class: str = "") -> Styler:
    """`frame` as a table to read whole: no row numbers, text left-aligned (pandas right-aligns it), True and
    False as yes and no in the language kmslab speaks, every cell of a short column on one line (Japanese
    would break anywhere: 種|類, 拒|否) and the `wide` columns (by default those with a text longer than
    `WIDE` characters) wrapping at no less than `min_width`. Cell text is HTML-escaped."""
    if wide is None:
        wide = [c for c in frame.columns if max((len(str(v)) for v in frame[c]), default=0) > WIDE]
    short = [c for c in frame.columns if c not in wide]
    yes_no = {True: say("table.yes"), False: say("table.no")}
    shown = frame.map(lambda v: yes_no[v] if isinstance(v, bool) else str(v))
    style = (frame.style.hide(axis="index")
             .format(lambda v: yes_no[v] if isinstance(v, bool) else v, escape="html")
             .set_properties(**{"text-align": "left", "vertical-align": "top"})
             .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}]))
    if short:
        style = style.set_properties(subset=short, **{"white-space": "nowrap"})
        # a head no wider than its column's cells stays whole too (種類); a longer one wraps, in lines of at
        # least 6em (beside "yes" cells, キーポリシーがアカウントを許可 went down in lines of two characters)
        heads = {c: [{"selector": "th", "props": [("white-space", "nowrap")]
                      if columns(str(c)) <= max((columns(v) for v in shown[c]), default=0)
                      else [("min-width", "6em")]}] for c in short}
        style = style.set_table_styles(heads, overwrite=False)
    if wide:
        style = style.set_properties(subset=list(wide), **{"white-space": "normal", "min-width": min_width})
    return style.set_table_attributes(f'class="{css_class}"') if css_class else style


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


def events(lab: Lab, last: int = 5) -> Styler:
    """The last requests of the lab's CloudTrail-like log, as a table whose reasons are readable in full
    (its column names and outcomes in the language kmslab speaks)."""
    from ..widgets.labels import principal_label

    columns = ["principal", "action", "outcome", "reason"]
    frame = lab.events().tail(last)[columns].copy()
    frame["principal"] = frame["principal"].map(principal_label)
    frame["outcome"] = frame["outcome"].map(lambda o: say(f"outcome.{o}") if f"outcome.{o}" in T else o)
    frame.columns = [say(f"events.{c}") for c in columns]
    return readable(frame, wide=[say("events.reason")], min_width="24em", css_class="kmslab-events")


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
