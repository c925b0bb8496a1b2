"""One request explained, and a key policy shown with the statements that matter marked.

`explain_html(outcome)` answers "why?" for one principal/action/key: the verdict, the
reason in one sentence, the deciding statements, the error line exactly as the AWS CLI
prints it, and the flow picture. `policy_html(document)` pretty-prints a key policy and
marks the root statement (the account principal), the one that lets IAM policies count.
All text is escaped; styles are inline so the HTML survives notebook sanitizers.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..engine import words
from ..engine.model import Decision
from ..engine.policy import aws_principal_ids as _aws_principals
from ..engine.policy import is_account_statement as is_root_statement
from ..engine.policy import statement_list
from ..lab.outcome import Outcome
from . import words as widget_words
from .flow import flow_svg
from .labels import action_label, principal_label

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace"

_VERDICT = {  # background, accent (the symbol and word come from words.EXPLAIN)
    "allowed": ("#d6e9f8", "#0072b2"),
    "denied": ("#fbdcc8", "#d55e00"),
    "error": ("#e3e3e3", "#6b6b6b"),
}
_HIGHLIGHT_BG, _HIGHLIGHT_ACCENT = "#fff2b3", "#b07a00"  # Okabe-Ito yellow/orange, with a text marker


def operation_name(action: str) -> str:
    """The API operation behind an IAM action, as the CLI names it (`kms:ReEncryptFrom` -> `ReEncrypt`)."""
    op = action_label(action)
    return "ReEncrypt" if op in ("ReEncryptFrom", "ReEncryptTo") else op


def cli_error_line(outcome: Outcome) -> str | None:
    """`An error occurred (AccessDeniedException) when calling the Decrypt operation: User: ...`."""
    if outcome.decision == "allowed" or not (outcome.error or outcome.message):
        return None
    code = outcome.error or "AccessDeniedException"
    operation = operation_name(outcome.action)
    return f"An error occurred ({code}) when calling the {operation} operation: {outcome.message or ''}"


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = widget_words.first_upper(text)
    return text if text.endswith((".", "!", "?", "。", "！", "？")) else text + widget_words.say("full_stop")


def _statements_html(outcome: Outcome, decision: Decision | None) -> str:
    if decision is not None and decision.statements:
        items = [f"<li><b>{html.escape(r.effect)}</b> — {html.escape(r.label())}</li>" for r in decision.statements]
    elif outcome.statements:
        items = [f"<li>{html.escape(s)}</li>" for s in outcome.statements]
    elif outcome.decision == "denied":
        return f'<p style="margin:4px 0">{html.escape(words.explain_text("no-deciding"))}</p>'
    else:
        return ""
    listing = f'<ul style="margin:2px 0 2px 1.2em;padding:0">{"".join(items)}</ul>'
    return f'<div style="margin:4px 0">{html.escape(words.explain_text("deciding"))}{listing}</div>'


def _gates_html(decision: Decision) -> str:
    """Every gate the request visited, as the engine recorded it (words from `kmslab.engine.words`)."""
    decided = words.explain_text("decided-here")
    rows = "".join(
        f'<li data-gate="{html.escape(g.name)}" data-outcome="{html.escape(g.outcome)}">'
        f"<code>{html.escape(g.name)}</code> ({html.escape(words.gate_name(g.name))}): "
        f"{words.SYMBOLS.get(g.outcome, '?')} {html.escape(words.outcome_word(g.outcome))} — "
        f"{html.escape(g.detail)}{html.escape(decided) if g.name == decision.deciding else ''}</li>"
        for g in decision.gates
    )
    return (
        f'<details class="kmslab-gates" style="margin-top:4px"><summary>{html.escape(words.explain_text("every-gate"))}'
        f'</summary><ol style="margin:4px 0 0 1.4em;padding:0">{rows}</ol></details>'
    )


def explain_html(outcome: Outcome) -> str:
    """The decision path of one principal/action/key as HTML (verdict, reason, statements, error, flow)."""
    decision = outcome.explanation
    bg, accent = _VERDICT.get(outcome.decision, _VERDICT["error"])
    label = words.explain_text(outcome.decision if outcome.decision in _VERDICT else "error")
    if outcome.decision == "error" and outcome.error:
        label = words.explain_text("error-code", code=outcome.error)
    who = principal_label(outcome.principal)
    on_key = words.explain_text("on-key", key=outcome.key) if outcome.key is not None else ""
    what = f"{who} · {outcome.action}{on_key}"
    reason = outcome.reason or (decision.reason if decision is not None else "")
    parts = [
        f'<div class="kmslab-explain kmslab-{html.escape(outcome.decision)}" '
        f'style="font-family:{FONT};font-size:13px;color:#111;background:#fff;line-height:1.45;max-width:760px">',
        f'<div style="margin-bottom:4px"><span class="kmslab-verdict" style="display:inline-block;padding:1px 8px;'
        f'font-weight:bold;background:{bg};color:#111;border:2px solid {accent};border-radius:3px">'
        f"{html.escape(label)}</span> <b>{html.escape(what)}</b>"
        f' <span style="color:#555">({html.escape(outcome.principal)})</span></div>',
    ]
    if reason:
        parts.append(f'<p class="kmslab-reason" style="margin:4px 0"><b>{html.escape(words.explain_text("why"))}</b> '
                     f'{html.escape(_sentence(reason))}</p>')
    parts.append(_statements_html(outcome, decision))
    line = cli_error_line(outcome)
    if line:
        parts.append(
            f'<div style="margin:6px 0 2px">{html.escape(words.explain_text("caller-sees"))}</div>'
            f'<pre class="kmslab-aws-message" style="font-family:{MONO};font-size:12px;white-space:pre-wrap;'
            # JupyterLab breaks an output's <pre> anywhere (word-break: break-all): break at spaces, an ARN only
            # where it must
            f'word-break:normal;overflow-wrap:anywhere;margin:0;padding:6px 8px;background:#f6f6f6;'
            f'border-left:4px solid {accent};color:#111">'
            f"{html.escape(line)}</pre>"
        )
    if decision is not None:
        parts.append(f'<div class="kmslab-flow-box" style="margin-top:8px">{flow_svg(decision)}</div>')
        parts.append(_gates_html(decision))
    else:
        parts.append(f'<p style="margin:4px 0;color:#444">{html.escape(words.explain_text("no-decision"))}</p>')
    parts.append("</div>")
    return "".join(parts)


# ---------------------------------------------------------------- key policies


def _lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    return [pad + line for line in json.dumps(value, indent=2, ensure_ascii=False).splitlines()]


def policy_html(
    document: Mapping[str, Any] | str,
    *,
    highlight_sids: Iterable[str] = (),
    highlight_principals: Iterable[str] = (),
) -> str:
    """A key policy, pretty-printed, with chosen statements highlighted and marked in words.

    Highlights the statements whose Sid is in `highlight_sids` or whose Principal names
    one of `highlight_principals`; with neither given, the root statement(s). A
    highlighted statement gets a background, a side bar and a text marker
    ("◀ root statement" or "◀ highlighted"), so it does not rely on colour.
    """
    doc = json.loads(document) if isinstance(document, str) else dict(document)
    sids, principals = set(highlight_sids), set(highlight_principals)
    auto = not sids and not principals
    statements = statement_list(doc)

    def marked(stmt: Any) -> str | None:
        if not isinstance(stmt, Mapping):
            return None
        root = is_root_statement(stmt)
        hit = (stmt.get("Sid") in sids) or bool(principals & set(_aws_principals(stmt))) or (auto and root)
        if not hit:
            return None
        return words.explain_text("root-marker") if root else words.explain_text("highlight-marker")

    def line(text: str) -> str:
        return f'<span class="kmslab-line" style="display:block">{html.escape(text) or " "}</span>'

    out = [line("{")]
    keys = list(doc)
    for i, k in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        if k != "Statement":
            body = _lines(doc[k], 0)
            body[0] = f"  {json.dumps(k)}: {body[0]}"
            body = [body[0]] + ["  " + b for b in body[1:]]
            body[-1] += comma
            out.extend(line(b) for b in body)
            continue
        out.append(line('  "Statement": ['))  # a single statement object is shown as a list of one
        for j, stmt in enumerate(statements):
            body = _lines(stmt, 4)
            if j < len(statements) - 1:
                body[-1] += ","
            marker = marked(stmt)
            sid = stmt.get("Sid") if isinstance(stmt, Mapping) else None
            data = f' data-sid="{html.escape(str(sid))}"' if sid is not None else ""
            if marker is None:
                lines = "".join(line(b) for b in body)
                out.append(f'<span class="kmslab-stmt"{data} style="display:block">{lines}</span>')
                continue
            first = (
                f'<span class="kmslab-line" style="display:block">{html.escape(body[0])}  '
                f'<span class="kmslab-marker" style="font-weight:bold;color:#5a3d00;font-family:{FONT}">'
                f"{html.escape(marker)}</span></span>"
            )
            out.append(
                f'<span class="kmslab-stmt kmslab-highlight"{data} style="display:block;background:{_HIGHLIGHT_BG};'
                f'border-left:5px solid {_HIGHLIGHT_ACCENT};margin-left:-5px">'
                f'{first}{"".join(line(b) for b in body[1:])}</span>'
            )
        out.append(line(f"  ]{comma}"))
    out.append(line("}"))
    return (
        f'<pre class="kmslab-policy" style="font-family:{MONO};font-size:12px;line-height:1.4;margin:0;'
        f'padding:6px 10px;background:#fafafa;color:#111;border:1px solid #ddd;overflow-x:auto">'
        f'{"".join(out)}</pre>'
    )
