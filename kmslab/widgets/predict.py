"""Predict, then see: which cells of an access table will flip with the next change?

`expand_cells` turns a learner's prediction, written with whole rows and columns
(`("kms-test-2", "*")`, `("*", "Decrypt")`), into cells; `PredictionResult` scores it
against what really flipped; `PredictionGrid` is the clickable table (ipywidgets
ToggleButtons in a GridBox: a plain HTML table cannot send clicks back to the kernel).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import ipywidgets as w

from ..lab.outcome import Outcome
from . import words
from .labels import action_label, slug
from .table import flip_symbol

Pair = tuple[str, str]  # (principal ARN, action "kms:...")
ANY = "*"
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# Buttons in the grid may wrap their words (a narrow notebook beside the file browser): never cut.
_GRID_STYLE = """<style>
.kmslab-predict-grid .jupyter-button, .kmslab-predict-grid .widget-button,
.kmslab-predict-grid .widget-toggle-button {
  white-space: normal; height: auto; min-height: 28px; line-height: 1.25; padding: 2px 4px;
  overflow: visible; text-overflow: clip; width: 100%; margin: 0;
}
</style>"""


def _action(name: str) -> str:
    return name if name.lower().startswith("kms:") else f"kms:{name}"


def expand_cells(cells: Iterable[Sequence[str]], principals: Sequence[str], actions: Sequence[str],
                 labels: Mapping[str, str]) -> set[Pair]:
    """The (principal ARN, action) cells a prediction names; `"*"` stands for a whole row or column.

    A principal is its label in the table (`kms-test-2`, `root`, `role/app`) or its ARN; an
    action is `Decrypt` or `kms:Decrypt` (case as KMS spells it, or any case). Raises
    ValueError, naming the choices, for a principal or action that is not in the table.
    """
    by_name = {**{arn: arn for arn in principals}, **{label: arn for arn, label in labels.items() if arn in principals}}
    by_action = {_action(a).lower(): a for a in actions}
    out: set[Pair] = set()
    for cell in cells:
        if isinstance(cell, str) or len(cell) != 2:
            raise ValueError(f"a predicted cell is a (principal, action) pair, not {cell!r}")
        who, what = cell
        if who == ANY:
            rows = list(principals)
        elif who in by_name:
            rows = [by_name[who]]
        else:
            raise ValueError(f"{who!r} is not a row of this table: "
                             f"{', '.join(labels.get(p, p) for p in principals)} (or '*')")
        if what == ANY:
            cols = list(actions)
        elif _action(what).lower() in by_action:
            cols = [by_action[_action(what).lower()]]
        else:
            raise ValueError(f"{what!r} is not a column of this table: "
                             f"{', '.join(action_label(a) for a in actions)} (or '*')")
        out.update((p, a) for p in rows for a in cols)
    return out


@dataclass(frozen=True)
class PredictionResult:
    """A prediction scored: which flips were predicted (hits), missed, or predicted but did not happen."""

    change: str
    predicted: frozenset[Pair]
    flipped: frozenset[Pair]
    labels: Mapping[str, str]
    actions: tuple[str, ...] = ()  # the table's columns, to say "every action"

    @property
    def hits(self) -> set[Pair]:
        return set(self.predicted & self.flipped)

    @property
    def missed(self) -> set[Pair]:
        return set(self.flipped - self.predicted)

    @property
    def wrong(self) -> set[Pair]:
        return set(self.predicted - self.flipped)

    @property
    def correct(self) -> bool:
        return self.predicted == self.flipped

    def named(self, cells: Iterable[Pair]) -> list[tuple[str, str]]:
        """(principal label, action) pairs, sorted, for reading."""
        return sorted((self.labels.get(p, p), action_label(a)) for p, a in cells)

    def summary(self) -> str:
        """One or two sentences: the score, and what was missed or wrongly predicted."""
        if self.correct:
            return words.say("score_none_right" if not self.flipped else "score_perfect") + words.say("full_stop")
        n = len(self.flipped)
        parts = [words.say("score", hits=len(self.hits), flipped=n, s="" if n == 1 else "s")]
        columns = [action_label(a) for a in self.actions]
        if self.missed:
            parts.append(f"{words.say('mark_missed')}: " + words.cells_phrase(self.named(self.missed), columns))
        if self.wrong:
            k = len(self.wrong)
            parts.append(words.say("score_wrong", n=k, s="" if k == 1 else "s") + ": "
                         + words.cells_phrase(self.named(self.wrong), columns))
        return words.say("sentence_join").join(parts) + words.say("full_stop")

    def __str__(self) -> str:
        return f"{self.change}: {self.summary()}"

    def _repr_html_(self) -> str:
        ok = self.correct
        style = ("background:#d6e9f8;border-left:4px solid #0072b2" if ok
                 else "background:#fbdcc8;border-left:4px solid #d55e00")
        symbol = "✔" if ok else "✗"
        return (f'<div class="kmslab-score" style="{style};padding:4px 8px;overflow-wrap:anywhere">'
                f"<b>{symbol} {html.escape(self.change)}</b>: {html.escape(self.summary())}</div>")


class PredictionGrid:
    """The table as buttons: click a cell, or a row or column header, to mark it "will flip"."""

    def __init__(self, on_change: Callable[[], None] | None = None) -> None:
        self.on_change = on_change
        self.cells: dict[Pair, w.ToggleButton] = {}
        self._symbols: dict[Pair, str] = {}
        self._quiet = False
        self.box = w.GridBox(layout=w.Layout(overflow="auto", max_width="100%", grid_gap="2px"))
        self.box.add_class("kmslab-predict-grid")

    def show(self, outcomes: Sequence[Outcome], labels: Mapping[str, str], marked: Iterable[Pair] = ()) -> None:
        """Build the grid for the table's current answers (principals as rows, actions as columns)."""
        for child in self.box.children:
            child.close()
        marked = set(marked)
        rows = list(dict.fromkeys(o.principal for o in outcomes))
        cols = list(dict.fromkeys(o.action for o in outcomes))
        answer = {(o.principal, o.action): o for o in outcomes}
        self.cells, self._symbols = {}, {}
        corner = w.HTML(_GRID_STYLE + '<span style="font-style:italic;color:#444">principal ╲ action</span>')
        children: list[w.Widget] = [corner]
        for a in cols:
            head = w.Button(description=_CAMEL.sub("\u200b", action_label(a)),  # may break: Generate|Data|Key
                            tooltip=f"Mark the whole {action_label(a)} column", layout=w.Layout(width="auto"))
            head.add_class("kmslab-predict-col")
            head.add_class(f"kmslab-col-{slug(action_label(a))}")
            head.on_click(lambda _, a=a: self._toggle_all([(p, a) for p in rows]))
            children.append(head)
        for p in rows:
            label = labels.get(p, p)
            head = w.Button(description=label, tooltip=f"Mark the whole {label} row", layout=w.Layout(width="auto"))
            head.add_class("kmslab-predict-row")
            head.add_class(f"kmslab-row-{slug(label)}")
            head.on_click(lambda _, p=p: self._toggle_all([(p, a) for a in cols]))
            children.append(head)
            for a in cols:
                o = answer.get((p, a))
                symbol = flip_symbol(o) if o else "–"
                cell = w.ToggleButton(value=(p, a) in marked, layout=w.Layout(width="auto"),
                                      tooltip=f"{label} · {action_label(a)}: click if you expect it to flip")
                cell.add_class("kmslab-predict-cell")
                cell.add_class(f"kmslab-cell-{slug(label)}-{slug(action_label(a))}")
                self.cells[(p, a)] = cell
                self._symbols[(p, a)] = symbol
                self._label(p, a)
                cell.observe(lambda _, p=p, a=a: self._changed(p, a), "value")
                children.append(cell)
        self.box.layout.grid_template_columns = f"max-content repeat({len(cols)}, minmax(4.5em, 1fr))"
        self.box.children = children

    def _label(self, p: str, a: str) -> None:
        cell, symbol = self.cells[(p, a)], self._symbols[(p, a)]
        text = {"✔": "✔ allowed", "✘": "✘ denied"}.get(symbol, symbol)
        cell.description = words.say("cell_marked", symbol=symbol) if cell.value else text

    def _changed(self, p: str, a: str) -> None:
        self._label(p, a)
        if not self._quiet and self.on_change is not None:
            self.on_change()

    def _toggle_all(self, cells: list[Pair]) -> None:
        present = [c for c in cells if c in self.cells]
        target = not all(self.cells[c].value for c in present)
        self._quiet = True
        try:
            for c in present:
                self.cells[c].value = target
        finally:
            self._quiet = False
        if self.on_change is not None:
            self.on_change()

    @property
    def marked(self) -> set[Pair]:
        """The cells marked "will flip"."""
        return {pair for pair, cell in self.cells.items() if cell.value}

    def mark(self, cells: Iterable[Pair], on: bool = True) -> None:
        for c in cells:
            if c in self.cells:
                self.cells[c].value = on

    def clear(self) -> None:
        """Unmark every cell."""
        self._quiet = True
        try:
            self.mark(list(self.cells), False)
        finally:
            self._quiet = False

    def close(self) -> None:
        for child in self.box.children:
            child.close()
        self.box.close()
