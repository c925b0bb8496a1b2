"""Text measured and wrapped by how wide it is drawn, for Japanese as well as English.

A wide (East Asian) character takes about two columns where a letter takes one, and Japanese has no
spaces to break lines at. The CLI (help texts, plain tables: a terminal gives a wide character exactly
2 columns) and the flow picture (SVG boxes: drawn about 1.75 letters wide) both wrap with `wrap`.
Standard library only: the CLI imports this and must start fast (no pandas, no ipywidgets).
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

TERMINAL_WIDE = 2  # columns a terminal gives a wide character

_TOKEN = re.compile(r"[!-~]+|\s+|.")  # a run of ASCII (a word, an option, an ARN) stays whole; one wide character
_NO_LINE_START = frozenset("、。，．）」』】・ー：:")  # Japanese line breaking (kinsoku): these never begin a line
_NO_LINE_END = frozenset("（「『【")  # ... and these never end one


def char_width(char: str, wide: float = TERMINAL_WIDE) -> float:
    """How wide `char` is drawn: `wide` for a wide or full-width character, 1 for any other."""
    return wide if unicodedata.east_asian_width(char) in "WF" else 1


def text_width(text: str, wide: float = TERMINAL_WIDE) -> float:
    """How wide `text` is drawn: the sum of its characters' `char_width`."""
    return sum(char_width(c, wide) for c in text)


def columns(text: str) -> int:
    """Columns a terminal gives `text`: a wide character takes two."""
    return int(text_width(text, TERMINAL_WIDE))


def wrap(text: str, width: float, wide: float = TERMINAL_WIDE) -> list[str]:
    """Greedy lines of at most `width` (a wide character counts `wide`), breaking at spaces or between
    wide characters; an ASCII word stays whole unless it alone is wider than a line (then it is cut,
    as `textwrap` cuts it). Japanese line-breaking rules: closing punctuation never begins a line, an
    opening bracket never ends one (it moves down with what it opens). Runs of spaces at a break are
    dropped."""
    lines: list[str] = []
    line = ""
    used = 0.0
    for token in _tokens(text, width):
        size = text_width(token, wide)
        if line.strip() and used + size > width and not token.isspace() and token[0] not in _NO_LINE_START:
            carried = line[-1] if line[-1] in _NO_LINE_END and line[:-1].strip() else ""
            lines.append(line[:len(line) - len(carried)].rstrip())
            line, used = carried, text_width(carried, wide)
        if not line and token.isspace():
            continue
        line += token
        used += size
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _tokens(text: str, width: float) -> list[str]:
    """The pieces `wrap` never breaks inside: ASCII words (cut to `width` when longer), spaces, one wide character."""
    return [piece for token in _TOKEN.findall(text)
            for piece in (textwrap.wrap(token, max(1, int(width))) if len(token) > width and token.isascii()
                          and not token.isspace() else [token])]
