"""The evaluation flow as a picture: which gates a request passed, and where it failed.

`flow_svg(decision)` draws the fixed flow of KMS authorization (explicit deny -> SCPs ->
key policy names the caller -> key policy allows the account -> IAM policies -> grant ->
ALLOWED / DENIED) and highlights the path this decision took, read from
`decision.gates`. Every box carries words and a ✔/✘ symbol, so colour is never the only
signal. Plain SVG text with presentation attributes only (no CSS, no ids, no scripts), so
it survives notebook sanitizers and can be shown with `ipywidgets.HTML` or
`IPython.display.SVG`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from ..engine.model import Decision, Gate
from .labels import principal_label

WIDTH, HEIGHT = 730, 262

# Colour-blind-safe (Okabe-Ito) accents with light tints behind dark text.
BLUE, BLUE_TINT = "#0072b2", "#d6e9f8"
VERMILLION, VERMILLION_TINT = "#d55e00", "#fbdcc8"
NEUTRAL, NEUTRAL_TINT = "#555555", "#ececec"
FAINT = "#9a9a9a"
INK = "#111111"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"

# Node geometry: x, y, width, height.
_BOX_W, _BOX_H, _GAP, _TOP = 104, 84, 22, 42
_ROW = ["explicit-deny", "scp", "key-policy", "account-delegation", "iam"]
NODES: dict[str, tuple[int, int, int, int]] = {
    name: (8 + i * (_BOX_W + _GAP), _TOP, _BOX_W, _BOX_H) for i, name in enumerate(_ROW)
}
NODES["ALLOWED"] = (8 + 5 * (_BOX_W + _GAP), _TOP, 90, _BOX_H)
NODES["grant"] = (404, 168, 202, 52)
NODES["DENIED"] = (8 + 5 * (_BOX_W + _GAP), 168, 90, 52)

_TITLES = {
    "explicit-deny": ("Explicit Deny", "anywhere?"),
    "scp": ("SCPs allow", "the action?"),
    "key-policy": ("Caller named in", "key policy?"),
    "account-delegation": ("Account allowed", "in key policy?"),
    "iam": ("IAM policies", "allow?"),
    "grant": ("A grant allows the operation?",),
}


def _centre_x(name: str) -> int:
    x, _, w, _ = NODES[name]
    return x + w // 2


def _right(name: str) -> int:
    x, _, w, _ = NODES[name]
    return x + w


def _mid_y(name: str) -> int:
    _, y, _, h = NODES[name]
    return y + h // 2


_BOTTOM = _TOP + _BOX_H
_GRANT_Y = NODES["grant"][1]
_RESULT_X = _centre_x("ALLOWED")
_BUS_Y = 246

Point = tuple[int, int]
Edge = tuple[list[Point], str, Point, str]  # polyline points, label, label position, text-anchor


def _build_edges() -> dict[tuple[str, str], Edge]:
    """Every arrow of the flow, routed by hand around the boxes."""
    edges: dict[tuple[str, str], Edge] = {}
    for a, b, label in [
        ("explicit-deny", "scp", "no"), ("scp", "key-policy", "yes"), ("key-policy", "account-delegation", "no"),
        ("account-delegation", "iam", "yes"), ("iam", "ALLOWED", "yes"),
    ]:
        x1, x2, y = _right(a), NODES[b][0], _mid_y(a)
        edges[(a, b)] = ([(x1, y), (x2, y)], label, ((x1 + x2) // 2, y - 5), "middle")
    denied_bottom = (_RESULT_X, NODES["DENIED"][1] + NODES["DENIED"][3])
    for a, label in (("explicit-deny", "yes"), ("scp", "no")):
        x = _centre_x(a)
        edges[(a, "DENIED")] = ([(x, _BOTTOM), (x, _BUS_Y), (_RESULT_X, _BUS_Y), denied_bottom], label,
                                (x + 5, _BOTTOM + 16), "start")
    kp_x = _centre_x("key-policy")
    edges[("key-policy", "ALLOWED")] = (
        [(kp_x, _TOP), (kp_x, 22), (_RESULT_X, 22), (_RESULT_X, _TOP)],
        "yes, named directly: no IAM policy needed", ((kp_x + _RESULT_X) // 2, 18), "middle")
    iam_x = NODES["iam"][0]
    edges[("key-policy", "iam")] = (
        [(kp_x - 12, _BOTTOM), (kp_x - 12, 146), (iam_x + 22, 146), (iam_x + 22, _BOTTOM)],
        "yes, but a role or other account: IAM must allow too", (kp_x - 6, 141), "start")
    ad_x = _centre_x("account-delegation")
    edges[("account-delegation", "grant")] = ([(ad_x, _BOTTOM), (ad_x, _GRANT_Y)], "no", (ad_x + 5, _GRANT_Y - 8),
                                              "start")
    edges[("iam", "grant")] = ([(iam_x + 70, _BOTTOM), (iam_x + 70, _GRANT_Y)], "no", (iam_x + 75, _GRANT_Y - 8),
                               "start")
    gx = _right("grant")
    edges[("grant", "ALLOWED")] = (
        [(gx, _GRANT_Y + 14), (gx + 16, _GRANT_Y + 14), (gx + 16, _BOTTOM - 14), (NODES["ALLOWED"][0], _BOTTOM - 14)],
        "yes", (gx + 4, _GRANT_Y + 10), "start")
    edges[("grant", "DENIED")] = ([(gx, _GRANT_Y + 38), (NODES["DENIED"][0], _GRANT_Y + 38)], "no",
                                  ((gx + NODES["DENIED"][0]) // 2, _GRANT_Y + 34), "middle")
    return edges


EDGES = _build_edges()
# Only drawn when this decision takes it (role sessions, cross-account callers).
_OPTIONAL_EDGES = {("key-policy", "iam")}


@dataclass(frozen=True)
class Step:
    """How one box of the flow is drawn: on the path or not, its state, and its words."""

    node: str
    state: str  # yes | no | skip | unreached
    lines: tuple[str, ...]
    on_path: bool
    failed: bool
    tooltip: str


def _short(text: str, limit: int = 17) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _iam_ok(gates: dict[str, Gate]) -> bool:
    ident, boundary, session = gates.get("identity-policy"), gates.get("boundary"), gates.get("session-policy")
    return (
        ident is not None and ident.outcome == "allow"
        and (boundary is None or boundary.outcome == "pass")
        and (session is None or session.outcome == "pass")
    )


def decision_path(decision: Decision) -> list[str]:
    """The boxes this decision passed through, in flow order, ending in ALLOWED or DENIED."""
    g = {gate.name: gate for gate in decision.gates}
    final = "ALLOWED" if decision.allowed else "DENIED"
    path = ["explicit-deny"]
    if g.get("explicit-deny") is not None and g["explicit-deny"].outcome == "deny":
        return path + [final]
    path.append("scp")
    if g.get("scp") is not None and g["scp"].outcome == "fail":
        return path + [final]
    path.append("key-policy")
    kp, ad = g.get("key-policy"), g.get("account-delegation")
    iam_seen = any(name in g for name in ("identity-policy", "boundary", "session-policy"))
    if kp is not None and kp.outcome == "allow":
        if not iam_seen:
            return path + [final]  # named directly: no IAM policy needed
        path.append("iam")  # a role, or another account's principal: IAM must allow too
        return path + ([final] if decision.allowed else ["grant", final])
    if kp is not None and kp.outcome == "skip":  # no key resource: IAM alone decides
        path += ["account-delegation", "iam"]
        return path + (["ALLOWED"] if decision.allowed else ["grant", "DENIED"])
    path.append("account-delegation")
    if ad is not None and ad.outcome == "allow":
        path.append("iam")
        if _iam_ok(g) and decision.allowed:
            return path + [final]
    return path + ["grant", final]


def _iam_lines(g: dict[str, Gate], consulted: bool) -> tuple[str, ...]:
    ident, boundary, session = g.get("identity-policy"), g.get("boundary"), g.get("session-policy")
    if not consulted:
        if ident is not None and ident.outcome == "allow":
            return ("not consulted:", "identity policy", "✔ would allow")
        return ("not consulted",)
    lines = []
    if ident is None:
        lines.append("identity –")
    elif ident.outcome == "allow":
        lines.append("identity ✔ allows")
    else:
        lines.append("identity ✘ none")
    for label, gate in (("boundary", boundary), ("session", session)):
        if gate is None:
            lines.append(f"{label} – none")
        else:
            lines.append(f"{label} ✔ allows" if gate.outcome == "pass" else f"{label} ✘ blocks")
    return tuple(lines)


def _ref_line(gate: Gate | None) -> str:
    if gate is None or not gate.statements:
        return ""
    ref = gate.statements[0]
    return _short(f"Sid {ref.sid}" if ref.sid else f"statement #{ref.index}", 16)


def steps(decision: Decision) -> dict[str, Step]:
    """Every box of the flow with its state for this decision (see `decision_path`)."""
    g = {gate.name: gate for gate in decision.gates}
    path = decision_path(decision)
    on = set(path)
    denied = not decision.allowed
    out: dict[str, Step] = {}

    def put(node: str, state: str, lines: tuple[str, ...], tooltip: str) -> None:
        on_path = node in on
        if not on_path:
            state = "unreached"
        failed = on_path and denied and state == "no" and node not in ("ALLOWED", "DENIED")
        out[node] = Step(node, state, tuple(x for x in lines if x), on_path, failed, tooltip)

    def detail(name: str, fallback: str) -> str:
        return g[name].detail if name in g else fallback

    ed = g.get("explicit-deny")
    if ed is not None and ed.outcome == "deny":
        put("explicit-deny", "no", ("✘ yes: Deny in", _ref_line(ed)), ed.detail)
    else:
        put("explicit-deny", "yes", ("✔ no Deny",), detail("explicit-deny", "no Deny statement matches"))

    scp = g.get("scp")
    if scp is None or "scp" not in on:
        put("scp", "unreached", ("not reached",), detail("scp", "not evaluated"))
    elif scp.outcome == "fail":
        put("scp", "no", ("✘ no SCP allows",), scp.detail)
    elif scp.outcome == "skip":
        put("scp", "skip", ("– none apply",), scp.detail)
    else:
        put("scp", "yes", ("✔ yes", _ref_line(scp)), scp.detail)

    kp = g.get("key-policy")
    if kp is None or "key-policy" not in on:
        put("key-policy", "unreached", ("not reached",), detail("key-policy", "not evaluated"))
    elif kp.outcome == "allow":
        put("key-policy", "yes", ("✔ yes", _ref_line(kp)), kp.detail)
    elif kp.outcome == "skip":
        put("key-policy", "skip", ("– skipped:", "no key resource"), kp.detail)
    else:
        put("key-policy", "no", ("✘ no",), kp.detail)

    ad = g.get("account-delegation")
    if "account-delegation" not in on:
        put("account-delegation", "unreached", ("not reached",), detail("account-delegation", "not evaluated"))
    elif ad is None:
        put("account-delegation", "skip", ("– skipped:", "no key resource"), "no key policy applies")
    elif ad.outcome == "allow":
        put("account-delegation", "yes", ("✔ yes, so IAM", "policies decide", _ref_line(ad)), ad.detail)
    else:
        put("account-delegation", "no", ("✘ no statement", "for the account"), ad.detail)

    iam_tip = "; ".join(g[n].detail for n in ("identity-policy", "boundary", "session-policy") if n in g)
    if "iam" in on:
        ok = decision.allowed if (kp is not None and kp.outcome == "allow") else _iam_ok(g)
        put("iam", "yes" if ok else "no", _iam_lines(g, True), iam_tip or "no IAM policy evaluated")
    else:
        put("iam", "unreached", _iam_lines(g, False), iam_tip or "not evaluated")

    gr = g.get("grant")
    if "grant" not in on:
        put("grant", "unreached", ("not reached",), detail("grant", "not evaluated"))
    elif gr is None:
        put("grant", "skip", ("– no key, so no grant",), "grants belong to a key")
    elif gr.outcome == "allow":
        grant_id = gr.detail.split()[1] if gr.detail.startswith("grant ") else "a grant"
        put("grant", "yes", (f"✔ yes: grant {_short(grant_id, 13)}",), gr.detail)
    elif gr.outcome == "skip":
        put("grant", "no", ("✘ no: the key has no grants",), gr.detail)
    else:
        put("grant", "no", ("✘ no grant matches",), gr.detail)

    put("ALLOWED", "yes", ("✔ ALLOWED",), decision.reason if decision.allowed else "")
    put("DENIED", "no", ("✘ DENIED",), decision.reason if denied else "")
    return out


def _text(x: float, y: float, s: str, *, size: float = 10.5, weight: str = "normal", fill: str = INK,
          anchor: str = "middle", halo: bool = False) -> str:
    extra = ' stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"' if halo else ""
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
        f'text-anchor="{anchor}"{extra}>{html.escape(s)}</text>'
    )


def _arrowhead(p1: tuple[int, int], p2: tuple[int, int], colour: str, size: float) -> str:
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2:
        d = 1 if y2 > y1 else -1
        pts = [(x2, y2), (x2 - size * 0.6, y2 - d * size), (x2 + size * 0.6, y2 - d * size)]
    else:
        d = 1 if x2 > x1 else -1
        pts = [(x2, y2), (x2 - d * size, y2 - size * 0.6), (x2 - d * size, y2 + size * 0.6)]
    return f'<polygon points="{" ".join(f"{x:g},{y:g}" for x, y in pts)}" fill="{colour}"/>'


def _box(step: Step) -> str:
    x, y, w, h = NODES[step.node]
    terminal = step.node in ("ALLOWED", "DENIED")
    if not step.on_path:
        fill, stroke, width, dash, ink = "#ffffff", FAINT, 1.2, ' stroke-dasharray="4 3"', "#6b6b6b"
    elif step.failed or (terminal and step.node == "DENIED"):
        fill, stroke, width, dash, ink = VERMILLION_TINT, VERMILLION, 3, "", "#5c2100"
    elif step.state == "yes":
        fill, stroke, width, dash, ink = BLUE_TINT, BLUE, 3, "", "#00304f"
    else:  # on the path, answered "no" or skipped, and the request went on
        fill, stroke, width, dash, ink = NEUTRAL_TINT, NEUTRAL, 2.5, "", INK
    # data-state: passed | failed | no (answered no, went on) | skip | unreached; reached for ALLOWED/DENIED
    state = "failed" if step.failed else step.state
    if step.on_path and state == "yes":
        state = "passed"
    if terminal and step.on_path:
        state = "reached"
    cls = f"kmslab-node kmslab-node-{step.node.lower()} kmslab-{state}" + (" kmslab-on-path" if step.on_path else "")
    parts = [f'<g class="{cls}" data-node="{step.node}" data-state="{state}">']
    tip = step.tooltip or ("not reached" if not step.on_path else "")
    if tip:
        parts.append(f"<title>{html.escape(tip)}</title>")
    parts.append(
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{12 if terminal else 5}" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{width}"{dash}/>'
    )
    cx = x + w / 2
    if terminal:
        parts.append(_text(cx, y + h / 2 + 4, step.lines[0], size=12, weight="bold", fill=ink))
    else:
        title = _TITLES[step.node]
        ty = y + 15
        for line in title:
            parts.append(_text(cx, ty, line, size=10.5, weight="bold", fill=ink))
            ty += 13
        ty += 4 if step.node != "grant" else 2
        for line in step.lines:
            parts.append(_text(cx, ty, line, size=10.5, fill=ink))
            ty += 13
    parts.append("</g>")
    return "".join(parts)


def _edge_svg(a: str, b: str, on_path: bool, colour: str) -> tuple[str, str]:
    """The arrow, and its label apart: labels go on top of every line, each with a white halo."""
    points, label, (lx, ly), anchor = EDGES[(a, b)]
    stroke, width = (colour, 3) if on_path else ("#b5b5b5", 1.3)
    cls = "kmslab-edge" + (" kmslab-on-path" if on_path else "")
    pts = " ".join(f"{x},{y}" for x, y in points)
    line = (
        f'<g class="{cls}" data-from="{a}" data-to="{b}">'
        f'<polyline points="{pts}" fill="none" stroke="{stroke}" stroke-width="{width}" stroke-linejoin="round"/>'
        + _arrowhead(points[-2], points[-1], stroke, 8 if on_path else 6)
        + "</g>"
    )
    text = _text(lx, ly, label, size=10 if not on_path else 10.5, weight="bold" if on_path else "normal",
                 fill=INK if on_path else "#6b6b6b", anchor=anchor, halo=True)
    return line, f'<g class="kmslab-edge-label" data-from="{a}" data-to="{b}">{text}</g>'


def _legend(x: int, y: int) -> str:
    items = [
        (BLUE_TINT, BLUE, "", "✔ on the path: passed"),
        (VERMILLION_TINT, VERMILLION, "", "✘ on the path: why it is denied"),
        (NEUTRAL_TINT, NEUTRAL, "", "on the path: no, go on / skipped"),
        ("#ffffff", FAINT, ' stroke-dasharray="4 3"', "not reached"),
    ]
    out = ['<g class="kmslab-legend">']
    for i, (fill, stroke, dash, label) in enumerate(items):
        yy = y + i * 16
        out.append(f'<rect x="{x}" y="{yy - 9}" width="16" height="11" rx="2" fill="{fill}" stroke="{stroke}" '
                   f'stroke-width="2"{dash}/>')
        out.append(_text(x + 22, yy, label, size=10, fill="#333333", anchor="start"))
    out.append("</g>")
    return "".join(out)


def describe(decision: Decision) -> str:
    """One sentence for screen readers: the path the request took, in words."""
    st = steps(decision)
    names = {
        "explicit-deny": "explicit Deny", "scp": "SCPs", "key-policy": "key policy names the caller",
        "account-delegation": "key policy allows the account", "iam": "IAM policies", "grant": "grant",
    }
    hops = [f"{names[n]}: {' '.join(st[n].lines)}" for n in decision_path(decision) if n in names]
    return f"{decision.action} by {decision.principal} is {decision.label.upper()}. Path: " + "; ".join(hops) + "."


def flow_svg(decision: Decision, *, title: str | None = None) -> str:
    """An SVG (730x262) of the evaluation flow with this decision's path highlighted.

    The path is drawn thick in blue (allowed) or vermillion (denied); boxes on it are
    filled and outlined, the gates that denied the request are marked ✘ and get the class
    `kmslab-failed`, boxes off the path are dashed and read "not reached". `title`
    replaces the heading (default: action · caller).
    """
    st = steps(decision)
    path = decision_path(decision)
    on_edges = set(zip(path, path[1:], strict=False))
    colour = BLUE if decision.allowed else VERMILLION
    heading = title or f"{decision.action} · {principal_label(decision.principal)} → {decision.label.upper()}"
    verdict = "allowed" if decision.allowed else "denied"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kmslab-flow kmslab-flow-{verdict}" '
        f'width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'font-family="{html.escape(FONT)}">',
        f"<title>{html.escape(f'Evaluation flow: {heading}')}</title>",
        f"<desc>{html.escape(describe(decision))}</desc>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        _text(8, 16, _short(heading, 48), size=12.5, weight="bold", anchor="start"),
    ]
    # Off-path edges first, so the highlighted path is drawn on top of shared segments.
    ordered = sorted(EDGES, key=lambda e: e in on_edges)
    labels = []
    for a, b in ordered:
        if (a, b) in _OPTIONAL_EDGES and (a, b) not in on_edges:
            continue
        line, label = _edge_svg(a, b, (a, b) in on_edges, colour)
        out.append(line)
        labels.append(label)
    out.extend(labels)
    for node in NODES:
        out.append(_box(st[node]))
    out.append(_legend(196, 180))
    out.append("</svg>")
    return "".join(out)
