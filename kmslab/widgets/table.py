"""Who may do what: the lab's outcomes as a long DataFrame and as a styled access table.

Pure functions of `Outcome` lists, so a controller can re-render the table on every
toggle: nothing here calls the engine or moto. The table marks the cells that changed
since the previous run, because a table that changes should show what changed, and, after
a prediction, which flips were predicted and which were missed.

The title and legend sit above the table, not in its <caption>: a caption is as wide as
its table, so beside a narrow table the legend would wrap into a vertical list.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pandas as pd
from markupsafe import escape as escape_html  # how pandas' Styler escapes labels (format_index escape="html")
from pandas.io.formats.style import Styler

from ..lab.outcome import Outcome
from . import labels as _labels
from . import words
from .labels import action_label, key_label, slug

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")

CellKey = tuple[str, str, str | None]  # (principal ARN, action, key name)
Pair = tuple[str, str]  # (principal ARN, action): a predicted flip

FRAME_COLUMNS = ["principal", "action", "key", "decision", "error", "message", "reason", "statements"]

# The English words (kept importable); what a table shows comes from words.T, translated when rendered.
ALLOWED_TEXT = words.T["cell_allowed"]
DENIED_TEXT = words.T["cell_denied"]
ERROR_SYMBOL = "⚠"
FLIP_MARKER = "◆"
MISSING_TEXT = "–"
CORNER = words.T["table_corner"]  # the top-left cell: rows are principals, columns actions

# Okabe-Ito based (colour-blind safe): blue for allowed, vermillion for denied, grey for
# errors. Light tints behind dark text keep contrast high; the symbol and word carry the
# meaning on their own in print or for readers who do not see the colours.
COLOURS = {
    "allowed": ("#d6e9f8", "#003e6b", "#0072b2"),  # background, text, accent
    "denied": ("#fbdcc8", "#7a2c00", "#d55e00"),
    "error": ("#e3e3e3", "#2b2b2b", "#6b6b6b"),
}

_TABLE_STYLES: list[dict[str, Any]] = [
    {"selector": "", "props": [("border-collapse", "collapse"), ("font-size", "12px"),
                               ("font-family", "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif")]},
    {"selector": "caption", "props": [("caption-side", "top"), ("text-align", "left"), ("padding", "4px 0 6px"),
                                      ("font-size", "12px"), ("color", "inherit"), ("line-height", "1.7")]},
    {"selector": "th", "props": [("background-color", "#f3f3f3"), ("color", "#111"), ("text-align", "left"),
                                 ("border", "1px solid #b8b8b8"), ("padding", "3px 4px"), ("font-weight", "600")]},
    {"selector": "th.index_name", "props": [("font-style", "italic"), ("font-weight", "normal"), ("color", "#444"),
                                           ("word-break", "keep-all")]},
    {"selector": "td", "props": [("border", "1px solid #b8b8b8"), ("padding", "3px 4px"),
                                 ("white-space", "nowrap"), ("text-align", "left")]},
    {"selector": "td.kmslab-missing", "props": [("color", "#666"), ("background-color", "#ffffff"),
                                                ("text-align", "center")]},
    {"selector": "td.kmslab-flipped", "props": [("font-weight", "bold"), ("outline", "3px solid #111"),
                                                ("outline-offset", "-3px")]},
    {"selector": ".kmslab-mark", "props": [("font-size", "11px"), ("font-weight", "normal")]},
    {"selector": "td.kmslab-missed", "props": [("outline", "3px dashed #111"), ("outline-offset", "-3px")]},
    {"selector": "td.kmslab-wrong", "props": [("text-decoration", "line-through dotted")]},
]
_SWATCH = "display:inline-block;padding:0 6px;margin:0 2px;border:1px solid #b8b8b8;white-space:nowrap"
for _name, (_bg, _fg, _accent) in COLOURS.items():
    _TABLE_STYLES.append({"selector": f".kmslab-{_name}", "props": [("background-color", _bg), ("color", _fg)]})
    _TABLE_STYLES.append({"selector": f"td.kmslab-{_name}", "props": [("border-left", f"3px solid {_accent}")]})


class AccessTable(Styler):  # type: ignore[misc]  # pandas ships no type information (no pandas-stubs): Styler is Any
    """A pandas Styler whose HTML puts the title and legend above the table (see the module docstring)."""

    head_html: str = ""

    def to_html(self, buf: object = None, **kwargs: object) -> str | None:
        """The table's HTML, after its title and legend (a buffer gets the bare table, as pandas writes it)."""
        if buf is not None:
            written: str | None = super().to_html(buf, **kwargs)  # pandas: None, having written to buf
            return written
        table: str = super().to_html(**kwargs)
        return framed(self.head_html, table)


