"""`show(...)`: display an outcome, a list of outcomes or a policy in a notebook."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..lab.outcome import Outcome
from .explain import explain_html, policy_html
from .table import access_table


def show(value: Outcome | Sequence[Outcome]) -> Any:
    """Display one request's answer with its decision path, or a list of them as an access table."""
    from IPython.display import HTML, display

    if isinstance(value, Outcome):
        display(HTML(explain_html(value)))
        return None
    display(access_table(list(value)))
    return None


def show_policy(document: Mapping[str, Any], *, highlight_sids: Sequence[str] = ()) -> None:
    """Display a policy document, the root statement (or the given Sids) highlighted."""
    from IPython.display import HTML, display

    display(HTML(policy_html(dict(document), highlight_sids=highlight_sids)))
