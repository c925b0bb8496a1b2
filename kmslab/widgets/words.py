"""Every sentence the interactive widgets say, in one place, as templates with named placeholders.

The widgets build structured data (a call, the cells that flipped, AWS's error code) and
render it with these templates, so wording can be improved, or translated, without
touching behaviour. Translation goes through the engine's catalog (`kmslab.engine.words`:
`N_` marks a template, `_` translates it when rendered, `use_catalog` switches language),
so one catalog covers the engine's sentences and these. Sentences about *why* a request
was decided are the engine's (`Outcome.reason`), not written here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from ..engine.words import N_, _

T: dict[str, str] = {
    # punctuation: the end of a sentence, and between two sentences of one line
    "full_stop": N_("."),
    "sentence_join": N_(". "),
    "policy_title": N_("Key policy of {key}"),
    # the access table (kmslab/widgets/table.py): cells, title, legend, tooltips
    "cell_allowed": N_("✔ allowed"),
    "cell_denied": N_("✘ denied"),
    "table_title": N_("Who may use the key"),
    "table_title_key": N_("Who may use the key {key}"),
    "table_corner": N_("principal ╲ action"),
    "table_key": N_("key"),
    "legend_allowed": N_("the request succeeded"),
    "legend_code": N_("code"),
    "legend_error": N_("another AWS error"),
    "legend_flipped": N_("changed by the last edit"),
    "legend_flipped_none": N_("changed by the last edit (none)"),
    "legend_hover": N_("hover a cell for the reason"),
    "tip_not_requested": N_("{where}: not requested"),
    "tip_key": N_(" · key {key}"),
    "tip_changed": N_("{marker} changed: {before} → {after}. {tip}"),
    # toggles: the state is in the label, not only in the shading
    "root_toggle": N_("Root statement: {state}"),
    "predict_toggle": N_("Predict first: {state}"),
    "predict_toggle_tip": N_("On: a click on a control waits for your prediction"),
    "on": N_("ON"),
    "off": N_("OFF"),
    "root_toggle_tip": N_("Add or remove the key policy statement that allows the account "
                          "(arn:aws:iam::ACCOUNT:root), so that IAM policies count"),
    "attach_box": N_("{principal}: {policy} attached"),
    "reset": N_("Reset"),
    "reset_tip": N_("Back to the key policy and IAM attachments this experiment started with"),
    "check": N_("Check my prediction"),
    # the calls a widget makes
    "call_root": N_("PutKeyPolicy {key} (root statement {what})"),
    "added": N_("added"),
    "removed": N_("removed"),
    "call_attach": N_("AttachUserPolicy {principal} {policy}"),
    "call_detach": N_("DetachUserPolicy {principal} {policy}"),
    "call_put_key_policy": N_("PutKeyPolicy {key}"),
    "call_put_inline": N_("Put{kind}Policy {principal} {name}"),
    "call_reset_world": N_("Reset: back to the world this playground started with"),
    "call_reset": N_("Reset: back to the key policy and IAM attachments this experiment started with"),
    "call_context": N_("Request context: {context}"),
    "call_code": N_("Changed from code: {what}"),
    "status_idle": N_("Click the root statement toggle or an attachment box: the lab makes the change for real, "
                      "and this line says what it did."),
    "succeeded": N_("succeeded"),
    "refused": N_("refused by AWS"),
    # what a change did
    "flipped": N_("{n} cell{s} flipped: {cells}"),
    "flipped_row": N_("{principal} {actions} ({before} → {after})"),
    "all_actions": N_("every action"),
    "nothing": N_("No cell changed"),
    "nothing_why": N_("No cell changed: {why}"),
    "nothing_why_principal": N_("No cell changed. {principal}: {why}"),
    "nothing_root": N_("every answer in this table is settled without the account statement "
                       "(hover a cell for its reason)"),
    "nothing_code": N_("the change does not touch the requests in this table"),
    "previous_kept": N_("The previous {what} stays in force; the table is unchanged."),
    # changes seen from code (a snapshot of the world compared with the previous one)
    "diff_key_policy": N_("the key policy of {key} changed"),
    "diff_key_policy_root": N_("the key policy of {key} changed (root statement {what})"),
    "diff_attached": N_("{principal}: {policy} attached"),
    "diff_detached": N_("{principal}: {policy} detached"),
    "diff_inline_added": N_("{principal}: inline policy {name!r} added"),
    "diff_inline_changed": N_("{principal}: inline policy {name!r} changed"),
    "diff_inline_deleted": N_("{principal}: inline policy {name!r} deleted"),
    "diff_grants": N_("the grants of {key} changed ({before} → {after})"),
    "diff_state": N_("key {key}: {before} → {after}"),
    "diff_other": N_("something else in the lab (SCPs, groups, boundaries, another key...)"),
    # predicting
    "predict_idle": N_("Predict first is on: choose the next change (the root statement toggle or an attachment box). "
                       "It waits for your prediction."),
    "predict_staged": N_("<b>Next change:</b> {change}. Click the cells you expect to flip "
                         "(a row or column header marks the whole row or column), then press "
                         "<b>Check my prediction</b>. Marking none predicts that nothing changes."),
    "stage_root": N_("{what} the root statement"),
    "stage_add": N_("add"),
    "stage_remove": N_("remove"),
    "stage_attach": N_("attach {policy} to {principal}"),
    "stage_detach": N_("detach {policy} from {principal}"),
    "cell_marked": N_("{symbol} ◆ will flip"),
    "score": N_("{hits} of {flipped} flipped cell{s} predicted"),
    "score_wrong": N_("{n} predicted cell{s} did not flip"),
    "score_perfect": N_("Exactly right"),
    "score_none_right": N_("Exactly right: you predicted that nothing changes, and nothing did"),
    "mark_hit": N_("✓ predicted"),
    "mark_missed": N_("✗ missed"),
    "mark_wrong": N_("✗ did not flip"),
    "legend_hit": N_("you predicted this flip"),
    "legend_missed": N_("it flipped, you did not predict it"),
    "legend_wrong": N_("you predicted a flip, it did not flip"),
    # what a ReEncrypt cell tried (ReEncryptFrom is checked on the source key, ReEncryptTo on the destination)
    "legend_reencrypt_from": N_("ReEncryptFrom: re-encrypts from this key to a key the principal may use"),
    "legend_reencrypt_to": N_("ReEncryptTo: re-encrypts to this key from a key the principal may use"),
    "unstaged_by_code": N_("The lab changed from code: the staged change and your marks were cleared."),
    # the playground's controls and file line (kmslab/widgets/playground.py)
    "pg_key": N_("Key"),
    "pg_iam_of": N_("IAM policy of"),
    "pg_principal": N_("Principal"),
    "pg_action": N_("Action"),
    "pg_file": N_("File"),
    "pg_file_tip": N_("A .yaml file in {folder} (an existing file is replaced only if you confirm)"),
    "pg_save": N_("Save as scenario"),
    "pg_load": N_("Load scenario"),
    "pg_reset_tip": N_("Back to the world as it was when this playground was made"),
    "pg_why": N_("Why?"),
    "pick_cell": N_("Pick a principal and an action:"),
    # the request context experiment (kmslab/widgets/context.py)
    "ctx_key": N_("Context key {n}"),
    "ctx_value": N_("value"),
    "ctx_key_example": N_("e.g. app"),
    "ctx_value_example": N_("e.g. billing"),
    "ctx_via": N_("Via service"),
    "ctx_reset_tip": N_("No encryption context, called directly (the table as at the start)"),
    "ctx_direct_option": N_("none (called directly)"),
    "ctx_pairs": N_("encryption context {{{pairs}}}"),
    "ctx_none": N_("no encryption context"),
    "ctx_through": N_("through {service} (kms:ViaService)"),
    "ctx_direct": N_("called directly (no kms:ViaService)"),
    "pg_columns": N_("Table columns"),
    "pg_columns_tip": N_("The table's columns: type a few letters to find any KMS action"),
    "pg_add_column": N_("Add a column"),
    "pg_add_column_tip": N_("Type a few letters of any KMS action, pick it, then press Enter"),
    "pg_add_column_placeholder": N_("e.g. ListGrants"),
    "pg_group": N_("Column group"),
    "grp_course": N_("the course's actions ({n})"),
    "grp_every": N_("every KMS action ({n})"),
    "grp_level": N_("{level} actions ({n})"),
    "level_read": N_("Read"),
    "level_write": N_("Write"),
    "level_list": N_("List"),
    "level_permissions": N_("Permissions management"),
    "level_tagging": N_("Tagging"),
    "not_a_column": N_("Not in the table: {error}"),
    "left_out": N_("Left out of the table, the lab cannot request them yet: {actions}"),
    "pg_new_key": N_("New key"),
    "pg_key_spec": N_("Key spec"),
    "pg_key_usage": N_("Key usage"),
    "pg_key_name_tip": N_("The new key's name (its alias is alias/NAME)"),
    "pg_create_key": N_("Create key"),
    "key_created": N_("✔ Created key {name} ({spec}, {usage}): it is in the table and the key policy editor."),
    "key_not_created": N_("Not created, the lab is unchanged: {error}"),
    "not_saved": N_("Not saved: {error}"),
    "saved": N_("✔ Saved {path}. Replay it with {command}"),
    "replace_file": N_("Replace {name}"),
    "keep_file": N_("Keep it"),
    "file_kept": N_("Nothing was written: the existing file is kept."),
    "not_loaded": N_("Not loaded, the lab is unchanged: {error}"),
    "loaded": N_("✔ Loaded {path}: {title}"),
    # the policy editor (kmslab/widgets/editor.py)
    "ed_apply": N_("Apply"),
    "ed_revert": N_("Reset to the policy in force"),
    "ed_revert_tip": N_("Put the policy in force back into the editor (your text is replaced)"),
    "ed_target_key": N_("key policy of {key}"),
    "ed_target_iam": N_("IAM policy {name!r} of {principal}"),
    "ed_unchanged": N_("The {target} is unchanged."),
    "ed_applied": N_("Applied: the {target} is now the policy above."),
    "ed_typo": N_("kmslab: {problem} AWS would store this policy, but that statement could never match. {unchanged}"),
    "ed_unknown_action": N_("{action!r} is not a KMS action."),
    "ed_did_you_mean": N_(" Did you mean {suggestion}?"),
    # what kmslab says beside AWS's (English) answer to text that is no policy at all
    "ed_empty": N_("The editor is empty: write or paste a policy document."),
    "ed_too_long": N_("This text has {length:,} characters; the API takes a policy of at most {limit:,}."),
    "ed_bad_character": N_("A policy may hold only printable Latin-1 characters, tab, line feed and carriage return: "
                           "{character} (U+{code}) at line {line}, column {column} is not one of them."),
    "ed_nested": N_("The policy is nested {depth} levels deep: no policy element nests more than a few levels, so "
                    "kmslab refuses it as AWS refuses a malformed policy (AWS's own message for it is not known "
                    "here)."),
    "ed_not_json": N_("The text is not JSON: at line {line}, column {column}, {problem}."),
    "ed_too_deep": N_("The text is not JSON kmslab can read: it is nested too deeply."),
    "json_value": N_("a value is expected (a string in double quotes, a number, an object, a list, true, false "
                     "or null)"),
    "json_comma": N_("a comma is expected (between two elements, or a bracket is missing)"),
    "json_colon": N_("a colon is expected after a name"),
    "json_name": N_("a name in double quotes is expected (a comma after the last element?)"),
    "json_extra": N_("the document has ended, but more text follows"),
    "json_unterminated": N_("a string is not closed (a missing double quote)"),
    "json_control": N_("a string holds a control character (a line break inside double quotes?)"),
    "json_escape": N_("a backslash starts an escape that JSON does not have"),
    "json_other": N_("{problem} (the JSON reader's words)"),
    # inline errors (no dead ends)
    "error_head": N_("⚠ {call}: {refused}."),
    "error_aws": N_("AWS answered {code}: {message}"),
}

DEFAULT_MEANING = N_("AWS refused the change; nothing in the lab changed.")
# One line of what AWS's refusal means and what to try, by error code and a phrase of the message.
# https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html (Errors)
ERROR_MEANINGS: list[tuple[str, str, str]] = [
    ("MalformedPolicyDocumentException", "non-empty list",
     N_("A key policy needs at least one statement, and this change would leave none. "
        "To see a key without the root statement, give the policy another statement first "
        "(one that names a user, as notebook 02's key does), e.g. in the playground's key policy editor.")),
    ("MalformedPolicyDocumentException", "will not allow you to update the key policy",
     N_("The lockout safety check: the new policy would not let the caller change the key policy again. "
        "Keep a statement that allows the caller kms:PutKeyPolicy, or pass BypassPolicyLockoutSafetyCheck "
        "if you really mean to lock yourself out.")),
    ("MalformedPolicyDocumentException", "invalid principals",
     N_("A principal named in the policy does not exist (or is misspelled). Create it first, or fix the ARN.")),
    ("MalformedPolicyDocumentException", "no principal",
     N_("Every statement of a key policy needs a Principal element.")),
    ("MalformedPolicyDocumentException", "not valid JSON",
     N_("The text is not JSON: look at the line and column AWS names (a missing comma or quote, usually).")),
    ("MalformedPolicyDocumentException", "",
     N_("AWS cannot read the policy: its message says which element is wrong.")),
    ("MalformedPolicyDocument", "",
     N_("IAM cannot read the policy: its message says which element is wrong "
        "(every statement needs Effect, Action and Resource).")),
    # https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html (key policy document size)
    ("LimitExceededException", "",
     N_("The key policy is larger than KMS allows (32 KB): remove or shorten statements.")),
    ("AccessDeniedException", "",
     N_("The caller is not allowed to make this call: look at the key policy (and, with the root statement, "
        "its IAM policies) for the action AWS names.")),
    ("NoSuchEntity", "",
     N_("The user or policy named does not exist in this lab.")),
    ("KMSInvalidStateException", "",
     N_("The key's state does not allow this call (it is disabled or pending deletion).")),
]


def say(template: str, /, **values: object) -> str:
    """One template, translated by the active catalog, filled in."""
    return _(T[template]).format(**values)


def every_template() -> Iterator[tuple[str, str]]:
    """(id, English template) of every sentence the widgets say (for catalogs and their tests)."""
    yield from T.items()
    for code, phrase, meaning in ERROR_MEANINGS:
        yield f"error:{code}:{phrase}", meaning
    yield "error:default", DEFAULT_MEANING


_NAME = re.compile(r"\S*[:/\d_]")  # a name, not a word: kms:ListAliases, arn:..., kms-test-2, role/app


def first_upper(text: str) -> str:
    """`attach X to y` -> `Attach X to y` (str.capitalize would lower the rest). English only: a Japanese
    sentence has no capitals, and one that starts with a name keeps it as written (`kms-test-2 から ...`), as
    does an English one (`kms:ListAliases takes no key`, never `Kms:ListAliases`). A word ending in a colon
    is a word (`cross-account: ...`)."""
    from ..i18n import language

    first = text.split(" ", 1)[0].rstrip(":")
    if language() != "en" or _NAME.match(first):
        return text
    return text[:1].upper() + text[1:]


def aws_error_meaning(code: str | None, message: str | None) -> str:
    """One line of what an AWS error means and what to try."""
    text = (message or "").lower()
    for known, phrase, meaning in ERROR_MEANINGS:
        if code == known and phrase in text:
            return _(meaning)
    return _(DEFAULT_MEANING)


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
    stop = esc(say("full_stop"))
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
        out.append(f'<div class="kmslab-status-call">↻ {esc(call)}{stop}</div>')
    else:
        out.append(f'<div class="kmslab-status-call">{"✔" if ok else "⚠"} {esc(call)}: '
                   f'{esc(say("succeeded") if ok else say("refused"))}{stop}</div>')
    if flips:
        out.append(f'<div class="kmslab-status-flips">◆ {esc(flips)}{stop}</div>')
    if nothing:
        out.append('<div class="kmslab-status-nothing" style="font-size:1.15em;font-weight:600;'
                   'border:2px solid #111;padding:6px 10px;margin-top:4px;background:#fffbe6">'
                   f"● {esc(nothing)}{stop}</div>")
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