# In a widget (an ipywidgets HTML, a flex item) the content is as wide as the widest table unless it may
# shrink: a playground with two keys' columns pushed the legend past the right edge, where it was cut.
# With min-width 0 the table scrolls sideways inside its box and the legend wraps to the notebook's width.
_SHRINK = "<style>.kmslab-table > .widget-html-content {min-width: 0}</style>"


def framed(head_html: str, table_html: str) -> str:
    """The title and legend, then the table in a box that scrolls sideways when the table is wider."""
    return (f'{_SHRINK}<div class="kmslab-access">{head_html}'
            f'<div class="kmslab-table-scroll" style="overflow-x:auto;max-width:100%">{table_html}</div></div>')


def _breakable(label: object) -> str:
    """Let a long CamelCase header wrap (ScheduleKey<wbr>Deletion) when the table is narrow."""
    return _CAMEL.sub("<wbr>", str(label))


def _state(outcome: Outcome) -> tuple[str, str | None]:
    """What a cell shows: the verdict, and the error code for other AWS errors."""
    return outcome.decision, (outcome.error if outcome.decision == "error" else None)


def flip_symbol(outcome: Outcome) -> str:
    """The short form of a cell's answer, for "✘ → ✔" in words: ✔, ✘ or ⚠ with the error code."""
    if outcome.decision == "allowed":
        return "✔"
    if outcome.decision == "denied":
        return "✘"
    return f"{ERROR_SYMBOL} {outcome.error or 'error'}"


def _cell_text(outcome: Outcome) -> str:
    return _verdict_text(_state(outcome))


def _key(outcome: Outcome) -> CellKey:
    return outcome.principal, outcome.action, outcome.key


def _cell_html(value: object) -> str:
    """A cell's text as HTML: a prediction mark (after a newline) goes on its own, smaller line."""
    head, newline, mark = str(value).partition("\n")
    out = html.escape(head)
    if newline:
        out += f'<br><span class="kmslab-mark">{html.escape(mark)}</span>'
    return out


def outcomes_frame(outcomes: Iterable[Outcome]) -> pd.DataFrame:
    """One row per request (long form), for filtering and grouping in a notebook.

    Columns: principal, action, key, decision, error, message, reason, statements
    (the deciding statements' labels joined with "; ").
    """
    rows = [
        (o.principal, o.action, o.key, o.decision, o.error, o.message, o.reason, "; ".join(o.statements))
        for o in outcomes
    ]
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


def flipped(previous: Iterable[Outcome], current: Iterable[Outcome]) -> set[CellKey]:
    """The (principal, action, key) cells whose verdict (or error code) changed.

    Cells present in only one of the two runs are not counted: they did not flip,
    they appeared or disappeared.
    """
    before = {_key(o): _state(o) for o in previous}
    return {_key(o) for o in current if _key(o) in before and before[_key(o)] != _state(o)}


def _verdict_text(state: tuple[str, str | None]) -> str:
    decision, error = state
    if decision == "allowed":
        return words.say("cell_allowed")
    if decision == "denied":
        return words.say("cell_denied")
    return f"{ERROR_SYMBOL} {error or 'error'}"


