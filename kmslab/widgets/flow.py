"""The evaluation flow as a picture: the path a request took through the gates, and where it ended.

`flow_svg(decision)` draws the fixed flow of KMS authorization (explicit deny -> SCPs ->
key policy names the caller -> key policy allows the account -> IAM policies -> grant ->
ALLOWED / DENIED) and highlights the path recorded in `decision.gates`: a box is on the path
when the engine visited its gate, and its words come from the gate's recorded outcome and
statements (rendered by `kmslab.engine.words`). Nothing here decides or re-derives anything.
Gates that play no part (no SCP, no boundary) read "not used here" and are neutral; gates not
needed for an allowed request read "not needed". Every box carries words and a symbol, so
colour is never the only signal; long labels wrap (never cut), and the picture scales down to
its container's width (a notebook beside JupyterLab's file browser is ~600 px wide).
Plain SVG text with presentation attributes only (no CSS, no ids, no scripts), so it survives
notebook sanitizers and can be shown with `ipywidgets.HTML` or `IPython.display.SVG`.
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass
from functools import lru_cache

from .. import text_width
from ..engine.model import Decision, Gate, GateName, GateOutcome
from ..engine.words import FLOW, flow_text, gate_detail, ref_short
from .labels import principal_label

WIDTH = 730

# Colour-blind-safe (Okabe-Ito) accents with light tints behind dark text.
BLUE, BLUE_TINT = "#0072b2", "#d6e9f8"
VERMILLION, VERMILLION_TINT = "#d55e00", "#fbdcc8"
NEUTRAL, NEUTRAL_TINT = "#555555", "#ececec"
FAINT = "#9a9a9a"
INK = "#111111"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"

_BOX_W, _GAP, _LINE = 104, 22, 13
_ROW = ["explicit-deny", "scp", "key-policy", "account-delegation", "iam"]
_WRAP = 15  # characters per line in a 104 px box at 10.5 px (a safe estimate: wrap, never cut)
_GRANT_WRAP = 27
# Which gates each box shows.
_BOX_OF = {
    GateName.RETIRING_PRINCIPAL: "grant", GateName.EXPLICIT_DENY: "explicit-deny", GateName.SCP: "scp",
    GateName.KEY_POLICY: "key-policy", GateName.ACCOUNT_DELEGATION: "account-delegation",
    GateName.IDENTITY_POLICY: "iam", GateName.BOUNDARY: "iam", GateName.SESSION_POLICY: "iam",
    GateName.GRANT: "grant",
}
_OFF_PATH = (GateOutcome.NOT_NEEDED, GateOutcome.IGNORED)  # recorded, but the request did not go through them

Point = tuple[int, int]
Edge = tuple[list[Point], str, Point, str]  # polyline points, label, label position, text-anchor


@dataclass(frozen=True)
class Layout:
    """Where every box and arrow goes, for a top row `box_h` high and a grant row `grant_h` high."""

    nodes: dict[str, tuple[int, int, int, int]]
    edges: dict[tuple[str, str], Edge]
    height: int
    legend: Point


@lru_cache(maxsize=32)
def layout(box_h: int = 84, grant_h: int = 52) -> Layout:
    """The boxes and hand-routed arrows; rows below the top row move down as it grows."""
    top = 42
    bottom = top + box_h
    grant_y = bottom + 42
    nodes = {name: (8 + i * (_BOX_W + _GAP), top, _BOX_W, box_h) for i, name in enumerate(_ROW)}
    nodes["ALLOWED"] = (8 + 5 * (_BOX_W + _GAP), top, 90, box_h)
    nodes["grant"] = (404, grant_y, 202, grant_h)
    nodes["DENIED"] = (8 + 5 * (_BOX_W + _GAP), grant_y, 90, grant_h)
    bus_y = grant_y + grant_h + 26
    return Layout(nodes, _edges(nodes, top, bottom, grant_y, grant_h, bus_y), bus_y + 16, (196, grant_y + 12))


def _edges(nodes: dict[str, tuple[int, int, int, int]], top: int, bottom: int, grant_y: int, grant_h: int,
           bus_y: int) -> dict[tuple[str, str], Edge]:
    """Every arrow of the flow, routed by hand around the boxes."""
    def cx(n: str) -> int:
        return nodes[n][0] + nodes[n][2] // 2

    def right(n: str) -> int:
        return nodes[n][0] + nodes[n][2]

    mid = top + (bottom - top) // 2
    result_x, yes, no = cx("ALLOWED"), flow_text("edge/yes"), flow_text("edge/no")
    edges: dict[tuple[str, str], Edge] = {}
    for a, b, label in [("explicit-deny", "scp", no), ("scp", "key-policy", yes),
                        ("key-policy", "account-delegation", no), ("account-delegation", "iam", yes),
                        ("iam", "ALLOWED", yes)]:
        x1, x2 = right(a), nodes[b][0]
        edges[(a, b)] = ([(x1, mid), (x2, mid)], label, ((x1 + x2) // 2, mid - 5), "middle")
    denied_bottom = (result_x, grant_y + grant_h)
    for a, label in (("explicit-deny", yes), ("scp", no), ("key-policy", flow_text("edge/refused"))):
        x = cx(a) + (10 if a == "key-policy" else 0)
        edges[(a, "DENIED")] = ([(x, bottom), (x, bus_y), (result_x, bus_y), denied_bottom], label,
                                (x + 5, bottom + 16 if a != "key-policy" else bus_y - 6), "start")
    kp_x, iam_x, ad_x = cx("key-policy"), nodes["iam"][0], cx("account-delegation")
    edges[("key-policy", "ALLOWED")] = ([(kp_x, top), (kp_x, 22), (result_x, 22), (result_x, top)],
                                        flow_text("edge/named"), ((kp_x + result_x) // 2, 18), "middle")
    edges[("key-policy", "iam")] = (
        [(kp_x - 12, bottom), (kp_x - 12, bottom + 20), (iam_x + 22, bottom + 20), (iam_x + 22, bottom)],
        flow_text("edge/role"), (kp_x - 6, bottom + 15), "start")
    edges[("account-delegation", "grant")] = ([(ad_x, bottom), (ad_x, grant_y)], no, (ad_x + 5, grant_y - 8), "start")
    edges[("iam", "grant")] = ([(iam_x + 70, bottom), (iam_x + 70, grant_y)], no, (iam_x + 75, grant_y - 8), "start")
    gx = right("grant")
    edges[("grant", "ALLOWED")] = (
        [(gx, grant_y + 14), (gx + 16, grant_y + 14), (gx + 16, bottom - 14), (nodes["ALLOWED"][0], bottom - 14)],
        yes, (gx + 4, grant_y + 10), "start")
    edges[("grant", "DENIED")] = ([(gx, grant_y + 38), (nodes["DENIED"][0], grant_y + 38)], no,
                                  ((gx + nodes["DENIED"][0]) // 2, grant_y + 34), "middle")
    return edges


# Only drawn when this decision takes them.
_OPTIONAL_EDGES = {("key-policy", "iam"), ("key-policy", "DENIED")}


@dataclass(frozen=True)
class Step:
    """How one box of the flow is drawn: on the path or not, its state, and its words."""

    node: str
    state: str  # yes | no | skip | unreached
    lines: tuple[str, ...]
    on_path: bool
    failed: bool
    tooltip: str


def _boxes(decision: Decision) -> dict[str, list[Gate]]:
    out: dict[str, list[Gate]] = {}
    for g in decision.gates:
        node = _BOX_OF.get(g.name)
        if node is not None:
            out.setdefault(node, []).append(g)
    return out


def decision_path(decision: Decision) -> list[str]:
    """The boxes this decision went through, in the order recorded, ending in ALLOWED or DENIED."""
    path: list[str] = []
    for g in decision.gates:
        node = _BOX_OF.get(g.name)
        if node is not None and g.outcome not in _OFF_PATH and node not in path:
            path.append(node)
    return path + ["ALLOWED" if decision.allowed else "DENIED"]


def _state(node: str, gates: list[Gate]) -> str:
    """A box's answer from its gates' recorded outcomes: yes, no (nothing here allows, or refused) or skip."""
    outcomes = {g.outcome for g in gates if g.outcome not in _OFF_PATH}
    if GateOutcome.DENY in outcomes or GateOutcome.NO_MATCH in outcomes:
        return "no"
    if GateOutcome.ALLOW in outcomes or GateOutcome.PASS in outcomes:
        return "yes"
    return "skip"


def _wrap(text: str, width: int = _WRAP) -> list[str]:
    """Lines of at most `width` letters ("|" breaks a line where the words want it); a Japanese
    (or other full-width) character counts as 1.75: drawn nearly twice as wide as the average letter."""
    lines: list[str] = []
    for part in text.split("|"):
        if any(text_width.char_width(c) > 1 for c in part):
            lines.extend(text_width.wrap(part, width, wide=_WIDE))
        else:
            lines.extend(textwrap.wrap(part, width, break_on_hyphens=False))
    return lines or [""]


_WIDE = 1.75  # a full-width character in the flow picture's font, in average letters


def _ref_lines(gate: Gate, width: int = _WRAP) -> list[str]:
    return _wrap(ref_short(gate.refs[0]), width) if gate.refs else []


def _iam_lines(gates: list[Gate], no: str) -> list[str]:
    lines = []
    for g in gates:
        name = "identity" if g.name == GateName.IDENTITY_POLICY else str(g.name)
        if g.outcome == GateOutcome.IGNORED:
            continue
        key = "identity/root" if (name == "identity" and g.outcome == GateOutcome.ALLOW and not g.refs) \
            else f"{name}/{g.outcome}"
        lines.extend(_wrap(flow_text(key, no=no), _WRAP + 2))  # short words: "identity ✔ allows" on one line
    return lines


def _lines(node: str, gates: list[Gate], no: str) -> list[str]:
    """The words in a box, from its gates' outcomes and statements."""
    g = gates[0]
    o = g.outcome
    if node == "iam":
        return _iam_lines(gates, no)
    if node == "grant":
        return _grant_lines(gates, no)
    if o == GateOutcome.NOT_USED:
        return _wrap(flow_text("no-key-resource" if node in ("key-policy", "account-delegation") else "not-used"))
    if o == GateOutcome.NOT_NEEDED:
        return [flow_text("not-needed")]
    if node == "explicit-deny":
        return [flow_text("deny-in"), *_ref_lines(g)] if o == GateOutcome.DENY else [flow_text("no-deny")]
    if node == "key-policy" and o == GateOutcome.DENY:
        return _wrap(flow_text("not-cross-account"))
    if o == GateOutcome.ALLOW:
        first = flow_text("account-yes") if node == "account-delegation" else flow_text("yes")
        return [*_wrap(first), *_ref_lines(g)]
    key = {"scp": "no-scp", "account-delegation": "account-no"}.get(node, "no")
    return _wrap(flow_text(key, no=no))


