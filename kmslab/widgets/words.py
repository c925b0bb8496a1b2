"""Every sentence the interactive widgets say, in one place, as templates with named placeholders.

The widgets build structured data (a call, the cells that flipped, AWS's error code) and
render it with these templates, so wording can be improved, or translated (a Japanese
edition is planned), without touching behaviour. Sentences about *why* a request was
decided come from the engine's reasons (`Outcome.reason`), not from here; when the engine's
explanation module lands, `why_nothing_changed` should ask it instead.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence

T: dict[str, str] = {
    # toggles: the state is in the label, not only in the shading
    "root_toggle": "Root statement: {state}",
    "predict_toggle": "Predict first: {state}",
    "on": "ON",
    "off": "OFF",
    "root_toggle_tip": "Add or remove the key policy statement that allows the account "
                       "(arn:aws:iam::ACCOUNT:root), so that IAM policies count",
    "attach_box": "{principal}: {policy} attached",
    "reset": "Reset",
    "reset_tip": "Back to the key policy and IAM attachments this experiment started with",
    "check": "Check my prediction",
    "clear": "Clear",
    "clear_tip": "Unmark every cell",
    # the calls a widget makes
    "call_root": "PutKeyPolicy {key} (root statement {what})",
    "added": "added",
    "removed": "removed",
    "call_attach": "AttachUserPolicy {principal} {policy}",
    "call_detach": "DetachUserPolicy {principal} {policy}",
    "call_put_key_policy": "PutKeyPolicy {key}",
    "call_put_inline": "Put{kind}Policy {principal} {name}",
    "call_reset_world": "Reset: back to the world this playground started with",
    "call_reset": "Reset: back to the key policy and IAM attachments this experiment started with",
    "call_context": "Request context: {context}",
    "call_code": "Changed from code: {what}",
    "succeeded": "succeeded",
    "refused": "refused by AWS",
    # what a change did
    "flipped": "{n} cell{s} flipped: {cells}",
    "flipped_row": "{principal} {actions} ({before} → {after})",
    "all_actions": "every action",
    "nothing": "No cell changed",
    "nothing_why": "No cell changed: {why}",
    "nothing_why_principal": "No cell changed. {principal}: {why}",
    "nothing_root": "every answer in this table is settled without the account statement "
                    "(hover a cell for its reason)",
    "nothing_code": "the change does not touch the requests in this table",
    "previous_kept": "The previous {what} stays in force; the table is unchanged.",
    # changes seen from code (a snapshot of the world compared with the previous one)
    "diff_key_policy": "the key policy of {key} changed",
    "diff_key_policy_root": "the key policy of {key} changed (root statement {what})",
    "diff_attached": "{principal}: {policy} attached",
    "diff_detached": "{principal}: {policy} detached",
    "diff_inline_added": "{principal}: inline policy {name!r} added",
    "diff_inline_changed": "{principal}: inline policy {name!r} changed",
    "diff_inline_deleted": "{principal}: inline policy {name!r} deleted",
    "diff_grants": "the grants of {key} changed ({before} → {after})",
    "diff_state": "key {key}: {before} → {after}",
    "diff_other": "something else in the lab (SCPs, groups, boundaries, another key...)",
    # predicting
    "predict_idle": "Predict first is on: choose the next change (the root statement toggle or an attachment box). "
                    "It waits for your prediction.",
    "predict_staged": "<b>Next change:</b> {change}. Click the cells you expect to flip "
                      "(a row or column header marks the whole row or column), then press "
                      "<b>Check my prediction</b>. Marking none predicts that nothing changes.",
    "stage_root": "{what} the root statement",
    "stage_add": "add",
    "stage_remove": "remove",
    "stage_attach": "attach {policy} to {principal}",
    "stage_detach": "detach {policy} from {principal}",
    "cell_marked": "{symbol} ◆ will flip",
    "score": "{hits} of {flipped} flipped cell{s} predicted",
    "score_wrong": "{n} predicted cell{s} did not flip",
    "score_perfect": "Exactly right",
    "score_none_right": "Exactly right: you predicted that nothing changes, and nothing did",
    "mark_hit": "✓ predicted",
    "mark_missed": "✗ missed",
    "mark_wrong": "✗ did not flip",
    "legend_hit": "you predicted this flip",
    "legend_missed": "it flipped, you did not predict it",
    "legend_wrong": "you predicted a flip, it did not flip",
    "unstaged_by_code": "The lab changed from code: the staged change and your marks were cleared.",
    # inline errors (no dead ends)
    "error_head": "⚠ {call}: {refused}.",
    "error_aws": "AWS answered {code}: {message}",
}

# One line of what AWS's refusal means and what to try, by error code and a phrase of the message.
# https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html (Errors)
ERROR_MEANINGS: list[tuple[str, str, str]] = [
    ("MalformedPolicyDocumentException", "non-empty list",
     "A key policy needs at least one statement, and this change would leave none. "
     "To see a key without the root statement, give the policy another statement first "
     "(one that names a user, as notebook 02's key does), e.g. in the playground's key policy editor."),
    ("MalformedPolicyDocumentException", "will not allow you to update the key policy",
     "The lockout safety check: the new policy would not let the caller change the key policy again. "
     "Keep a statement that allows the caller kms:PutKeyPolicy, or pass BypassPolicyLockoutSafetyCheck "
     "if you really mean to lock yourself out."),
    ("MalformedPolicyDocumentException", "invalid principals",
     "A principal named in the policy does not exist (or is misspelled). Create it first, or fix the ARN."),
    ("MalformedPolicyDocumentException", "no principal",
     "Every statement of a key policy needs a Principal element."),
    ("MalformedPolicyDocumentException", "not valid JSON",
     "The text is not JSON: look at the line and column AWS names (a missing comma or quote, usually)."),
    ("MalformedPolicyDocumentException", "",
     "AWS cannot read the policy: its message says which element is wrong."),
    ("MalformedPolicyDocument", "",
     "IAM cannot read the policy: its message says which element is wrong "
     "(every statement needs Effect, Action and Resource)."),
    # https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html (key policy document size)
    ("LimitExceededException", "",
     "The key policy is larger than KMS allows (32 KB): remove or shorten statements."),
    ("AccessDeniedException", "",
     "The caller is not allowed to make this call: look at the key policy (and, with the root statement, "
     "its IAM policies) for the action AWS names."),
    ("NoSuchEntity", "",
     "The user or policy named does not exist in this lab."),
    ("KMSInvalidStateException", "",
     "The key's state does not allow this call (it is disabled or pending deletion)."),
]


def say(template: str, /, **values: object) -> str:
    """One template filled in."""
    return T[template].format(**values)


def first_upper(text: str) -> str:
    """`attach X to y` -> `Attach X to y` (str.capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]