def _swatch(kind: str, text: str) -> str:
    style = _SWATCH
    if kind in COLOURS:
        bg, fg, _ = COLOURS[kind]
        style += f";background-color:{bg};color:{fg}"
    elif kind == "flipped":
        style += ";font-weight:bold;border:2px solid #111"
    return f'<span class="kmslab-swatch kmslab-{kind}" style="{style}">{html.escape(text)}</span>'


def _legend(single_key: str | None, any_flipped: bool, title: str | None, predicted: bool,
            actions: Iterable[str] = ()) -> str:
    say = words.say
    if title:
        head = html.escape(title) + (f" <b>{html.escape(single_key)}</b>" if single_key is not None else "")
    elif single_key is not None:  # the key's place in the sentence is the translation's to choose
        head = html.escape(say("table_title_key", key="\0")).replace("\0", f"<b>{html.escape(single_key)}</b>")
    else:
        head = html.escape(say("table_title"))
    items = [
        f'{_swatch("allowed", say("cell_allowed"))} {html.escape(say("legend_allowed"))}',
        f'{_swatch("denied", say("cell_denied"))} AccessDeniedException',
        f'{_swatch("error", ERROR_SYMBOL + " " + say("legend_code"))} {html.escape(say("legend_error"))}',
        f'{_swatch("flipped", FLIP_MARKER)} '
        + html.escape(say("legend_flipped") if any_flipped else say("legend_flipped_none")),
    ]
    if predicted:
        items += [f'{_swatch("hit", words.say("mark_hit"))} {words.say("legend_hit")}',
                  f'{_swatch("missed", words.say("mark_missed"))} {words.say("legend_missed")}',
                  f'{_swatch("wrong", words.say("mark_wrong"))} {words.say("legend_wrong")}']
    shown = set(actions)
    items += [html.escape(say(template)) for action, template in (("kms:ReEncryptFrom", "legend_reencrypt_from"),
                                                                 ("kms:ReEncryptTo", "legend_reencrypt_to"))
              if action in shown]
    items.append(html.escape(say("legend_hover")))
    legend = " · ".join(f'<span class="kmslab-legend-item" style="white-space:nowrap">{item}</span>'
                        for item in items)
    return (f'<div class="kmslab-table-head" style="font-size:12px;line-height:1.8;margin:2px 0 6px">'
            f'<span class="kmslab-caption-title">{head}</span><br>'
            f'<span class="kmslab-legend">{legend}</span></div>')


@dataclass
class _Grid:
    """What an access table shows, before pandas or HTML: labels, cells, their classes and tooltips."""

    rows: list[str]  # the principals' labels
    columns: list[str] | list[tuple[str, str]]  # action labels, or (key, action) labels for several keys
    multi_key: bool
    values: list[list[str]]
    classes: list[list[str]]
    titles: list[list[str]]  # HTML-escaped
    head_html: str


