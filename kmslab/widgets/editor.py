"""A policy editor that applies through the lab and shows AWS's errors inline.

Bad input loses nothing: the text stays in the editor, AWS's error code and message
appear next to it with one line of what it means and what to try, and the policy in
force (and so the table) stays as it was. Reset puts the policy in force back into the editor.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import ipywidgets as w
from botocore.exceptions import ClientError

from ..engine import UnknownActionError, action_info
from ..lab import Lab, LabError
from . import words

_KMS_ACTION = re.compile(r"^kms:[A-Za-z]+$")


def _status(kind: str, text: str, meaning: str | None = None) -> str:
    colours = {"error": ("#fbdcc8", "#d55e00", "⚠"), "ok": ("#d6e9f8", "#0072b2", "✔")}
    bg, accent, symbol = colours[kind]
    extra = f'\n<span class="kmslab-error-meaning">→ {html.escape(meaning)}</span>' if meaning else ""
    return (f'<div class="kmslab-editor-{kind}" style="background:{bg};border-left:4px solid {accent};'
            f'padding:4px 8px;white-space:pre-wrap;overflow-wrap:anywhere">{symbol} {html.escape(text)}{extra}</div>')


def unknown_kms_actions(document: Any) -> list[UnknownActionError]:
    """KMS action names in a policy that KMS does not have (wildcards are left alone).

    AWS stores such a policy, but its statement can never match: kmslab says so instead
    of letting a typo (`kms:Decryt`) silently do nothing.
    """
    found = []
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    for s in statements if isinstance(statements, list) else [statements]:
        if not isinstance(s, dict):
            continue
        for element in ("Action", "NotAction"):
            values = s.get(element, [])
            for value in [values] if isinstance(values, str) else values if isinstance(values, list) else []:
                if isinstance(value, str) and _KMS_ACTION.match(value):
                    try:
                        action_info(value)
                    except UnknownActionError as exc:
                        found.append(exc)
    return found


# The API's limits on a policy document, from botocore's service models (PutKeyPolicy's `Policy`,
# PutUserPolicy's `PolicyDocument`: length 1..131072, pattern [\u0009\u000A\u000D\u0020-\u00FF]+);
# AWS checks them before it reads the policy and answers a validation error.
# https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html
# The key policy's own quota (32 KB) is the lab's to check (LimitExceededException).
# No policy element nests deeper than a few levels (Statement > Condition > operator > key > values),
# so deeper text is refused as AWS refuses a malformed policy, without a recursive parse.
MAX_POLICY_NESTING = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


@functools.cache
def _constraints(member: str, kms: bool) -> tuple[int, re.Pattern[str]]:
    """The API's (max length, pattern) for a policy document parameter, read from botocore's model."""
    from botocore.session import get_session

    service, operation = ("kms", "PutKeyPolicy") if kms else ("iam", "PutUserPolicy")
    shape = get_session().get_service_model(service).operation_model(operation).input_shape.members[member]
    return int(shape.metadata["max"]), re.compile(shape.metadata["pattern"])


def policy_text_problem(raw: str, member: str = "Policy", *, kms: bool = True) -> tuple[str, str] | None:
    """(AWS error code, message) for policy text AWS refuses before reading it as a policy; else None.

    Bounded work whatever `raw` is: a length check, one regular expression, one linear scan.
    """
    limit, pattern = _constraints(member, kms)
    code = "ValidationException" if kms else "ValidationError"
    field = member[0].lower() + member[1:]
    if len(raw) > limit:
        return code, (f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
                      f"Member must have length less than or equal to {limit} (this text has {len(raw):,} characters)")
    if not raw or pattern.fullmatch(raw) is None:
        return code, (f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
                      f"Member must satisfy regular expression pattern: {pattern.pattern} "
                      f"(printable Latin-1 characters, tab, line feed and carriage return only)")
    depth = deepest = 0
    for bracket in re.findall(r"[\[\]{}]", _JSON_STRING.sub("", raw)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_POLICY_NESTING:
        # KMS's code for a malformed policy is MalformedPolicyDocumentException; IAM's, MalformedPolicyDocument.
        return ("MalformedPolicyDocumentException" if kms else "MalformedPolicyDocument",
                f"the policy is nested {deepest} levels deep; no policy element nests more than a few levels.")
    return None


class PolicyEditor:
    """Edit one policy (a key policy, or a principal's inline IAM policy) and apply it through the lab."""

    def __init__(self, lab: Lab, *, key: str | None = None, principal: str | None = None,
                 policy_name: str = "playground", as_: str | None = None,
                 on_change: Callable[[], None] | None = None,
                 acting: Callable[[], AbstractContextManager[None]] | None = None) -> None:
        """`on_change` runs after a policy was applied; `acting` wraps the lab call (a widget's own change)."""
        if (key is None) == (principal is None):
            raise ValueError("edit either a key policy (key=...) or an IAM policy (principal=...)")
        self.lab, self.key, self.principal, self.policy_name, self.as_ = lab, key, principal, policy_name, as_
        self.on_change = on_change
        self._acting = acting or contextlib.nullcontext
        self.text = w.Textarea(value=json.dumps(self.current(), indent=2),
                               layout=w.Layout(width="100%", height="260px"))
        self.text.add_class("kmslab-policy-editor")
        self.apply_button = w.Button(description=words.say("ed_apply"), icon="check", button_style="primary",
                                     layout=w.Layout(width="auto"))
        self.apply_button.add_class("kmslab-apply")
        self.revert_button = w.Button(description=words.say("ed_revert"), icon="undo",
                                      tooltip=words.say("ed_revert_tip"),
                                      layout=w.Layout(width="auto"))
        self.revert_button.add_class("kmslab-revert")
        self.revert_button.add_class("kmslab-reset")
        self.status = w.HTML()
        self.status.add_class("kmslab-editor-status")
        self.applied = False  # the status line says the last Apply succeeded
        self.apply_button.on_click(lambda _: self.apply())
        self.revert_button.on_click(lambda _: self.revert())

    @property
    def target(self) -> str:
        if self.key is not None:
            return words.say("ed_target_key", key=self.key)
        return words.say("ed_target_iam", name=self.policy_name, principal=self.principal)

    def current(self) -> dict[str, Any]:
        """The policy in force now, read back through the lab."""
        if self.key is not None:
            return self.lab.key_policy(self.key)
        assert self.principal is not None  # __init__ takes a principal whenever it takes no key
        account, kind, name = self.lab._split(self.lab.principal_arn(self.principal))
        iam = self.lab.admin("iam", account)
        try:
            doc = getattr(iam, f"get_{kind}_policy")(**{f"{kind.capitalize()}Name": name,
                                                         "PolicyName": self.policy_name})["PolicyDocument"]
        except ClientError:
            return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}
        policy: dict[str, Any] = json.loads(doc) if isinstance(doc, str) else doc
        return policy

    def apply(self, text: str | None = None) -> bool:
        """Apply the editor's text (or `text`); True when AWS accepted it.

        Whatever the text, the answer is a status line: AWS's error and the policy in force kept,
        or "Applied". Text no API would take (too long, characters outside the policy alphabet,
        nesting no policy has) is refused before anything parses it, so nothing can hang or crash.
        """
        if text is not None:
            self.text.value = text
        raw = self.text.value
        self.status.value = ""  # never leave an earlier answer standing
        self.applied = False
        unchanged = words.say("ed_unchanged", target=self.target)
        problem = policy_text_problem(raw, "Policy" if self.key is not None else "PolicyDocument",
                                      kms=self.key is not None)
        if problem is not None:
            code, message = problem
            self.status.value = _status("error", f"{code}: {message} {unchanged}",
                                        words.aws_error_meaning(code, message))
            return False
        try:
            document = json.loads(raw)
        except (json.JSONDecodeError, RecursionError) as exc:
            # AWS answers a body that is not JSON with MalformedPolicyDocumentException.
            where = f"{exc.msg} (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) \
                else "it is nested too deeply"
            self.status.value = _status("error", f"MalformedPolicyDocumentException: the policy is not valid JSON: "
                                                 f"{where}. {unchanged}",
                                        words.aws_error_meaning("MalformedPolicyDocumentException", "not valid JSON"))
            return False
        typos = unknown_kms_actions(document)
        if typos:
            self.status.value = _status("error", words.say("ed_typo", problem=typos[0], unchanged=unchanged))
            return False
        try:
            with self._acting():
                if self.key is not None:
                    self.lab.put_key_policy(self.key, raw, as_=self.as_)
                else:
                    assert self.principal is not None  # __init__ takes a principal whenever it takes no key
                    self.lab.put_inline_policy(self.principal, self.policy_name, raw)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            self.status.value = _status("error", f"{exc}\n{unchanged}",
                                        words.aws_error_meaning(error.get("Code"), error.get("Message")))
            return False
        except (LabError, ValueError, RecursionError) as exc:  # the lab refused it before asking AWS
            self.status.value = _status("error", f"{type(exc).__name__}: {exc}\n{unchanged}")
            return False
        self.status.value = _status("ok", words.say("ed_applied", target=self.target))
        self.applied = True
        if self.on_change is not None:
            self.on_change()
        return True

    def revert(self) -> None:
        """Put the policy in force back into the editor."""
        self.text.value = json.dumps(self.current(), indent=2)
        self.status.value = ""
        self.applied = False

    reset = revert

    @property
    def widget(self) -> w.Widget:
        box = w.VBox([w.HTML(f"<b>{html.escape(self.target)}</b>"), self.text,
                      w.HBox([self.apply_button, self.revert_button]), self.status])
        box.add_class("kmslab-editor")
        return box

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def close(self) -> None:
        for widget in (self.text, self.apply_button, self.revert_button, self.status):
            widget.close()