def _grant_lines(gates: list[Gate], no: str) -> list[str]:
    for g in gates:
        if g.outcome == GateOutcome.ALLOW:
            key = "retiring-yes" if g.name == GateName.RETIRING_PRINCIPAL else "grant-yes"
            return _wrap(flow_text(key, grant=ref_short(g.refs[0])), _GRANT_WRAP)
    last = gates[-1]
    if last.outcome == GateOutcome.NOT_USED:
        return [flow_text("not-used")]
    return [flow_text("grant-no", no=no)]


def _off_path_lines(node: str, gates: list[Gate] | None, allowed: bool) -> list[str]:
    if node == "iam" and gates and any(g.outcome == GateOutcome.IGNORED for g in gates):
        return _wrap(flow_text("iam-would-allow"))
    if node == "iam" and gates:
        return [flow_text("iam-not-consulted")]
    if gates and all(g.outcome == GateOutcome.NOT_NEEDED for g in gates):
        return [flow_text("not-needed")]
    return [flow_text("not-needed") if allowed else flow_text("not-reached")]


def _key_state_words(gate: Gate) -> str:
    """Why the key refused what the policies allowed: its state in a few words (disabled, pending deletion), else
    the gate's own line (another state, a key usage the operation cannot use, an origin it does not support)."""
    key = f"key-state/{gate.note[1].get('state')}" if gate.note else ""
    return flow_text(key) if key in FLOW else gate_detail(gate)