def _grid(outcomes: Sequence[Outcome], previous: Sequence[Outcome] | None,
          principal_labels: Mapping[str, str] | None, title: str | None,
          predicted: Iterable[Pair] | None) -> _Grid:
    cells: dict[CellKey, Outcome] = {}
    for outcome in outcomes:
        cells[_key(outcome)] = outcome  # a repeated request: the last answer counts
    labels = _labels.principal_labels((p for p, _, _ in cells), principal_labels)
    rows = list(dict.fromkeys(p for p, _, _ in cells))
    keys = list(dict.fromkeys(k for _, _, k in cells))
    named_keys = [k for k in keys if k is not None]
    pairs = list(dict.fromkeys((k, a) for _, a, k in cells))
    flat = [action_label(a) for _, a in pairs]
    multi_key = len(named_keys) > 1 or len(set(flat)) < len(flat)
    key_order = {k: i for i, k in enumerate(keys)}
    if multi_key:
        pairs.sort(key=lambda ka: key_order[ka[0]])  # group the columns by key, stable within a key
    before = {_key(o): _state(o) for o in previous} if previous is not None else {}
    changed = flipped(previous, cells.values()) if previous is not None else set()
    guesses = set(predicted) if predicted is not None else None

    values: list[list[str]] = []
    classes: list[list[str]] = []
    titles: list[list[str]] = []
    for p in rows:
        vrow, crow, trow = [], [], []
        plabel = labels[p]
        for k, a in pairs:
            base = f"kmslab-cell kmslab-p-{slug(plabel)} kmslab-a-{slug(action_label(a))}"
            if k is not None:
                base += f" kmslab-k-{slug(k)}"
            o = cells.get((p, a, k))
            if o is None:
                vrow.append(MISSING_TEXT)
                crow.append(f"{base} kmslab-missing")
                trow.append(html.escape(words.say("tip_not_requested", where=f"{plabel} · {a}")))
                continue
            text = _cell_text(o)
            cls = f"{base} kmslab-{o.decision}"
            where = f"{plabel} · {a}" + (words.say("tip_key", key=k) if k is not None else "")
            why = o.reason or o.message or ""
            tip = f"{where}: {text}. {why}".strip()
            if (p, a, k) in changed:
                text = f"{text} {FLIP_MARKER}"
                cls += " kmslab-flipped"
                tip = words.say("tip_changed", marker=FLIP_MARKER, before=_verdict_text(before[(p, a, k)]),
                                after=_cell_text(o), tip=tip)
            if guesses is not None:
                mark = None
                if (p, a) in guesses:
                    mark = "hit" if (p, a, k) in changed else "wrong"
                elif (p, a, k) in changed:
                    mark = "missed"
                if mark is not None:
                    text = f"{text}\n{words.say('mark_' + mark)}"  # its own, smaller line (see _cell_html)
                    cls += f" kmslab-{mark}"
                    tip = f"{words.say('mark_' + mark)}: {words.say('legend_' + mark)}. {tip}"
            vrow.append(text)
            crow.append(cls)
            trow.append(html.escape(tip, quote=True))
        values.append(vrow)
        classes.append(crow)
        titles.append(trow)
    columns: list[str] | list[tuple[str, str]] = (
        [(key_label(k), action_label(a)) for k, a in pairs] if multi_key else flat)
    single = named_keys[0] if len(named_keys) == 1 else None
    head = _legend(single, bool(changed), title, guesses is not None, (a for _, a in pairs))
    return _Grid([labels[p] for p in rows], columns, multi_key, values, classes, titles, head)


def _styler(grid: _Grid) -> AccessTable:
    index = pd.Index(grid.rows, name="principal")
    columns: pd.Index
    if grid.multi_key:
        columns = pd.MultiIndex.from_tuples(grid.columns, names=[words.say("table_key"), words.say("table_corner")])
    else:
        columns = pd.Index(grid.columns, name=words.say("table_corner"))
    df = pd.DataFrame(grid.values, index=index, columns=columns)
    styler = AccessTable(df)
    styler.set_td_classes(pd.DataFrame(grid.classes, index=index, columns=columns))
    styler.set_tooltips(pd.DataFrame(grid.titles, index=index, columns=columns), as_title_attribute=True)
    styler.format(_cell_html)
    styler.format_index(escape="html", axis=0)
    styler.format_index(_breakable, escape="html", axis=1)
    styler.hide(axis="index", names=True)  # the corner cell names both axes instead of an extra row
    styler.set_table_attributes('class="kmslab-access-table"')
    styler.set_table_styles(_TABLE_STYLES)
    styler.head_html = grid.head_html
    return styler


