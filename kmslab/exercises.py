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
Every sentence is a template marked `N_` (here in `T`, the lessons' in their own `T`) and put
into words with `say(template, **values)`: a `Text` rendered through the active catalog when it is
shown or checked, not when the exercise is made, so `kmslab.set_language` applies at once.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from .engine.words import N_, _

Cell = tuple[str, str]  # (principal ARN, action)

_BOX = "padding:6px 10px;margin:2px 0;white-space:normal;overflow-wrap:anywhere"

T: dict[str, str] = {
    "correct": N_("✔ Correct! "),
    "not_yet": N_("✘ Not yet. "),
    "hint": N_("Hint {i}/{n}: {text}"),
    "solution": N_("Solution:"),
    "exercise": N_("Exercise: {title}"),
    "then": N_("Then `.check(...)`; stuck? `.hint()`, `.solution()`."),
    "no_answer": N_("Replace the ... with your answer, then run the cell again."),
    "why_not": N_("Look at the key policy: does it name this principal, or the account?"),
    "answer_with": N_("Answer with {choices}."),
    "or": N_(" or "),
    "agrees": N_("The lab agrees: {why}"),
    "differs": N_("The lab answers differently. {why_not}"),
    "reason": N_("{reason}."),
    "answers": N_("answers"),
    "use_names": N_("Use the names {options} (not {unknown})."),
    "exactly_these": N_("Exactly these: {found}."),
    "differ": N_("{n} of the {total} {noun} differ from what the lab saw."),
    "name_cells": N_("{error}. Name cells as (principal, action), e.g. "
                     '[("kms-test-2", "Decrypt")] or a whole row ("kms-test-2", "*").'),
    "flip_exactly": N_("Exactly these {n} cells flip."),
    "flip_none": N_("No cell flips."),
    "flip_missing": N_("{n} cell(s) that flip are missing from your answer"),
    "flip_extra": N_("{n} cell(s) in your answer do not flip"),
    "flip_join": N_("; "),
    "flip_parts": N_("{parts}."),
}


class Text:
    """A sentence to say later: an English template (marked `N_`) and its values.

    Rendered through the active catalog each time it is shown (`str()`), so an exercise made
    before `kmslab.set_language("ja")` speaks Japanese after it. Values that are `Text` render too.
    """

    __slots__ = ("template", "values")

    def __init__(self, template: str, **values: Any) -> None:
        self.template, self.values = template, values

    def render(self, **more: Any) -> str:
        """The sentence in the language of the moment; `more` adds values known only now (e.g. a reason)."""
        values = {k: str(v) if isinstance(v, Text) else v for k, v in {**self.values, **more}.items()}
        return _(self.template).format(**values)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Text({self.template!r}, **{self.values!r})"

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other) if isinstance(other, Text | str) else NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))


Words = str | Text  # a literal (code, names: the same in every language) or a sentence to translate


def say(template: str, **values: Any) -> Text:
    """The sentence `template` (marked `N_` where defined) with `values`, put into words when shown."""
    return Text(template, **values)


def every_template() -> Iterator[tuple[str, str]]:
    """(id, English template) of every shared exercise sentence, for the message catalogs."""
    for key, text in T.items():
        yield f"exercises.{key}", text


@dataclass(frozen=True)
class CheckResult:
    """The verdict of `check()`: truthy when correct, with a sentence saying why (not)."""

    correct: bool
    feedback: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return _(T["correct"] if self.correct else T["not_yet"]) + self.feedback

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
                f"<b>{html.escape(_(T['solution']))}</b> {body}</div>")


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

    title: Words
    task: Words
    checker: Callable[..., CheckResult]
    hints: tuple[Words, ...]
    solution_text: Words
    _hints_given: int = field(default=0, repr=False)

    def check(self, *args: Any, **kwargs: Any) -> CheckResult:
        """Check the learner's answer (or the lab's current state): correct / not yet, and why."""
        if args and args[0] is Ellipsis:
            return CheckResult(False, _(T["no_answer"]))
        return self.checker(*args, **kwargs)

    def hint(self) -> Hint:
        """The next hint; each call reveals a little more."""
        text = self.hints[min(self._hints_given, len(self.hints) - 1)]
        self._hints_given += 1
        return Hint(say(T["hint"], i=min(self._hints_given, len(self.hints)), n=len(self.hints), text=text))

    def solution(self) -> Solution:
        return Solution(str(self.solution_text))

    def _repr_html_(self) -> str:
        return (f'<div class="kmslab-exercise" style="border:1px solid #b8b8b8;{_BOX}">'
                f"<b>{html.escape(say(T['exercise'], title=self.title).render())}</b><br>"
                f"{_code_spans(str(self.task))}<br><i>{_code_spans(_(T['then']))}</i></div>")

    def __str__(self) -> str:
        return f"{say(T['exercise'], title=self.title)}\n{self.task}"


# ------------------------------------------------------------------ prediction: one of a few answers


