"""What the course's interactive widgets share: one live instance per lab and key, guarded callbacks,
a words line after every change, and a table that follows changes made from code.

A callback's exception is shown in the widget's Output (JupyterLab shows nothing otherwise), and
re-running a notebook cell closes the widgets the previous run made, so observers never pile up.
A widget listens to its lab (`Lab.on_change`): when code elsewhere changes the world, the table
is drawn again (once, after the running cell), ◆ marks what that change flipped, and the words
line says what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import ipywidgets as w

from ..lab.outcome import Outcome
from . import live, words
from .explain import explain_html
from .labels import action_label, principal_labels
from .table import flip_symbol, flipped

# A description as wide as its words (ipywidgets cuts descriptions at 80 px by default: "Context ke…").
FULL_LABEL = {"description_width": "initial"}


def cell_pickers(labels: dict[str, str], principals: list[str], actions: list[str]) -> tuple[w.Dropdown, w.Dropdown]:
    """The principal and action dropdowns that pick a table cell to explain ("Why?")."""
    principal = w.Dropdown(style=FULL_LABEL, options=[(labels[p], p) for p in principals],
                           description=words.say("pg_principal"))
    principal.add_class("kmslab-principal-select")
    action = w.Dropdown(style=FULL_LABEL, options=[(a.split(":", 1)[1], a) for a in actions],
                        description=words.say("pg_action"))
    action.add_class("kmslab-action-select")
    return principal, action


class LiveWidget:
    """Base of the experiments: subclasses set `errors` (an Output) and provide `widget` and `close()`."""

    _open: ClassVar[dict[tuple[type, int, str], LiveWidget]] = {}
    errors: w.Output
    _busy: bool = False
    _acting: int = 0
    _unsubscribe: Callable[[], None] | None = None
    status_html: str = ""
    lab: Any
    outcomes: list[Outcome]
    previous: list[Outcome] | None
    status: w.HTML
    principal_select: w.Dropdown
    action_select: w.Dropdown
    explanation: w.HTML

    def _claim(self, lab: Any, key: str) -> None:
        """Close the widget the previous run of this cell made for the same lab and key."""
        slot = (type(self), id(lab), key)
        previous = LiveWidget._open.get(slot)
        if previous is not None:
            previous.close()
        LiveWidget._open[slot] = self
        self._slot = slot

    def _release(self) -> None:
        if LiveWidget._open.get(self._slot) is self:
            del LiveWidget._open[self._slot]
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        live.cancel(self)

    # -- following the lab

    def _watch(self) -> None:
        """Redraw when the lab changes from elsewhere (code in a cell, another widget)."""
        self._unsubscribe = self.lab.on_change(self._on_lab_change)

    def _on_lab_change(self) -> None:
        if self._acting:
            return  # our own change: the widget redraws itself and says what it did
        redraw = self._guard(lambda _: self._refresh_from_code())
        live.soon(self, lambda: redraw(None))

    @contextmanager
    def _own_change(self) -> Iterator[None]:
        """Changes made by this widget itself (it reports them; no redraw 'from code')."""
        self._acting += 1
        try:
            yield
        finally:
            self._acting -= 1

    def _refresh_from_code(self) -> None:
        raise NotImplementedError

    # -- the words line

    def _flip_cells(self) -> list[tuple[str, str, str, str]]:
        """(principal label, action, before, after) of the cells the last change flipped, in table order."""
        if not self.previous:
            return []
        labels = principal_labels(o.principal for o in self.outcomes)
        before = {(o.principal, o.action, o.key): o for o in self.previous}
        out = []
        for o in self.outcomes:
            old = before.get((o.principal, o.action, o.key))
            if old is not None and flip_symbol(old) != flip_symbol(o):
                out.append((labels[o.principal], action_label(o.action), flip_symbol(old), flip_symbol(o)))
        return out

    def _reasons(self, principals: list[str]) -> dict[str, list[str]]:
        """The engine's reasons for the cells of the first of `principals` (why a change did nothing)."""
        labels = principal_labels(o.principal for o in self.outcomes)
        for arn in principals:
            reasons = [o.reason for o in self.outcomes if o.principal == arn]
            if reasons:
                return {labels[arn]: reasons}
        return {}

    def _say(self, call: str, ok: bool | None = True, *, touched: list[str] | None = None,
             nothing: str | None = None, error: tuple[str | None, str | None] | None = None,
             note: str | None = None) -> None:
        """Write the words line: the call, then the cells it flipped or why none did (or AWS's error)."""
        if error is not None:
            self.status_html = words.status_html(call, False, error=error, note=note)
        else:
            cells = self._flip_cells()
            actions = [action_label(a) for a in dict.fromkeys(o.action for o in self.outcomes)]
            if cells:
                self.status_html = words.status_html(call, ok, flips=words.flips_sentence(cells, actions), note=note)
            else:
                why = nothing or words.nothing_sentence(self._reasons(touched or []))
                self.status_html = words.status_html(call, ok, nothing=why, note=note)
        self.status.value = self.status_html

    @property
    def status_text(self) -> str:
        """The words line after the last change, as plain text."""
        return words.html_to_text(self.status_html)

    @classmethod
    def live(cls, lab: Any, key: str) -> LiveWidget | None:
        """The instance currently shown for this lab and key, if any."""
        return LiveWidget._open.get((cls, id(lab), key))

    def _guard(self, handler: Callable[[Any], object]) -> Callable[[Any], None]:
        """Run a callback so that any error shows in the Output widget, never lost (its result is dropped)."""
        def run(change: Any) -> None:
            if self._busy:
                return
            self.errors.outputs = ()
            try:
                handler(change)
            except Exception as exc:  # noqa: BLE001 - shown to the learner, not swallowed
                self.errors.append_stdout(f"{type(exc).__name__}: {exc}\n")
        return run

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Change controls from code without their observers firing."""
        self._busy = True
        try:
            yield
        finally:
            self._busy = False

    def _show_explanation(self) -> None:
        outcome = self.outcome(self.principal_select.value, self.action_select.value)
        self.explanation.value = explain_html(outcome) if outcome else ""

    def outcome(self, principal: str, action: str) -> Outcome | None:
        """The current answer for one cell of the table."""
        arn = self.lab.principal_arn(principal)
        action = action if action.startswith("kms:") else f"kms:{action}"
        return next((o for o in self.outcomes if o.principal == arn and o.action == action), None)

    def decision(self, principal: str, action: str) -> str:
        """allowed / denied / error for one cell (for tests and exercises)."""
        outcome = self.outcome(principal, action)
        return outcome.decision if outcome else "missing"

    def flipped(self) -> set[tuple[str, str, str | None]]:
        """Cells whose answer changed with the last change."""
        return flipped(self.previous, self.outcomes) if self.previous else set()

    @property
    def widget(self) -> w.Widget:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
