"""Self-checking exercises: `check()`, graded `hint()`, `solution()`.

The expected answer is never stored: each checker asks the lab (real requests,
decided by the engine) and compares with what the learner did or predicted, and
says why not without giving the answer away.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CheckResult:
    """The verdict of `check()`: truthy when correct, with a sentence saying why (not)."""

    correct: bool
    feedback: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return ("✔ Correct! " if self.correct else "✘ Not yet. ") + self.feedback

    def _repr_html_(self) -> str:
        colour, accent = ("#d6e9f8", "#0072b2") if self.correct else ("#fbdcc8", "#d55e00")
        return (
            f'<div class="kmslab-check" style="background:{colour};border-left:4px solid {accent};'
            f'padding:6px 10px">{html.escape(str(self))}</div>'
        )


@dataclass
class Exercise:
    """One task with a checker computed from the lab, graded hints and a solution."""

    title: str
    task: str
    checker: Callable[..., CheckResult]
    hints: tuple[str, ...]
    solution_text: str
    _hints_given: int = field(default=0, repr=False)

    def check(self, *args: Any, **kwargs: Any) -> CheckResult:
        """Check the learner's answer (or the lab's current state) and say correct / not yet, and why."""
        return self.checker(*args, **kwargs)

    def hint(self) -> str:
        """The next hint; each call reveals a little more."""
        text = self.hints[min(self._hints_given, len(self.hints) - 1)]
        self._hints_given += 1
        return f"Hint {min(self._hints_given, len(self.hints))}/{len(self.hints)}: {text}"

    def solution(self) -> str:
        return self.solution_text

    def _repr_html_(self) -> str:
        return (
            f'<div class="kmslab-exercise" style="border:1px solid #b8b8b8;padding:6px 10px">'
            f"<b>Exercise: {html.escape(self.title)}</b><br>{html.escape(self.task)}<br>"
            "<i>Use <code>.check(...)</code>, <code>.hint()</code> and <code>.solution()</code>.</i></div>"
        )


def verdict_question(lab: Any, principal: str, action: str, key: str | None) -> Callable[[str], CheckResult]:
    """A checker for "predict: allowed or denied?" that makes the real request to find out."""

    def check(answer: str) -> CheckResult:
        answer = str(answer).strip().lower()
        if answer not in ("allowed", "denied"):
            return CheckResult(False, 'Answer with "allowed" or "denied".')
        outcome = lab.request(principal, action, key)
        if outcome.decision == answer:
            return CheckResult(True, f"The lab agrees: {outcome.reason}.")
        return CheckResult(
            False, "The lab answers differently. Look at the key policy: does it name this principal, or the account?"
        )

    return check


def flips_question(
    lab: Any,
    key: str,
    principals: Iterable[str],
    actions: Iterable[str],
    change: Callable[[], None],
    undo: Callable[[], None],
) -> Callable[[Iterable[tuple[str, str]]], CheckResult]:
    """A checker for "which cells flip when X changes?": makes the change, compares, undoes it."""
    principals, actions = list(principals), list(actions)

    def check(predicted: Iterable[tuple[str, str]]) -> CheckResult:
        predicted_set = {(lab.principal_arn(p), a if a.startswith("kms:") else f"kms:{a}") for p, a in predicted}
        before = {(o.principal, o.action): o.decision for o in lab.access_matrix(principals, actions, [key])}
        change()
        try:
            after = {(o.principal, o.action): o.decision for o in lab.access_matrix(principals, actions, [key])}
        finally:
            undo()
        actual = {cell for cell in before if before[cell] != after.get(cell)}
        if predicted_set == actual:
            return CheckResult(True, f"Exactly these {len(actual)} cells flip.")
        missing, extra = len(actual - predicted_set), len(predicted_set - actual)
        parts = []
        if missing:
            parts.append(f"{missing} cell(s) that flip are missing from your answer")
        if extra:
            parts.append(f"{extra} cell(s) in your answer do not flip")
        return CheckResult(False, "; ".join(parts) + ".")

    return check
