"""The flow picture: well-formed SVG, the right path highlighted, words on every box."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kmslab.widgets import decision_path, flow_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML or it raises
    assert root.tag == f"{SVG}svg"
    return root


def nodes(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("data-node"): g for g in root.iter(f"{SVG}g") if g.get("data-node")}


def states(root: ET.Element) -> dict[str, str]:
    return {name: g.get("data-state") for name, g in nodes(root).items()}


def texts(g: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in g.iter(f"{SVG}text"))


def edges_on_path(root: ET.Element) -> set[tuple[str, str]]:
    return {(g.get("data-from"), g.get("data-to")) for g in root.iter(f"{SVG}g")
            if g.get("data-from") and "kmslab-on-path" in g.get("class", "")}


def test_kms_test_2_without_root_fails_at_the_key_policy(seed):
    decision = seed.decide(seed.USER2, "kms:Decrypt", with_root=False)
    root = parse(flow_svg(decision))
    st = states(root)
    assert st["key-policy"] == "failed" and st["account-delegation"] == "failed"
    assert st["DENIED"] == "reached" and st["ALLOWED"] == "unreached"
    assert st["explicit-deny"] == "passed" and st["scp"] == "skip"
    assert st["iam"] == "unreached"
    assert "would allow" in texts(nodes(root)["iam"])  # AdministratorAccess is there but not consulted
    assert "kmslab-failed" in nodes(root)["key-policy"].get("class")
    assert ("account-delegation", "grant") in edges_on_path(root)
    assert ("grant", "DENIED") in edges_on_path(root)
    assert "DENIED" in root.find(f"{SVG}title").text
    assert decision_path(decision) == ["explicit-deny", "scp", "key-policy", "account-delegation", "grant", "DENIED"]


def test_kms_test_2_with_root_goes_through_iam_to_allowed(seed):
    root = parse(flow_svg(seed.decide(seed.USER2, "kms:Decrypt", with_root=True)))
    st = states(root)
    assert st["account-delegation"] == "passed" and st["iam"] == "passed" and st["ALLOWED"] == "reached"
    assert st["key-policy"] == "no"  # not named, and the request goes on: no failure
    assert not [g for g in nodes(root).values() if "kmslab-failed" in g.get("class")]
    assert edges_on_path(root) >= {("account-delegation", "iam"), ("iam", "ALLOWED")}
    assert "Enable IAM" in texts(nodes(root)["account-delegation"])


def test_named_user_takes_the_direct_edge(seed):
    root = parse(flow_svg(seed.decide(seed.USER1, "kms:Decrypt", with_root=False)))
    assert states(root)["key-policy"] == "passed"
    assert ("key-policy", "ALLOWED") in edges_on_path(root)
    assert states(root)["account-delegation"] == "unreached"


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("explicit-deny", {"explicit-deny": "failed", "scp": "unreached", "key-policy": "unreached"}),
        ("scp", {"explicit-deny": "passed", "scp": "failed", "key-policy": "unreached"}),
        ("keyless-allowed", {"key-policy": "skip", "account-delegation": "skip", "iam": "passed",
                             "ALLOWED": "reached"}),
        ("keyless-denied", {"key-policy": "skip", "iam": "failed", "DENIED": "reached"}),
        ("role-allowed", {"key-policy": "passed", "iam": "passed", "ALLOWED": "reached"}),
        ("role-boundary-denied", {"key-policy": "passed", "iam": "failed", "DENIED": "reached"}),
        ("cross-account", {"account-delegation": "passed", "iam": "passed", "ALLOWED": "reached"}),
        ("grant", {"account-delegation": "no", "grant": "passed", "ALLOWED": "reached"}),
        # The key has no grants: the grant gate plays no part, so it is neutral ("not used here"), not a failure.
        ("iam-denied", {"account-delegation": "passed", "iam": "failed", "grant": "skip", "DENIED": "reached"}),
    ],
)
def test_every_path_through_the_flow(seed, variant, expected):
    decision = seed.variants()[variant]
    root = parse(flow_svg(decision))
    st = states(root)
    assert {k: st[k] for k in expected} == expected
    assert decision_path(decision)[-1] == ("ALLOWED" if decision.allowed else "DENIED")
    for name, g in nodes(root).items():  # words on every box, never colour alone
        assert texts(g).strip(), name
        assert any(sym in texts(g) for sym in ("✔", "✘", "○", "–", "not reached", "not consulted")), name


def test_role_edge_only_drawn_when_taken(seed):
    v = seed.variants()
    role = parse(flow_svg(v["role-boundary-denied"]))
    assert ("key-policy", "iam") in edges_on_path(role)
    assert "boundary ✘ blocks" in texts(nodes(role)["iam"])
    plain = parse(flow_svg(seed.decide(seed.USER2, "kms:Decrypt", with_root=False)))
    assert not [g for g in plain.iter(f"{SVG}g") if g.get("data-from") == "key-policy" and g.get("data-to") == "iam"]


def test_svg_is_accessible_compact_and_escaped(seed):
    decision = seed.variants()["explicit-deny"]  # its Sid contains <script>
    svg = flow_svg(decision)
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("viewBox") == "0 0 730 262"  # scales down in a narrow notebook
    assert root.find(f"{SVG}title").text.startswith("Evaluation flow: kms:Decrypt")
    assert "explicit Deny" in root.find(f"{SVG}desc").text
    assert "<script" not in svg and "DenyDecrypt" in svg
    assert "<style" not in svg and " id=" not in svg  # safe to repeat many times on one page
    assert flow_svg(decision, title="Mine & yours").count("Mine &amp; yours") >= 1


def test_displays_through_ipython_and_ipywidgets(seed):
    display = pytest.importorskip("IPython.display")
    widgets = pytest.importorskip("ipywidgets")
    svg = flow_svg(seed.decide(seed.USER2, "kms:Decrypt", with_root=False))
    assert display.SVG(svg)._repr_svg_().startswith("<svg")
    assert widgets.HTML(value=svg).value == svg


def test_unused_gates_are_neutral_and_labels_are_never_cut(seed):
    """Issue 14 item 6: no SCP -> "not used here", not a red ✘; an allowed request has no ✘ at all;
    statements by Sid or "statement N, no Sid"; long names wrap, never end in "…"."""
    allowed = parse(flow_svg(seed.decide(seed.USER2, "kms:Decrypt", with_root=True)))
    assert "not used here" in texts(nodes(allowed)["scp"]) and states(allowed)["scp"] == "skip"
    assert not any("✘" in texts(g) for name, g in nodes(allowed).items() if name != "DENIED")
    assert "not needed" in texts(nodes(allowed)["grant"])
    for decision in [*seed.variants().values(), seed.decide(seed.USER1, "kms:Decrypt", with_root=False)]:
        svg = flow_svg(decision)
        assert "…" not in svg and "statement #" not in svg
    named = nodes(parse(flow_svg(seed.decide(seed.USER1, "kms:Decrypt", with_root=False))))["key-policy"]
    assert "Allow access for Key Administrators" in " ".join(texts(named).split())  # wrapped over lines, whole


def test_a_key_state_refusal_and_a_retiring_principal_are_drawn_from_the_path(seed):
    """A disabled key refuses what the policies allowed: the policy boxes are not failures, DENIED says why.
    RetireGrant by the grant's retiring principal: after explicit Deny and SCPs (grant-delete.html: "To deny
    permission to retire a grant, you can use a Deny action with the kms:RetireGrant permission"), the grant box
    allows, no policy is consulted."""
    from dataclasses import replace

    from kmslab.engine import Caller, Grant, Request, authorize

    disabled = seed.decide(seed.USER2, "kms:Decrypt", with_root=True,
                           key=replace(seed.make_key(True), state="Disabled"))
    root = parse(flow_svg(disabled))
    assert states(root)["DENIED"] == "reached" and states(root)["account-delegation"] == "passed"
    assert not [g for g in nodes(root).values() if "kmslab-failed" in g.get("class")]
    assert "the key is disabled" in texts(nodes(root)["DENIED"])
    grant = Grant("g-retire", seed.USER1, frozenset({"Decrypt"}), retiring_principal=seed.USER2)
    cleanup = Caller(seed.USER2, seed.ACCOUNT, "User", "AIDAKMSTEST2EXAMPLE2", username="kms-test-2")
    retire = authorize(Request(cleanup, "kms:RetireGrant", seed.make_key(False, grants=(grant,)), grant_id="g-retire"))
    assert retire.allowed and decision_path(retire) == ["explicit-deny", "scp", "grant", "ALLOWED"]
    assert "retiring principal" in texts(nodes(parse(flow_svg(retire)))["grant"])