def steps(decision: Decision) -> dict[str, Step]:
    """Every box of the flow with its state and words for this decision."""
    boxes = _boxes(decision)
    on = set(decision_path(decision))
    denied = not decision.allowed
    out: dict[str, Step] = {}
    for node in (*_ROW, "grant"):
        gates = boxes.get(node)
        tip = "; ".join(g.detail for g in gates) if gates else ""
        if node not in on:
            out[node] = Step(node, "unreached", tuple(_off_path_lines(node, gates, decision.allowed)), False, False,
                             tip or flow_text("not-reached"))
            continue
        assert gates is not None  # a box on the path has gates
        state = _state(node, gates)
        # Red only where the request was refused by the policies; a key state refuses what they allowed.
        failed = denied and state == "no" and decision.deciding != GateName.KEY_STATE
        lines = _lines(node, gates, "✘" if failed else "○")
        out[node] = Step(node, state, tuple(x for x in lines if x), True, failed, tip)
    reason = decision.reason
    state_gate = decision.gate(GateName.KEY_STATE)
    refused = state_gate is not None and state_gate.outcome == GateOutcome.DENY
    extra = tuple(_wrap(_key_state_words(state_gate), 13)) if refused and state_gate is not None else ()
    out["ALLOWED"] = Step("ALLOWED", "yes", ("✔ " + flow_text("ALLOWED"),), "ALLOWED" in on,
                          False, reason if decision.allowed else "")
    out["DENIED"] = Step("DENIED", "no", ("✘ " + flow_text("DENIED"), *extra), "DENIED" in on, False,
                         reason if denied else "")
    return out


