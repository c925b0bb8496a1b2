"""Self-checking exercises in the Kaggle learntools shape: `check()`, graded `hint()`, `solution()`.

The expected answer is never stored: each shared check below asks the lab (real requests,
decided by the engine) at the moment the learner checks, compares with what the learner did
or predicted, and says why not without giving the answer away. The course's lessons
(`kmslab.course.lessonNN`) only describe their exercises in terms of these checks:

- `prediction`: "allowed or denied?" (or any fixed choice), the lab finds out;
- `selection`: "which of these work?", the lab tries each;
- `flips`: "which cells of the table change when X changes?", the lab makes the change,
  compares the tables and undoes it; rows and columns may be named whole, `("kms-test-2", "*")`;
- `goal`: "make the lab so that ...", a list of requirements checked in order.

`check()`, `hint()` and `solution()` all render as HTML in Jupyter and as plain text elsewhere.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

Cell = tuple[str, str]  # (principal ARN, action)

_BOX = "padding:6px 10px;margin:2px 0;white-space:normal;overflow-wrap:anywhere"
_NO_ANSWER = "Replace the ... with your answer, then run the cell again."


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
        return (f'<div class="kmslab-check" style="background:{colour};border-left:4px solid {accent};{_BOX}">'
                f"{html.escape(str(self))}</div>")


class Hint(str):
    """A hint: plain text (`Hint 1/3: ...`) that Jupyter shows as a box like `check()`'s, not a quoted string."""

    def _repr_html_(self) -> str:
        return (f'<div class="kmslab-hint" style="background:#fff3c4;border-left:4px solid #e69f00;{_BOX}">'
                f"💡 {_code_spans(self)}</div>")


class Solution(str):
    """A solution: plain text; in Jupyter a box whose code keeps its line breaks."""

    def _repr_html_(self) -> str:
        body = (f'<pre style="margin:4px 0;white-space:pre-wrap">{html.escape(self)}</pre>' if _looks_like_code(self)
                else _code_spans(self))
        return (f'<div class="kmslab-solution" style="background:#e8f3e8;border-left:4px solid #009e73;{_BOX}">'
                f"<b>Solution:</b> {body}</div>")


def _looks_like_code(text: str) -> bool:
    return text.lstrip().startswith(("lab.", "check(", "course.", "{", "[")) or "\n" in text


