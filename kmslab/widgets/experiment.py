"""The central experiment: toggle the root statement and IAM attachments, watch who may use the key.

The widgets only present and forward: every change is a real change in the lab
(PutKeyPolicy, AttachUserPolicy), and every table is a fresh set of real requests.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable, Sequence
from typing import Any

import ipywidgets as w
from botocore.exceptions import ClientError

from ..engine import STANDARD_ACTIONS
from ..engine.policy import account_statement  # noqa: F401 - re-exported: the engine knows what a root statement is
from ..engine.policy import has_account_statement as has_root_statement
from ..engine.policy import is_account_statement as _is_account_statement  # noqa: F401 - re-exported
from ..engine.policy import with_account_statement as with_root_statement
from ..lab import Lab, Outcome
from .base import LiveWidget
from .explain import policy_html
from .labels import principal_labels, slug
from .table import access_table


def aws_error_html(exc: ClientError) -> str:
    """AWS's error as the CLI prints it (botocore's wording), for showing inline."""
    return (f'<div class="kmslab-error" style="color:#7a2c00;background:#fbdcc8;padding:4px 8px;'
            f'border-left:4px solid #d55e00">⚠ {html.escape(str(exc))}</div>')


class KeyPolicyExperiment(LiveWidget):
    """Root-statement toggle + IAM attachment checkboxes + the live access table of one key."""


    def __init__(self, lab: Lab, key: str, *, principals: Sequence[str] | None = None,
                 actions: Sequence[str] = STANDARD_ACTIONS, attachable: Iterable[str] = ("AdministratorAccess",),
                 users: Sequence[str] | None = None) -> None:
        self._claim(lab, key)  # re-running the cell: no stacked observers, no stale widgets
        self.lab, self.key, self.actions = lab, key, list(actions)
        self.account = lab.key_arn(key).split(":")[4]
        self.principals = list(principals) if principals is not None else lab.principals()
        self.labels = principal_labels(self.principals)
        self.users = list(users) if users is not None else [p for p in self.principals if ":user/" in p]
        self.attachable = list(attachable)
        self._initial_policy = lab.key_policy(key)
        self._initial_attachments = {(u, p): p in lab.attached_policies(u) for u in self.users for p in self.attachable}
        self.previous: list[Outcome] | None = None
        self.outcomes: list[Outcome] = []

        self.root_toggle = w.ToggleButton(
            value=has_root_statement(self._initial_policy, self.account),
            description="Root statement in the key policy", icon="key",
            tooltip="Add or remove the statement that allows the account (arn:aws:iam::ACCOUNT:root)",
            layout=w.Layout(width="auto"))
        self.root_toggle.add_class("kmslab-root-toggle")
        self.attach_boxes: dict[tuple[str, str], w.Checkbox] = {}
        for (user, policy), attached in self._initial_attachments.items():
            box = w.Checkbox(value=attached, description=f"{self.labels.get(user, user)}: {policy}", indent=False)
            box.add_class(f"kmslab-attach-{slug(self.labels.get(user, user))}-{slug(policy)}")
            box.observe(self._guard(functools.partial(self._on_attach, user, policy)), "value")
            self.attach_boxes[(user, policy)] = box
        self.principal_select = w.Dropdown(options=[(self.labels[p], p) for p in self.principals],
                                           description="Principal")
        self.principal_select.add_class("kmslab-principal-select")
        self.action_select = w.Dropdown(options=[(a.split(":", 1)[1], a) for a in self.actions], description="Action")
        self.action_select.add_class("kmslab-action-select")
        self.reset_button = w.Button(description="Reset this experiment", icon="undo")
        self.reset_button.add_class("kmslab-reset")
        self.table = w.HTML()
        self.table.add_class("kmslab-table")
        self.explanation = w.HTML()
        self.explanation.add_class("kmslab-explanation")
        self.policy_view = w.HTML()
        self.policy_view.add_class("kmslab-policy")
        self.errors = w.Output()
        self.errors.add_class("kmslab-errors")
        self.error_view = w.HTML()
        self.error_view.add_class("kmslab-error-view")

        self.root_toggle.observe(self._guard(self._on_root), "value")
        self.principal_select.observe(self._guard(lambda _: self._show_explanation()), "value")
        self.action_select.observe(self._guard(lambda _: self._show_explanation()), "value")
        self.reset_button.on_click(self._guard(lambda _: self.reset()))
        self.refresh()

    # -- behaviour (usable without a browser: tests and scripts call these)


    def set_root_statement(self, on: bool) -> None:
        """Add or remove the root statement with a real PutKeyPolicy (as the key's creator)."""
        if self.root_toggle.value != on:
            self.root_toggle.value = on  # the observer does the work
        else:
            self._apply_root(on)

    def _on_root(self, change: Any) -> None:
        self._apply_root(bool(change["new"]))

    def _apply_root(self, on: bool) -> None:
        policy = with_root_statement(self.lab.key_policy(self.key), self.account, on)
        try:
            self.lab.put_key_policy(self.key, policy)
        except ClientError as exc:
            self.error_view.value = aws_error_html(exc)
            with self._quiet():
                self.root_toggle.value = not on  # the previous policy stays in force
            return
        self.error_view.value = ""
        self.refresh()

    def set_attached(self, user: str, policy: str, attached: bool) -> None:
        box = self.attach_boxes[(user, policy)]
        if box.value != attached:
            box.value = attached
        else:
            self._on_attach(user, policy, {"new": attached})

    def _on_attach(self, user: str, policy: str, change: Any) -> None:
        if change["new"]:
            self.lab.attach_policy(user, policy)
        else:
            self.lab.detach_policy(user, policy)
        self.refresh()

    def refresh(self) -> None:
        """Make every request again and redraw the table, marking what flipped."""
        outcomes = self.lab.access_matrix(self.principals, self.actions, [self.key])
        self.previous, self.outcomes = (self.outcomes or None), outcomes
        self.table.value = access_table(outcomes, previous=self.previous, principal_labels=self.labels).to_html()
        policy = self.lab.key_policy(self.key)
        root_sids = [s.get("Sid", "") for s in policy["Statement"] if _is_account_statement(s, self.account)]
        self.policy_view.value = policy_html(policy, highlight_sids=root_sids)
        self._show_explanation()


    def reset(self) -> None:
        """Back to the key policy and attachments this experiment started with."""
        with self._quiet():
            self.lab.put_key_policy(self.key, self._initial_policy, bypass_lockout_check=True)
            for (user, policy), attached in self._initial_attachments.items():
                now = policy in self.lab.attached_policies(user)
                if now and not attached:
                    self.lab.detach_policy(user, policy)
                elif attached and not now:
                    self.lab.attach_policy(user, policy)
                self.attach_boxes[(user, policy)].value = attached
            self.root_toggle.value = has_root_statement(self._initial_policy, self.account)
        self.outcomes = []
        self.error_view.value = ""
        self.refresh()

    # -- presentation

    @property
    def widget(self) -> w.Widget:
        controls = w.VBox([self.root_toggle, *self.attach_boxes.values(), self.reset_button])
        controls.add_class("kmslab-controls")
        picker = w.HBox([self.principal_select, self.action_select])
        box = w.VBox([
            w.HBox([controls, self.policy_view]), self.error_view, self.errors, self.table,
            w.HTML("<b>Why?</b> Pick a principal and an action:"), picker, self.explanation,
        ])
        box.add_class("kmslab-experiment")
        return box


    def close(self) -> None:
        """Close every widget of this experiment (and so their observers)."""
        for widget in (self.root_toggle, *self.attach_boxes.values(), self.principal_select, self.action_select,
                       self.reset_button, self.table, self.explanation, self.policy_view, self.errors,
                       self.error_view):
            widget.close()
        self._release()