def _text(x: float, y: float, s: str, *, size: float = 10.5, weight: str = "normal", fill: str = INK,
          anchor: str = "middle", halo: bool = False) -> str:
    extra = ' stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"' if halo else ""
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
        f'text-anchor="{anchor}"{extra}>{html.escape(s)}</text>'
    )


def _arrowhead(p1: Point, p2: Point, colour: str, size: float) -> str:
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2:
        d = 1 if y2 > y1 else -1
        pts = [(x2, y2), (x2 - size * 0.6, y2 - d * size), (x2 + size * 0.6, y2 - d * size)]
    else:
        d = 1 if x2 > x1 else -1
        pts = [(x2, y2), (x2 - d * size, y2 - size * 0.6), (x2 - d * size, y2 + size * 0.6)]
    return f'<polygon points="{" ".join(f"{x:g},{y:g}" for x, y in pts)}" fill="{colour}"/>'


def _title_lines(node: str) -> list[str]:
    return flow_text(f"title/{node}").split("|")


def _box_style(step: Step) -> tuple[str, str, float, str, str]:
    terminal = step.node in ("ALLOWED", "DENIED")
    if not step.on_path:
        return "#ffffff", FAINT, 1.2, ' stroke-dasharray="4 3"', "#6b6b6b"
    if step.failed or (terminal and step.node == "DENIED"):
        return VERMILLION_TINT, VERMILLION, 3, "", "#5c2100"
    if step.state == "yes":
        return BLUE_TINT, BLUE, 3, "", "#00304f"
    return NEUTRAL_TINT, NEUTRAL, 2.5, "", INK  # on the path, answered "no" or not used, and the request went on


def _box(step: Step, lay: Layout) -> str:
    x, y, w, h = lay.nodes[step.node]
    terminal = step.node in ("ALLOWED", "DENIED")
    fill, stroke, width, dash, ink = _box_style(step)
    # data-state: passed | failed | no (answered no, went on) | skip | unreached; reached for ALLOWED/DENIED
    state = "failed" if step.failed else ("passed" if step.on_path and step.state == "yes" else step.state)
    if terminal:
        state = "reached" if step.on_path else "unreached"
    cls = f"kmslab-node kmslab-node-{step.node.lower()} kmslab-{state}" + (" kmslab-on-path" if step.on_path else "")
    parts = [f'<g class="{cls}" data-node="{step.node}" data-state="{state}">']
    tip = step.tooltip or ("" if step.on_path else flow_text("not-reached"))
    if tip:
        parts.append(f"<title>{html.escape(tip)}</title>")
    parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{12 if terminal else 5}" fill="{fill}" '
                 f'stroke="{stroke}" stroke-width="{width}"{dash}/>')
    cx = x + w / 2
    if terminal:
        ty = y + h / 2 + 4 - (len(step.lines) - 1) * 7
        parts.append(_text(cx, ty, step.lines[0], size=12, weight="bold", fill=ink))
        for line in step.lines[1:]:
            ty += 14
            parts.append(_text(cx, ty, line, size=10, fill=ink))
    else:
        ty = y + 15
        for line in _title_lines(step.node):
            parts.append(_text(cx, ty, line, size=10.5, weight="bold", fill=ink))
            ty += _LINE
        ty += 4 if step.node != "grant" else 2
        for line in step.lines:
            parts.append(_text(cx, ty, line, size=10.5, fill=ink))
            ty += _LINE
    parts.append("</g>")
    return "".join(parts)


