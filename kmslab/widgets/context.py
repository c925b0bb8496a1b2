"""Vary the request context (encryption context, the AWS service a call comes through), watch the table.

Conditions in a key policy look at the request, not only at who makes it: the
encryption context pairs (`kms:EncryptionContext:*`) and the service the request
comes through (`kms:ViaService`). Every change of a field makes every request of
the table again, for real (`lab.request(..., encryption_context=..., via_service=...)`),
and the words line says which cells flipped. A change of the lab from code (a key
policy, an IAM policy) redraws the table too.

https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import ipywidgets as w

from ..lab import Lab, Outcome
from . import snapshot, words
from .base import FULL_LABEL, LiveWidget, cell_pickers
from .labels import principal_labels
from .table import access_table, flipped

CONTEXT_ACTIONS: tuple[str, ...] = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey")
NO_SERVICE = ""  # the dropdown's value for a request made directly, not through an AWS service


def via_service_options(region: str) -> list[tuple[str, str]]:
    """The dropdown's choices: no service, or a few services that use KMS keys, in the lab's Region."""
    services = (("Amazon EC2 (EBS volumes)", "ec2"), ("Amazon RDS", "rds"), ("Amazon S3", "s3"),
                ("AWS Secrets Manager", "secretsmanager"))
    return [(words.say("ctx_direct_option"), NO_SERVICE)] + [
        (f"{label}: {name}.{region}.amazonaws.com", f"{name}.{region}.amazonaws.com") for label, name in services]


def context_text(encryption_context: Mapping[str, str] | None, via_service: str | None) -> str:
    """One line describing a request context, e.g. `encryption context {app: billing} · not through a service`."""
    if encryption_context:
        pairs = ", ".join(f"{k}: {v}" for k, v in encryption_context.items())
        ctx = words.say("ctx_pairs", pairs=pairs)
    else:
        ctx = words.say("ctx_none")
    via = words.say("ctx_through", service=via_service) if via_service else words.say("ctx_direct")
    return f"{ctx} · {via}"


class RequestContextExperiment(LiveWidget):
    """Encryption context fields + a via-service dropdown + the live access table of one key."""


    def __init__(self, lab: Lab, key: str, principals: Sequence[str] | None = None,
                 actions: Sequence[str] = CONTEXT_ACTIONS, *, pairs: int = 2,
                 services: Sequence[tuple[str, str]] | None = None) -> None:
        self._claim(lab, key)  # re-running the cell: no stacked observers, no stale widgets
        self.lab, self.key, self.actions = lab, key, list(actions)
        names = principals if principals is not None else lab.principals()
        self.principals = [lab.principal_arn(p) for p in names]
        self.labels = principal_labels(self.principals)
        self.previous: list[Outcome] | None = None
        self.outcomes: list[Outcome] = []
        self.encryption_context: dict[str, str] = {}
        self.via_service: str | None = None

        self.key_fields: list[w.Text] = []
        self.value_fields: list[w.Text] = []
        for i in range(pairs):
            k = w.Text(style=FULL_LABEL, description=words.say("ctx_key", n=i + 1),
                       placeholder=words.say("ctx_key_example"), continuous_update=False)
            v = w.Text(style=FULL_LABEL, description=words.say("ctx_value"), placeholder=words.say("ctx_value_example"),
                       continuous_update=False)
            k.add_class(f"kmslab-context-key-{i}")
            v.add_class(f"kmslab-context-value-{i}")
            self.key_fields.append(k)
            self.value_fields.append(v)
        self.service_select = w.Dropdown(style=FULL_LABEL, options=list(services or via_service_options(lab.region)),
                                         value=NO_SERVICE, description=words.say("ctx_via"),
                                         layout=w.Layout(width="auto"))
        self.service_select.add_class("kmslab-via-service")
        self.principal_select, self.action_select = cell_pickers(self.labels, self.principals, self.actions)
        self.reset_button = w.Button(description=words.say("reset"), icon="undo",
                                     tooltip=words.say("ctx_reset_tip"),
                                     layout=w.Layout(width="auto"))
        self.reset_button.add_class("kmslab-reset")
        self.context_view = w.HTML()
        self.context_view.add_class("kmslab-request-context")
        self.table = w.HTML()
        self.table.add_class("kmslab-table")
        self.explanation = w.HTML()
        self.explanation.add_class("kmslab-explanation")
        self.errors = w.Output()
        self.errors.add_class("kmslab-errors")
        self.status = w.HTML()
        self.status.add_class("kmslab-status")
        self._snap: snapshot.Snapshot | None = None

        for field in (*self.key_fields, *self.value_fields, self.service_select):
            field.observe(self._guard(lambda _: self._read_fields()), "value")
        self.principal_select.observe(self._guard(lambda _: self._show_explanation()), "value")
        self.action_select.observe(self._guard(lambda _: self._show_explanation()), "value")
        self.reset_button.on_click(self._guard(lambda _: self.set_context(None, None)))
        self.refresh()
        self._watch()

    # -- behaviour (usable without a browser: tests and scripts call these)


    def fields_context(self) -> dict[str, str]:
        """The encryption context the fields describe; ValueError for a half-filled pair."""
        context: dict[str, str] = {}
        for k, v in zip(self.key_fields, self.value_fields, strict=True):
            key, value = k.value.strip(), v.value
            if not key and not value:
                continue
            if not key or not value:
                raise ValueError("an encryption context pair needs both a key and a value "
                                 f"(got key {key!r}, value {value!r}); the table still shows the previous context")
            if key in context:
                raise ValueError(f"the encryption context key {key!r} appears twice")
            context[key] = value
        return context

    def _read_fields(self) -> None:
        context = self.fields_context()  # raises into the Output: the table stays as it was
        self.encryption_context = context
        self.via_service = self.service_select.value or None
        self.refresh()
        self._say(words.say("call_context", context=context_text(context or None, self.via_service)), None,
                  nothing=words.say("nothing"))

    def set_context(self, encryption_context: Mapping[str, str] | None = None,
                    via_service: str | None = None) -> None:
        """Fill the fields (and the dropdown) and make every request again, once."""
        pairs = list((encryption_context or {}).items())
        if len(pairs) > len(self.key_fields):
            raise ValueError(f"this experiment has {len(self.key_fields)} encryption context pairs, "
                             f"not {len(pairs)}")
        options = {value for _, value in self.service_select.options}
        if via_service and via_service not in options:
            self.service_select.options = [*self.service_select.options, (via_service, via_service)]
        with self._quiet():
            for i, (k, v) in enumerate(zip(self.key_fields, self.value_fields, strict=True)):
                k.value, v.value = pairs[i] if i < len(pairs) else ("", "")
            self.service_select.value = via_service or NO_SERVICE
        self.errors.outputs = ()
        self._read_fields()

    def refresh(self) -> None:
        """Every principal x action again, as real requests with the current context; flips marked."""
        context, via = self.encryption_context or None, self.via_service
        outcomes = [self.lab.request(p, a, self.key, encryption_context=context, via_service=via)
                    for p in self.principals for a in self.actions]
        self.previous, self.outcomes = (self.outcomes or None), outcomes
        self._snap = snapshot.take(self.lab, [self.key], self.principals)
        self.context_view.value = (f'<div class="kmslab-context-line"><b>Request context:</b> '
                                   f"{html.escape(context_text(context, via))}</div>")
        self.table.value = access_table(outcomes, previous=self.previous, principal_labels=self.labels,
                                        title="With this request context, who may use the key").to_html()
        self._show_explanation()


    def _refresh_from_code(self) -> None:
        """The lab changed from code: the table again, and what changed in words (nothing if nothing did)."""
        before = self._snap
        snap = snapshot.take(self.lab, [self.key], self.principals)
        said, touched = snapshot.differences(before, snap) if before is not None else ([], [])
        kept = (self.previous, self.outcomes, self.table.value)
        self.refresh()
        if not said and kept[1] and not flipped(kept[1], self.outcomes):
            self.previous, self.outcomes, self.table.value = kept  # nothing changed here: ◆ keeps its meaning
            return
        self._say(words.say("call_code", what="; ".join(said) or words.say("diff_other")), None, touched=touched)

    # -- presentation

    @property
    def widget(self) -> w.Widget:
        pairs = w.VBox([w.HBox([k, v]) for k, v in zip(self.key_fields, self.value_fields, strict=True)])
        controls = w.VBox([pairs, self.service_select, self.reset_button])
        controls.add_class("kmslab-context-controls")
        box = w.VBox([
            controls, self.errors, self.context_view, self.status, self.table,
            w.HTML(f"<b>{html.escape(words.say('pg_why'))}</b> {html.escape(words.say('pick_cell'))}"),
            w.HBox([self.principal_select, self.action_select]), self.explanation,
        ])
        box.add_class("kmslab-context-experiment")
        return box


    def close(self) -> None:
        """Close every widget of this experiment (and so their observers)."""
        for widget in (*self.key_fields, *self.value_fields, self.service_select, self.principal_select,
                       self.action_select, self.reset_button, self.context_view, self.table, self.explanation,
                       self.errors, self.status):
            widget.close()
        self._release()
