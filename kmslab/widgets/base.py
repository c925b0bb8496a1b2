"""What the course's interactive widgets share: one live instance per lab and key, and guarded callbacks.

A callback's exception is shown in the widget's Output (JupyterLab shows nothing otherwise), and
re-running a notebook cell closes the widgets the previous run made, so observers never pile up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import ipywidgets as w

from ..lab.outcome import Outcome
from .explain import explain_html
from .table import flipped


class LiveWidget:
    """Base of the experiments: subclasses set `errors` (an Output) and provide `widget` and `close()`."""

    _open: ClassVar[dict[tuple[type, int, str], LiveWidget]] = {}
    errors: w.Output
    _busy: bool = False
    lab: Any
    outcomes: list[Outcome]
    previous: list[Outcome] | None
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

    @classmethod
    def live(cls, lab: Any, key: str) -> LiveWidget | None:
        """The instance currently shown for this lab and key, if any."""
        return LiveWidget._open.get((cls, id(lab), key))

    def _guard(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        """Run a callback so that any error shows in the Output widget, never lost."""
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