def prediction(actual: Callable[[], tuple[str, Words]], choices: Sequence[str] = ("allowed", "denied"), *,
               why_not: Words | None = None) -> Callable[[Any], CheckResult]:
    """A checker for "predict: A or B?". `actual()` asks the lab and returns (answer, why)."""

    def check(answer: Any) -> CheckResult:
        given = str(answer).strip().lower()
        if given not in choices:
            choice = _(T["or"]).join(f'"{c}"' for c in choices)
            return CheckResult(False, say(T["answer_with"], choices=choice).render())
        found, why = actual()
        if found == given:
            return CheckResult(True, say(T["agrees"], why=why).render())
        return CheckResult(False, say(T["differs"], why_not=why_not or say(T["why_not"])).render())

    return check


def verdict_question(lab: Any, principal: str, action: str, key: str | None, *,
                     why_not: Words | None = None, **request: Any) -> Callable[[Any], CheckResult]:
    """A checker for "allowed or denied?" that makes the real request (with `request` options) to find out."""

    def actual() -> tuple[str, Words]:
        outcome = lab.request(principal, action, key, **request)
        return outcome.decision, say(T["reason"], reason=outcome.reason)

    return prediction(actual, why_not=why_not)


# ------------------------------------------------------------------ selection: which of these?


def selection(options: Sequence[str], actual: Callable[[], set[str]], *,
              noun: Words | None = None) -> Callable[[Iterable[str]], CheckResult]:
    """A checker for "which of `options` ...?"; `actual()` asks the lab which ones do."""

    def check(answer: Iterable[str]) -> CheckResult:
        given = {answer.strip().lower()} if isinstance(answer, str) else {str(a).strip().lower() for a in answer}
        unknown = given - set(options)
        if unknown:
            return CheckResult(False, say(T["use_names"], options=", ".join(options),
                                          unknown=", ".join(sorted(unknown))).render())
        found = actual()
        if given == found:
            return CheckResult(True, say(T["exactly_these"], found=", ".join(sorted(found))).render())
        return CheckResult(False, say(T["differ"], n=len(found ^ given), total=len(options),
                                      noun=noun or say(T["answers"])).render())

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
            return CheckResult(False, say(T["name_cells"], error=exc).render())
        with quietly():
            before = table()
            change()
            try:
                after = table()
            finally:
                undo()
        actual = {cell for cell in before if before[cell] != after.get(cell)}
        if cells == actual:
            return CheckResult(True, say(T["flip_exactly"], n=len(actual)).render() if actual
                               else _(T["flip_none"]))
        missing, extra = len(actual - cells), len(cells - actual)
        parts = []
        if missing:
            parts.append(say(T["flip_missing"], n=missing).render())
        if extra:
            parts.append(say(T["flip_extra"], n=extra).render())
        return CheckResult(False, say(T["flip_parts"], parts=_(T["flip_join"]).join(parts)).render())

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

Requirement = Callable[[], Words | None]  # None when met, else what is wrong (one sentence)


def goal(requirements: Sequence[Requirement], success: Callable[[], Words]) -> Callable[[], CheckResult]:
    """A checker for "change the lab so that ...": the first unmet requirement is the feedback."""

    def check() -> CheckResult:
        for requirement in requirements:
            problem = requirement()
            if problem:
                return CheckResult(False, str(problem))
        return CheckResult(True, str(success()))

    return check


def must_be(lab: Any, decision: str, principal: str, action: str, key: str | None, *,
            otherwise: Words, **request: Any) -> Requirement:
    """The requirement "this request is `decision`"; `{reason}` and `{message}` in `otherwise` are the request's.

    `otherwise` is a `say(...)` sentence (its template may use `{reason}` and `{message}`), or a plain
    string in which those two are replaced.
    """

    def requirement() -> str | None:
        outcome = lab.request(principal, action, key, **request)
        if outcome.decision == decision:
            return None
        if isinstance(otherwise, Text):
            more = {k: v for k, v in (("reason", outcome.reason), ("message", outcome.message or ""))
                    if k not in otherwise.values}
            return otherwise.render(**more)
        return otherwise.replace("{reason}", outcome.reason).replace("{message}", outcome.message or "")

    return requirement


def allowed(lab: Any, principal: str, action: str, key: str | None, *, otherwise: Words,
            **request: Any) -> Requirement:
    return must_be(lab, "allowed", principal, action, key, otherwise=otherwise, **request)


def denied(lab: Any, principal: str, action: str, key: str | None, *, otherwise: Words,
           **request: Any) -> Requirement:
    return must_be(lab, "denied", principal, action, key, otherwise=otherwise, **request)


def key_policy_unchanged(lab: Any, key: str, *, otherwise: Words) -> Requirement:
    """The requirement "the key policy is still what it is now" (read when the exercise is made)."""
    import json

    before = json.dumps(lab.key_policy(key), sort_keys=True)
    return lambda: None if json.dumps(lab.key_policy(key), sort_keys=True) == before else otherwise