def aws_error_meaning(code: str | None, message: str | None) -> str:
    """One line of what an AWS error means and what to try."""
    text = (message or "").lower()
    for known, phrase, meaning in ERROR_MEANINGS:
        if code == known and phrase in text:
            return meaning
    return "AWS refused the change; nothing in the lab changed."


def _plural(n: int) -> str:
    return "" if n == 1 else "s"


def flips_sentence(flips: Sequence[tuple[str, str, str, str]], all_actions: Sequence[str]) -> str:
    """`8 cells flipped: kms-test-2 every action (✘ → ✔)` from (principal, action, before, after) tuples."""
    rows: dict[tuple[str, str, str], list[str]] = {}
    for principal, action, before, after in flips:
        rows.setdefault((principal, before, after), []).append(action)
    parts = []
    for (principal, before, after), actions in rows.items():
        names = say("all_actions") if set(all_actions) <= set(actions) else ", ".join(actions)
        parts.append(say("flipped_row", principal=principal, actions=names, before=before, after=after))
    return say("flipped", n=len(flips), s=_plural(len(flips)), cells="; ".join(parts))


def nothing_sentence(reasons: Mapping[str, Iterable[str]] | None) -> str:
    """`No cell changed. kms-test-2: <the engine's reason>`; the commonest reason of the changed principal."""
    if not reasons:
        return say("nothing")
    principal, why = next(iter(reasons.items()))
    counts: dict[str, int] = {}
    for reason in why:
        if reason:
            counts[reason] = counts.get(reason, 0) + 1
    if not counts:
        return say("nothing")
    commonest = max(counts, key=lambda r: counts[r])
    return say("nothing_why_principal", principal=principal, why=commonest)


def cells_phrase(cells: Iterable[tuple[str, str]], all_actions: Sequence[str]) -> str:
    """`kms-test-2 (every action), root (Decrypt, Encrypt)` from (principal label, action) pairs."""
    rows: dict[str, list[str]] = {}
    for principal, action in cells:
        rows.setdefault(principal, []).append(action)
    parts = []
    for principal, actions in rows.items():
        names = say("all_actions") if all_actions and set(all_actions) <= set(actions) else ", ".join(actions)
        parts.append(f"{principal} ({names})")
    return "; ".join(parts)


def status_html(call: str, ok: bool | None, *, flips: str | None = None, nothing: str | None = None,
                error: tuple[str | None, str | None] | None = None, note: str | None = None) -> str:
    """The words line beside the table: the call and its result, then what it did (or AWS's error)."""
    esc = html.escape
    out = ['<div class="kmslab-status-box" style="line-height:1.5;margin:4px 0;overflow-wrap:anywhere">']
    if error is not None:
        code, message = error
        out.append('<div class="kmslab-status-error" style="background:#fbdcc8;color:#5a2000;'
                   'border-left:4px solid #d55e00;padding:4px 8px">')
        out.append(f"<b>{esc(say('error_head', call=call, refused=say('refused')))}</b><br>")
        out.append(f'<span class="kmslab-aws-error">{esc(say("error_aws", code=code, message=message))}</span><br>')
        out.append(f'<span class="kmslab-error-meaning">→ {esc(aws_error_meaning(code, message))}</span>')
        if note:
            out.append(f"<br>{esc(note)}")
        out.append("</div></div>")
        return "".join(out)
    if ok is None:  # not a call of this widget: a change seen from code, a reset
        out.append(f'<div class="kmslab-status-call">↻ {esc(call)}.</div>')
    else:
        out.append(f'<div class="kmslab-status-call">{"✔" if ok else "⚠"} {esc(call)}: '
                   f'{esc(say("succeeded") if ok else say("refused"))}.</div>')
    if flips:
        out.append(f'<div class="kmslab-status-flips">◆ {esc(flips)}.</div>')
    if nothing:
        out.append('<div class="kmslab-status-nothing" style="font-size:1.15em;font-weight:600;'
                   'border:2px solid #111;padding:6px 10px;margin-top:4px;background:#fffbe6">'
                   f"● {esc(nothing)}.</div>")
    if note:
        out.append(f'<div class="kmslab-status-note">{esc(note)}</div>')
    out.append("</div>")
    return "".join(out)


def html_to_text(fragment: str) -> str:
    """The words of an HTML fragment (for `status_text` and tests)."""
    from html.parser import HTMLParser

    parts: list[str] = []

    class _P(HTMLParser):
        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag in ("br", "div") and parts and not parts[-1].endswith("\n"):
                parts.append("\n")

        def handle_data(self, data: str) -> None:
            parts.append(data)

    _P().feed(fragment)
    return "".join(parts).strip()
