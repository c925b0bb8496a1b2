"""When a widget re-renders after a change from code: at once, or once at the end of the running cell.

A notebook cell may change the lab several times (detach, then put an inline policy): a
displayed table should redraw once, after the cell, with ◆ on every cell the cell's changes
flipped. A click on another widget (a comm message, not a cell) redraws at once. Outside a
kernel (tests, scripts) there is no cell: the redraw happens at once too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_PENDING: dict[int, Callable[[], None]] = {}
_REGISTERED: list[Any] = []  # the shell whose post_run_cell runs the pending redraws


def _shell_running_a_cell() -> Any:
    """The IPython shell if it is executing a cell now (not handling a widget's message), else None."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return None
    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return None
    try:
        parent = kernel.get_parent()
    except Exception:  # noqa: BLE001 - an older or different kernel: redraw at once
        return None
    msg_type = (parent or {}).get("header", {}).get("msg_type")
    return shell if msg_type == "execute_request" else None


def _run_pending(*_: Any) -> None:
    if _REGISTERED:
        _REGISTERED.pop().events.unregister("post_run_cell", _run_pending)
    pending = list(_PENDING.values())
    _PENDING.clear()
    for redraw in pending:
        redraw()


def soon(owner: object, redraw: Callable[[], None]) -> None:
    """Run `redraw` after the running cell (once per owner however many changes), or now outside a cell."""
    shell = _shell_running_a_cell()
    if shell is None:
        redraw()
        return
    _PENDING[id(owner)] = redraw
    if not _REGISTERED:
        shell.events.register("post_run_cell", _run_pending)
        _REGISTERED.append(shell)


def cancel(owner: object) -> None:
    """Forget a pending redraw (the widget was closed)."""
    _PENDING.pop(id(owner), None)
