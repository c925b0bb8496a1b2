"""The central experiment: toggle the root statement and IAM attachments, watch who may use the key.

The widgets only present and forward: every change is a real change in the lab
(PutKeyPolicy, AttachUserPolicy), and every table is a fresh set of real requests.
Beside the table a words line says which call was made, which cells flipped, or, when
none did, why (the engine's reason). With "Predict first" on, a click on a control only
*stages* its change: the learner marks the cells they expect to flip, and Check makes the
change and scores the prediction on the table.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import ipywidgets as w
from botocore.exceptions import ClientError

from ..engine import STANDARD_ACTIONS
from ..engine.policy import (
    account_statement,  # noqa: F401 - re-exported: the engine knows what a root statement is
    statement_list,
)
from ..engine.policy import has_account_statement as has_root_statement
from ..engine.policy import is_account_statement as _is_account_statement
from ..engine.policy import with_account_statement as with_root_statement
from ..lab import Lab, Outcome
from . import snapshot, words
from .base import LiveWidget, cell_pickers
from .explain import policy_html
from .labels import principal_labels, slug
from .predict import Pair, PredictionGrid, PredictionResult, expand_cells
from .table import access_table_html, flipped


def aws_error_html(exc: ClientError) -> str:
    """AWS's error as the CLI prints it (botocore's wording), and one line of what it means, for showing inline."""
    error = exc.response.get("Error", {})
    meaning = words.aws_error_meaning(error.get("Code"), error.get("Message"))
    return (f'<div class="kmslab-error" style="color:#5a2000;background:#fbdcc8;padding:4px 8px;'
            f'border-left:4px solid #d55e00;overflow-wrap:anywhere">⚠ {html.escape(str(exc))}<br>'
            f'<span class="kmslab-error-meaning">→ {html.escape(meaning)}</span></div>')


@dataclass(frozen=True)
class RootChange:
    """The root statement added to the key policy (`on`) or removed from it."""

    on: bool
    kind: Literal["root"] = "root"
    user: None = None  # no principal and no policy: a key policy change touches every row
    policy: None = None


@dataclass(frozen=True)
class AttachChange:
    """The managed policy `policy` attached to the principal `user` (an ARN) (`on`) or detached from it."""

    on: bool
    user: str
    policy: str
    kind: Literal["attach"] = "attach"


Change = RootChange | AttachChange  # one change the experiment can make; `kind` tells which


class KeyPolicyExperiment(LiveWidget):
    """Root-statement toggle + IAM attachment checkboxes + the live access table of one key.

    `predict=True` starts in "Predict first" mode (the learner can switch it on and off).
    """

    def __init__(self, lab: Lab, key: str, *, principals: Sequence[str] | None = None,
                 actions: Sequence[str] = STANDARD_ACTIONS, attachable: Iterable[str] = ("AdministratorAccess",),
                 users: Sequence[str] | None = None, predict: bool = False) -> None:
        self._claim(lab, key)  # re-running the cell: no stacked observers, no stale widgets
        self.lab, self.key, self.actions = lab, key, list(actions)
        self.account = lab.key_arn(key).split(":")[4]
        self.principals = [lab.principal_arn(p) for p in principals] if principals is not None else lab.principals()
        self.labels = principal_labels(self.principals)
        self.users = ([lab.principal_arn(u) for u in users] if users is not None
                      else [p for p in self.principals if ":user/" in p])
        self.attachable = list(attachable)
        self._initial_policy = lab.key_policy(key)
        self._initial_attachments = {(u, p): p in lab.attached_policies(u) for u in self.users for p in self.attachable}
        self.previous: list[Outcome] | None = None
        self.outcomes: list[Outcome] = []
        self.staged: Change | None = None
        self.last_result: PredictionResult | None = None
        self._snap: snapshot.Snapshot | None = None
        self._predicted: set[Pair] | None = None
        self._policy_seen: tuple[object, dict[str, Any]] | None = None  # (Lab._world_mark(), the key policy)

        self.root_toggle = w.ToggleButton(value=has_root_statement(self._initial_policy, self.account),
                                          tooltip=words.say("root_toggle_tip"), layout=w.Layout(width="auto"))
        self.root_toggle.add_class("kmslab-root-toggle")
        self.attach_boxes: dict[tuple[str, str], w.Checkbox] = {}
        for (user, policy), attached in self._initial_attachments.items():
            label = self.labels.get(user, user)
            box = w.Checkbox(value=attached, description=words.say("attach_box", principal=label, policy=policy),
                             indent=False, layout=w.Layout(width="auto"))
            box.add_class("kmslab-attach")
            box.add_class(f"kmslab-attach-{slug(label)}-{slug(policy)}")
            box.observe(self._guard(functools.partial(self._on_attach, user, policy)), "value")
            self.attach_boxes[(user, policy)] = box
        self.predict_toggle = w.ToggleButton(value=predict, layout=w.Layout(width="auto"),
                                             tooltip=words.say("predict_toggle_tip"))
        self.predict_toggle.add_class("kmslab-predict-toggle")
        self.check_button = w.Button(description=words.say("check"), icon="check", button_style="primary",
                                     disabled=True, layout=w.Layout(width="auto", display="none",
                                                                    align_self="flex-start"))
        self.check_button.add_class("kmslab-check")
        self.staged_view = w.HTML()
        self.staged_view.add_class("kmslab-staged")
        self.grid = PredictionGrid()
        self.status = w.HTML()
        self.status.add_class("kmslab-status")
        self.score_view = w.HTML()
        self.score_view.add_class("kmslab-score-view")
        self.principal_select, self.action_select = cell_pickers(self.labels, self.principals, self.actions)
        self.reset_button = w.Button(description=words.say("reset"), icon="undo", tooltip=words.say("reset_tip"),
                                     layout=w.Layout(width="auto"))
        self.reset_button.add_class("kmslab-reset")
        self.table = w.HTML(layout=w.Layout(max_width="100%", overflow="auto"))
        self.table.add_class("kmslab-table")
        self.table_area = w.VBox([self.table], layout=w.Layout(max_width="100%"))
        self.explanation = w.HTML()
        self.explanation.add_class("kmslab-explanation")
        self.policy_view = w.HTML(layout=w.Layout(max_width="100%"))
        self.policy_view.add_class("kmslab-policy")
        self.errors = w.Output()
        self.errors.add_class("kmslab-errors")
        # AWS's last refusal as HTML ("" after a success); shown to the learner inside the words line.
        self.error_view = w.HTML()
        self.error_view.add_class("kmslab-error-view")

        self.root_toggle.observe(self._guard(self._on_root), "value")
        self.predict_toggle.observe(self._guard(lambda _: self._on_predict_mode()), "value")
        self.check_button.on_click(self._guard(lambda _: self._check_clicked()))
        self.principal_select.observe(self._guard(lambda _: self._show_explanation()), "value")
        self.action_select.observe(self._guard(lambda _: self._show_explanation()), "value")
        self.reset_button.on_click(self._guard(lambda _: self.reset()))
        self._label_controls()
        self._update()
        self._show_staged()
        if not predict:  # in predict mode the staged line says what to do
            idle = html.escape(words.say("status_idle"))
            self.status_html = f'<div class="kmslab-status-idle" style="color:#333">{idle}</div>'
            self.status.value = self.status_html
        self._watch()

    # -- behaviour (usable without a browser: tests and scripts call these)

    @property
    def predict_mode(self) -> bool:
        return bool(self.predict_toggle.value)

    def set_root_statement(self, on: bool) -> None:
        """Add or remove the root statement with a real PutKeyPolicy (as the key's creator).

        In predict mode, a change of the toggle only stages the change; this method always makes it.
        """
        self._unstage()
        self._apply(RootChange(on))

    def set_attached(self, user: str, policy: str, attached: bool) -> None:
        """Attach or detach a managed policy (AttachUserPolicy / DetachUserPolicy), at once."""
        self._unstage()
        self._apply(AttachChange(attached, self.lab.principal_arn(user), policy))

    def _on_root(self, change: Any) -> None:
        self._control_changed(RootChange(bool(change["new"])))

    def _on_attach(self, user: str, policy: str, change: Any) -> None:
        self._control_changed(AttachChange(bool(change["new"]), user, policy))

    def _control_changed(self, change: Change) -> None:
        if self.predict_mode:
            self._stage(change)
        else:
            self._apply(change)

    def _actual(self, change: Change) -> bool:
        """Whether the world already is as `change` would make it (the control's real state)."""
        if change.kind == "root":
            return has_root_statement(self._key_policy(), self.account)
        return change.policy in self.lab.attached_policies(change.user)

    def _set_control(self, change: Change, value: bool) -> None:
        with self._quiet():
            if change.kind == "root":
                self.root_toggle.value = value
            else:
                self.attach_boxes[(change.user, change.policy)].value = value
        self._label_controls()

    def _stage(self, change: Change) -> None:
        """Predict mode: remember the change (the control shows it), wait for the prediction and Check."""
        if self.staged is not None and (self.staged.kind, self.staged.user, self.staged.policy) != (
                change.kind, change.user, change.policy):
            self._unstage()
        if self._actual(change) == change.on:  # clicked back: nothing staged
            self._unstage()
            return
        self.staged = change
        self._set_control(change, change.on)
        self.grid.show(self.outcomes, self.labels)
        self._show_staged()

    def _unstage(self) -> None:
        if self.staged is not None:
            self._set_control(self.staged, not self.staged.on)
        self.staged = None
        self._show_staged()

    def check(self, cells: Iterable[Sequence[str]] | None = None) -> PredictionResult:
        """Make the staged change and score the prediction (the grid's marks, or `cells`)."""
        if self.staged is None:
            raise ValueError("nothing is staged: with Predict first on, click the root statement toggle or an "
                             "attachment box first")
        predicted = self.grid.marked if cells is None else expand_cells(cells, self.principals, self.actions,
                                                                        self.labels)
        change, self.staged = self.staged, None
        ok = self._apply(change, predicted=predicted)
        if not ok:
            self._show_staged()
            raise ValueError(f"AWS refused the change: {self.status_text}")
        changed = {(p, a) for p, a, _ in flipped(self.previous or [], self.outcomes)}
        self.last_result = PredictionResult(self._describe(change), frozenset(predicted), frozenset(changed),
                                            dict(self.labels), tuple(self.actions))
        self.score_view.value = self.last_result._repr_html_()
        self._show_staged()
        return self.last_result

    def _check_clicked(self) -> None:
        if self.staged is not None:
            with contextlib.suppress(ValueError):  # AWS refused: the words line says so and what to try
                self.check()

    def predict(self, cells: Iterable[Sequence[str]], *, root_statement: bool | None = None,
                attach: Sequence[str] | None = None, detach: Sequence[str] | None = None) -> PredictionResult:
        """Predict which cells flip with one change, make it, and score: e.g.
        `exp.predict([("kms-test-2", "*"), ("root", "*")], root_statement=True)`.

        `cells` are (principal, action) pairs, `"*"` for a whole row or column (see `expand_cells`);
        the change is `root_statement=True/False`, `attach=(user, policy)` or `detach=(user, policy)`.
        The result has `hits`, `missed`, `wrong`, `correct`, and shows itself in a notebook.
        """
        given = [c for c in (root_statement is not None, attach is not None, detach is not None) if c]
        if len(given) != 1:
            raise ValueError("say which change to predict: root_statement=True/False, attach=(user, policy) "
                             "or detach=(user, policy)")
        if root_statement is not None:
            change: Change = RootChange(bool(root_statement))
        else:
            user, policy = next(pair for pair in (attach, detach) if pair is not None)
            change = AttachChange(attach is not None, self.lab.principal_arn(user), policy)
            if (change.user, policy) not in self.attach_boxes:
                raise ValueError(f"this experiment attaches {', '.join(self.attachable)} to "
                                 f"{', '.join(self.labels.get(u, u) for u in self.users)}")
        cells = list(cells)
        expand_cells(cells, self.principals, self.actions, self.labels)  # a typo fails before anything changes
        self._unstage()
        if self._actual(change) == change.on:
            raise ValueError(f"no change: {self._describe(change)} is the state already")
        self._stage(change)
        return self.check(cells)

    def _describe(self, change: Change) -> str:
        if change.kind == "root":
            return words.first_upper(words.say("stage_root",
                                               what=words.say("stage_add" if change.on else "stage_remove")))
        label = self.labels.get(change.user or "", change.user)
        return words.first_upper(words.say("stage_attach" if change.on else "stage_detach", principal=label,
                                           policy=change.policy))

    def _call(self, change: Change) -> str:
        if change.kind == "root":
            return words.say("call_root", key=self.key, what=words.say("added" if change.on else "removed"))
        label = self.labels.get(change.user or "", change.user)
        return words.say("call_attach" if change.on else "call_detach", principal=label, policy=change.policy)

    def _apply(self, change: Change, predicted: set[Pair] | None = None) -> bool:
        """Make one change for real; say what it did. AWS's refusal keeps the previous state (False)."""
        call = self._call(change)
        put: dict[str, Any] | None = None  # the key policy put, as GetKeyPolicy returns it now
        try:
            with self._own_change():
                if change.kind == "root":
                    policy = with_root_statement(self._key_policy(), self.account, change.on)
                    text = json.dumps(policy)
                    self.lab.put_key_policy(self.key, text)
                    put = json.loads(text)  # KMS keeps the text as put
                    self._policy_seen = (self.lab._world_mark(), put)
                elif change.on:
                    self.lab.attach_policy(change.user, change.policy)
                else:
                    self.lab.detach_policy(change.user, change.policy)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            self.error_view.value = aws_error_html(exc)
            self._set_control(change, not change.on)  # the previous policy stays in force
            what = "key policy" if change.kind == "root" else "IAM attachment"
            self._say(call, error=(error.get("Code"), error.get("Message")),
                      note=words.say("previous_kept", what=what))
            return False
        self.error_view.value = ""
        self._set_control(change, change.on)
        self._predicted = predicted
        self._update(force=True, own=change, put=put)
        self._say(call, touched=[change.user] if change.user else list(self.principals),
                  nothing=None if change.user else self._nothing_root())
        return True

    def _key_policy(self) -> dict[str, Any]:
        """The key policy as GetKeyPolicy returns it: the one this widget last put or read, if nothing has
        changed through the lab since (`Lab._world_mark`), else read again."""
        seen = self._policy_seen
        if seen is not None and seen[0] is self.lab._world_mark():
            return seen[1]
        policy: dict[str, Any] = self.lab.key_policy(self.key)
        return policy

    def _nothing_root(self) -> str | None:
        if self._flip_cells():
            return None
        return words.say("nothing_why", why=words.say("nothing_root"))

    def _update(self, *, force: bool = False, own: Change | None = None,
                put: dict[str, Any] | None = None) -> tuple[bool, list[str], list[str]]:
        """Make every request again; redraw unless nothing at all changed (then ◆ keeps its meaning).

        `own`: the change this widget just made (only that part of the snapshot is read again; `put`, the
        key policy it has just put, is not read again). Returns (redrawn, what changed in words, principals
        whose IAM policies changed).
        """
        outcomes = self.lab.access_matrix(self.principals, self.actions, [self.key])
        if own is not None and self._snap is not None:
            snap = (snapshot.with_key_policy(self._snap, self.lab, self.key, put) if own.kind == "root"
                    else snapshot.with_attachments(self._snap, self.lab, own.user))
        else:
            mark = self.lab._world_mark()  # taken before the read: a change after it is read next time
            snap = snapshot.take(self.lab, [self.key], self.principals)
            self._policy_seen = (mark, snap.documents[self.key]) if self.key in snap.documents else None
        said, touched = snapshot.differences(self._snap, snap) if self._snap is not None else ([], [])
        if not force and self.outcomes and not said and not flipped(self.outcomes, outcomes):
            return False, said, touched
        self.previous, self.outcomes, self._snap = (self.outcomes or None), outcomes, snap
        predicted, self._predicted = self._predicted, None
        self.table.value = access_table_html(outcomes, previous=self.previous, principal_labels=self.labels,
                                             predicted=predicted)
        if predicted is None:
            self.score_view.value = ""
        policy = snap.documents.get(self.key) or self.lab.key_policy(self.key)
        root_sids = [s.get("Sid", "") for s in statement_list(policy) if _is_account_statement(s, self.account)]
        self.policy_view.value = policy_html(policy, highlight_sids=root_sids)
        self._sync_controls()
        self._show_explanation()
        return True, said, touched

    def refresh(self) -> None:
        """Make every request again and redraw the table, marking what flipped since the last drawing.

        A refresh that finds the world as it was leaves the table (and its ◆) as they are.
        """
        self._refresh_from_code()

    def _refresh_from_code(self) -> None:
        redrawn, said, touched = self._update()
        if not redrawn:
            return
        note = None
        if self.staged is not None:
            self.staged = None
            note = words.say("unstaged_by_code")
            self._sync_controls()
            self._show_staged()
        what = "; ".join(said) if said else words.say("diff_other")
        nothing = None
        if not touched and not self._flip_cells():
            nothing = words.say("nothing_why", why=words.say("nothing_code"))
        self._say(words.say("call_code", what=what), None, touched=touched, nothing=nothing, note=note)

    def _sync_controls(self) -> None:
        """The controls show the world as it is (code may have changed it), except a staged change."""
        snap = self._snap
        with self._quiet():
            if self.staged is None or self.staged.kind != "root":
                root = snap.root_statement.get(self.key) if snap is not None else None
                self.root_toggle.value = (root if root is not None else
                                          has_root_statement(self.lab.key_policy(self.key), self.account))
            for (user, policy), box in self.attach_boxes.items():
                if self.staged is None or (self.staged.user, self.staged.policy) != (user, policy):
                    attached = snap.attached.get(user) if snap is not None else None
                    box.value = policy in (attached if attached is not None else self.lab.attached_policies(user))
        self._label_controls()

    def reset(self) -> None:
        """Back to the key policy and attachments this experiment started with (a table without ◆)."""
        self.staged = None
        with self._own_change(), self._quiet(), self.lab.batch():
            self.lab.put_key_policy(self.key, self._initial_policy, bypass_lockout_check=True)
            for (user, policy), attached in self._initial_attachments.items():
                now = policy in self.lab.attached_policies(user)
                if now and not attached:
                    self.lab.detach_policy(user, policy)
                elif attached and not now:
                    self.lab.attach_policy(user, policy)
        self.outcomes, self.previous, self._snap = [], None, None
        self.score_view.value = ""
        self._update(force=True)
        self._show_staged()
        self.status_html = words.status_html(words.say("call_reset"), None)
        self.status.value = self.status_html

    # -- presentation

    def _label_controls(self) -> None:
        on = self.root_toggle.value
        state = words.say("on" if on else "off")
        if self.staged is not None and self.staged.kind == "root":
            state = f"{words.say('off' if on else 'on')} → {state} on Check"
        self.root_toggle.description = words.say("root_toggle", state=state)
        self.root_toggle.icon = "toggle-on" if on else "toggle-off"
        mode = self.predict_toggle.value
        self.predict_toggle.description = words.say("predict_toggle", state=words.say("on" if mode else "off"))
        self.predict_toggle.icon = "toggle-on" if mode else "toggle-off"

    def _on_predict_mode(self) -> None:
        if not self.predict_mode:
            self._unstage()
        self._label_controls()
        self._show_staged()

    def _show_staged(self) -> None:
        staged = self.staged is not None
        self.check_button.disabled = not staged
        self.check_button.layout.display = None if staged else "none"
        if self.staged is not None:
            self.staged_view.value = ('<div class="kmslab-staged-box" style="border:2px dashed #0072b2;'
                                      'padding:4px 8px;line-height:1.5;overflow-wrap:anywhere">'
                                      + words.say("predict_staged", change=html.escape(self._describe(self.staged)))
                                      + "</div>")
            self.table_area.children = [self.grid.box]
        else:
            self.staged_view.value = (f'<div style="color:#333;overflow-wrap:anywhere">'
                                      f'{html.escape(words.say("predict_idle"))}</div>'
                                      if self.predict_mode else "")
            self.table_area.children = [self.table]
        self._label_controls()

    @property
    def widget(self) -> w.Widget:
        toggles = w.HBox([self.root_toggle, self.predict_toggle, self.reset_button],
                         layout=w.Layout(flex_flow="row wrap"))
        attachments = w.HBox(list(self.attach_boxes.values()), layout=w.Layout(flex_flow="row wrap",
                                                                                grid_gap="0 16px"))
        controls = w.VBox([toggles, attachments], layout=w.Layout(min_width="0"))
        controls.add_class("kmslab-controls")
        policy = w.Accordion(children=[self.policy_view], titles=(words.say("policy_title", key=self.key),),
                             selected_index=0)
        policy.add_class("kmslab-policy-box")
        picker = w.HBox([self.principal_select, self.action_select], layout=w.Layout(flex_flow="row wrap"))
        box = w.VBox([
            controls, self.staged_view, self.check_button, self.errors, self.status, self.score_view,
            self.table_area, policy,
            w.HTML(f"<b>{html.escape(words.say('pg_why'))}</b> {html.escape(words.say('pick_cell'))}"), picker,
            self.explanation,
        ], layout=w.Layout(max_width="100%"))
        box.add_class("kmslab-experiment")
        return box

    def close(self) -> None:
        """Close every widget of this experiment (and so their observers); stop following the lab."""
        for widget in (self.root_toggle, *self.attach_boxes.values(), self.predict_toggle, self.check_button,
                       self.staged_view, self.status, self.score_view, self.principal_select, self.action_select,
                       self.reset_button, self.table, self.table_area, self.explanation, self.policy_view,
                       self.errors, self.error_view):
            widget.close()
        self.grid.close()
        self._release()