def access_table(
    outcomes: Sequence[Outcome],
    *,
    previous: Sequence[Outcome] | None = None,
    principal_labels: Mapping[str, str] | None = None,
    title: str | None = None,
    predicted: Iterable[Pair] | None = None,
) -> AccessTable:
    """A principals x actions table of verdicts, with a legend and the changed cells marked.

    Rows are principals (short labels, see `labels.principal_labels`; `principal_labels`
    maps ARNs to labels of your own), columns are actions without `kms:`, or (key, action)
    when the outcomes touch several keys. Each cell reads `✔ allowed`, `✘ denied` or
    `⚠ <ErrorCode>`; cells whose answer differs from `previous` get `◆` and a bold
    outline. Every cell has a tooltip with the reason and CSS classes a test or a
    stylesheet can select, e.g. `td.kmslab-p-kms-test-2.kmslab-a-Decrypt.kmslab-allowed`.
    With `predicted` (the (principal ARN, action) cells a learner expected to flip, scored
    against `previous`), cells also read `✓ predicted`, `✗ missed` or `✗ did not flip`
    (classes kmslab-hit, kmslab-missed, kmslab-wrong). The title and legend come before the
    table in its HTML (`to_html()`, and so in a notebook).
    """
    return _styler(_grid(outcomes, previous, principal_labels, title, predicted))


def access_table_html(
    outcomes: Sequence[Outcome],
    *,
    previous: Sequence[Outcome] | None = None,
    principal_labels: Mapping[str, str] | None = None,
    title: str | None = None,
    predicted: Iterable[Pair] | None = None,
    uuid: str | None = None,
) -> str:
    """`access_table(...).to_html()`, the same HTML, written directly (~0.5 ms instead of ~7 ms: a widget
    redraws its table on every click). `uuid` names the table's id as pandas' `Styler(uuid=...)` does
    (random by default, so every drawing is a new table to the browser, as with pandas)."""
    grid = _grid(outcomes, previous, principal_labels, title, predicted)
    if grid.multi_key or _pandas_would_trim(len(grid.rows), len(grid.columns)):
        styler = _styler(grid)
        if uuid is not None:
            styler.set_uuid(uuid)
        return str(styler.to_html())
    return _direct_html(grid, uuid or uuid4().hex[:5])


def _pandas_would_trim(rows: int, columns: int) -> bool:
    """Whether pandas' Styler would render only part of a table this size (its styler.render.* options)."""
    max_rows, max_columns = pd.get_option("styler.render.max_rows"), pd.get_option("styler.render.max_columns")
    return ((rows + 1) * (columns + 1) > pd.get_option("styler.render.max_elements")
            or (max_rows is not None and rows > max_rows) or (max_columns is not None and columns > max_columns))


def _direct_html(grid: _Grid, uuid: str) -> str:
    """The HTML pandas' Styler renders for `_styler(grid)` (one column level), with its table id `T_{uuid}`;
    tests/widgets/test_table.py compares the two."""
    tid = f"T_{uuid}"
    out = ['<style type="text/css">\n']
    for rule in _TABLE_STYLES:
        out.append(f"#{tid} {rule['selector']} {{\n")
        out.extend(f"  {prop}: {value};\n" for prop, value in rule["props"])
        out.append("}\n")
    out.append(f'</style>\n<table id="{tid}" class="kmslab-access-table">\n  <thead>\n    <tr>\n'
               f'      <th class="index_name level0" >{words.say("table_corner")}</th>\n')
    for c, label in enumerate(grid.columns):
        out.append(f'      <th id="{tid}_level0_col{c}" class="col_heading level0 col{c}" >'
                   f'{_breakable(escape_html(label))}</th>\n')
    out.append("    </tr>\n  </thead>\n  <tbody>\n")
    for r, label in enumerate(grid.rows):
        out.append(f'    <tr>\n      <th id="{tid}_level0_row{r}" class="row_heading level0 row{r}" >'
                   f"{escape_html(label)}</th>\n")
        for c, (value, cls, tip) in enumerate(zip(grid.values[r], grid.classes[r], grid.titles[r], strict=True)):
            title = f' title="{tip}"' if tip else ""
            out.append(f'      <td id="{tid}_row{r}_col{c}" class="data row{r} col{c} {cls}" {title}>'
                       f"{_cell_html(value)}</td>\n")
        out.append("    </tr>\n")
    out.append("  </tbody>\n</table>\n")
    return framed(grid.head_html, "".join(out))