def _code_spans(text: str) -> str:
    """Escape `text`, showing `backquoted` parts as code."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


@dataclass
class Exercise:
    """One task: a checker computed from the lab, graded hints and a solution.

    Displaying the exercise shows its question (put it last in the cell that asks it).
    """

    title: str
    task: str
    checker: Callable[..., CheckResult]
    hints: tuple[str, ...]
    solution_text: str
    _hints_given: int = field(default=0, repr=False)

    def check(self, *args: Any, **kwargs: Any) -> CheckResult:
        """Check the learner's answer (or the lab's current state): correct / not yet, and why."""
        if args and args[0] is Ellipsis:
            return CheckResult(False, _NO_ANSWER)
        return self.checker(*args, **kwargs)

    def hint(self) -> Hint:
        """The next hint; each call reveals a little more."""
        text = self.hints[min(self._hints_given, len(self.hints) - 1)]
        self._hints_given += 1
        return Hint(f"Hint {min(self._hints_given, len(self.hints))}/{len(self.hints)}: {text}")

    def solution(self) -> Solution:
        return Solution(self.solution_text)

    def _repr_html_(self) -> str:
        return (f'<div class="kmslab-exercise" style="border:1px solid #b8b8b8;{_BOX}">'
                f"<b>Exercise: {html.escape(self.title)}</b><br>{_code_spans(self.task)}<br>"
                "<i>Then <code>.check(...)</code>; stuck? <code>.hint()</code>, <code>.solution()</code>.</i></div>")

    def __str__(self) -> str:
        return f"Exercise: {self.title}\n{self.task}"


# ------------------------------------------------------------------ prediction: one of a few answers


def prediction(actual: Callable[[], tuple[str, str]], choices: Sequence[str] = ("allowed", "denied"), *,
               why_not: str = "Look at the key policy: does it name this principal, or the account?",
               ) -> Callable[[Any], CheckResult]:
    """A checker for "predict: A or B?". `actual()` asks the lab and returns (answer, why)."""

    def check(answer: Any) -> CheckResult:
        given = str(answer).strip().lower()
        if given not in choices:
            return CheckResult(False, "Answer with " + " or ".join(f'"{c}"' for c in choices) + ".")
        found, why = actual()
        if found == given:
            return CheckResult(True, f"The lab agrees: {why}")
        return CheckResult(False, f"The lab answers differently. {why_not}")

    return check


def verdict_question(lab: Any, principal: str, action: str, key: str | None, *,
                     why_not: str = "Look at the key policy: does it name this principal, or the account?",
                     **request: Any) -> Callable[[Any], CheckResult]:
    """A checker for "allowed or denied?" that makes the real request (with `request` options) to find out."""

    def actual() -> tuple[str, str]:
        outcome = lab.request(principal, action, key, **request)
        return outcome.decision, f"{outcome.reason}."

    return prediction(actual, why_not=why_not)


# ------------------------------------------------------------------ selection: which of these?


def selection(options: Sequence[str], actual: Callable[[], set[str]], *, noun: str = "answers",
              ) -> Callable[[Iterable[str]], CheckResult]:
    """A checker for "which of `options` ...?"; `actual()` asks the lab which ones do."""

    def check(answer: Iterable[str]) -> CheckResult:
        given = {answer.strip().lower()} if isinstance(answer, str) else {str(a).strip().lower() for a in answer}
        unknown = given - set(options)
        if unknown:
            return CheckResult(False, f"Use the names {', '.join(options)} (not {', '.join(sorted(unknown))}).")
        found = actual()
        if given == found:
            return CheckResult(True, f"Exactly these: {', '.join(sorted(found))}.")
        return CheckResult(False, f"{len(found ^ given)} of the {len(options)} {noun} differ from what the lab saw.")

    return check


# ------------------------------------------------------------------ flips: which cells change?


def expand_cells(cells: Iterable[tuple[str, str]], principals: Sequence[str], actions: Sequence[str],
                 principal_arn: Callable[[str], str]) -> set[Cell]:
    """Cells named by a learner, as (principal ARN, kms:Action): `"*"` names a whole row or column.

    `("kms-test-2", "*")` is kms-test-2's row, `("*", "Decrypt")` the Decrypt column. The same
    reading as the widgets' prediction mode (`kmslab.widgets.predict.expand_cells`): an unknown
    principal or action raises ValueError naming the choices, so a typo is not "not flipped".
    """
    from .widgets.labels import principal_labels
    from .widgets.predict import expand_cells as expand

    arns = [principal_arn(p) for p in principals]
    return expand(cells, arns, actions, principal_labels(arns))


def flips(table: Callable[[], Mapping[Cell, str]], change: Callable[[], None], undo: Callable[[], None],
          expand: Callable[[Iterable[tuple[str, str]]], set[Cell]],
          quietly: Callable[[], AbstractContextManager[Any]] = nullcontext) -> Callable[[Any], CheckResult]:
    """A checker for "which cells flip when X changes?": the table before, the change, the table after, undo.

    `quietly()` wraps the change and its undo: with the lab's probe, displayed widgets hear of no
    change (the world is as before), so the learner's table shows no ◆ after a check.
    """

    def check(predicted: Any) -> CheckResult:
        try:
            cells = expand(predicted)
        except (ValueError, TypeError) as exc:
            return CheckResult(False, f"{exc}. Name cells as (principal, action), e.g. "
                                      '[("kms-test-2", "Decrypt")] or a whole row ("kms-test-2", "*").')
        with quietly():
            before = table()
            change()
            try:
                after = table()
            finally:
                undo()
        actual = {cell for cell in before if before[cell] != after.get(cell)}
        if cells == actual:
            return CheckResult(True, f"Exactly these {len(actual)} cells flip." if actual
                               else "No cell flips.")
        missing, extra = len(actual - cells), len(cells - actual)
        parts = []
        if missing:
            parts.append(f"{missing} cell(s) that flip are missing from your answer")
        if extra:
            parts.append(f"{extra} cell(s) in your answer do not flip")
        return CheckResult(False, "; ".join(parts) + ".")

    return check


def flips_question(lab: Any, key: str, principals: Iterable[str], actions: Iterable[str],
                   change: Callable[[], None], undo: Callable[[], None]) -> Callable[[Any], CheckResult]:
    """`flips` on the lab's access matrix of one key (real requests before and after the change)."""
    principals, actions = list(principals), list(actions)

    def table() -> dict[Cell, str]:
        return {(o.principal, o.action): o.decision for o in lab.access_matrix(principals, actions, [key])}

    # Changes made and undone inside Lab.probe() wake no on_change listener: a widget showing this lab
    # stays as the learner left it (no ◆ from a check).
    return flips(table, change, undo, lambda cells: expand_cells(cells, principals, actions, lab.principal_arn),
                 lab.probe)


# ------------------------------------------------------------------ goal: make the lab so that ...

Requirement = Callable[[], str | None]  # None when met, else what is wrong (one sentence)


def goal(requirements: Sequence[Requirement], success: Callable[[], str]) -> Callable[[], CheckResult]:
    """A checker for "change the lab so that ...": the first unmet requirement is the feedback."""

    def check() -> CheckResult:
        for requirement in requirements:
            problem = requirement()
            if problem:
                return CheckResult(False, problem)
        return CheckResult(True, success())

    return check


def must_be(lab: Any, decision: str, principal: str, action: str, key: str | None, *,
            otherwise: str, **request: Any) -> Requirement:
    """The requirement "this request is `decision`"; `{reason}` and `{message}` in `otherwise` are the request's."""

    def requirement() -> str | None:
        outcome = lab.request(principal, action, key, **request)
        if outcome.decision == decision:
            return None
        return otherwise.replace("{reason}", outcome.reason).replace("{message}", outcome.message or "")

    return requirement


def allowed(lab: Any, principal: str, action: str, key: str | None, *, otherwise: str,
            **request: Any) -> Requirement:
    return must_be(lab, "allowed", principal, action, key, otherwise=otherwise, **request)


def denied(lab: Any, principal: str, action: str, key: str | None, *, otherwise: str,
           **request: Any) -> Requirement:
    return must_be(lab, "denied", principal, action, key, otherwise=otherwise, **request)


def key_policy_unchanged(lab: Any, key: str, *, otherwise: str) -> Requirement:
    """The requirement "the key policy is still what it is now" (read when the exercise is made)."""
    import json

    before = json.dumps(lab.key_policy(key), sort_keys=True)
    return lambda: None if json.dumps(lab.key_policy(key), sort_keys=True) == before else otherwise