def _edge_svg(lay: Layout, a: str, b: str, on_path: bool, colour: str) -> tuple[str, str]:
    """The arrow, and its label apart: labels go on top of every line, each with a white halo."""
    points, label, (lx, ly), anchor = lay.edges[(a, b)]
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
        (BLUE_TINT, BLUE, "", flow_text("legend/passed")),
        (VERMILLION_TINT, VERMILLION, "", flow_text("legend/failed")),
        (NEUTRAL_TINT, NEUTRAL, "", flow_text("legend/neutral")),
        ("#ffffff", FAINT, ' stroke-dasharray="4 3"', flow_text("legend/off")),
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
    hops = [flow_text("hop", node=flow_text(f"node/{n}"), lines=" ".join(st[n].lines))
            for n in decision_path(decision) if n in st and n not in ("ALLOWED", "DENIED")]
    return flow_text("describe", action=decision.action, principal=decision.principal,
                     verdict=decision.label.upper(), hops="; ".join(hops))


def _sizes(st: dict[str, Step]) -> tuple[int, int]:
    """Box heights that fit every wrapped line: the top row's and the grant row's."""
    top = max(15 + len(_title_lines(n)) * _LINE + 4 + len(st[n].lines) * _LINE for n in _ROW)
    grant = 15 + _LINE + 2 + len(st["grant"].lines) * _LINE
    return max(84, top), max(52, grant, 15 + 14 * len(st["DENIED"].lines) + 10)


def flow_svg(decision: Decision, *, title: str | None = None) -> str:
    """An SVG of the evaluation flow with this decision's path highlighted.

    The path is drawn thick in blue (allowed) or vermillion (denied); boxes on it are
    filled and outlined, the gates that denied the request are marked ✘ and get the class
    `kmslab-failed`, boxes off the path are dashed. The SVG is 730 px wide at most and
    scales down with its container (width 100%, viewBox). `title` replaces the heading
    (default: action · caller → verdict); a long heading wraps.
    """
    st = steps(decision)
    lay = layout(*_sizes(st))
    path = decision_path(decision)
    on_edges = set(zip(path, path[1:], strict=False))
    colour = BLUE if decision.allowed else VERMILLION
    heading = title or flow_text("heading", action=decision.action, principal=principal_label(decision.principal),
                                 verdict=flow_text("ALLOWED") if decision.allowed else flow_text("DENIED"))
    heading_lines = textwrap.wrap(heading, 100) or [""]
    shift = (len(heading_lines) - 1) * 15
    height = lay.height + shift
    verdict = "allowed" if decision.allowed else "denied"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kmslab-flow kmslab-flow-{verdict}" '
        f'width="100%" viewBox="0 0 {WIDTH} {height}" style="max-width:{WIDTH}px;height:auto" role="img" '
        f'font-family="{html.escape(FONT)}">',
        f"<title>{html.escape(flow_text('svg-title', heading=heading))}</title>",
        f"<desc>{html.escape(describe(decision))}</desc>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        *(_text(8, 16 + 15 * i, line, size=12.5, weight="bold", anchor="start")
          for i, line in enumerate(heading_lines)),
        f'<g transform="translate(0,{shift})">' if shift else "<g>",
    ]
    # Off-path edges first, so the highlighted path is drawn on top of shared segments.
    labels = []
    for a, b in sorted(lay.edges, key=lambda e: e in on_edges):
        if (a, b) in _OPTIONAL_EDGES and (a, b) not in on_edges:
            continue
        line, label = _edge_svg(lay, a, b, (a, b) in on_edges, colour)
        out.append(line)
        labels.append(label)
    out.extend(labels)
    out.extend(_box(st[node], lay) for node in lay.nodes)
    out.append(_legend(*lay.legend))
    out.append("</g></svg>")
    return "".join(out)
