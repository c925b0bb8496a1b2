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
from typing import Any, NamedTuple

import ipywidgets as w
from botocore.exceptions import ClientError

from ..engine import UnknownActionError, action_info
from ..engine.policy import statement_list
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
    for s in statement_list(document) if isinstance(document, dict) else []:
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


class TextProblem(NamedTuple):
    """Why AWS refuses policy text: AWS's error code and message (AWS's English, as AWS words it; empty when
    kmslab does not know AWS's wording) and kmslab's explanation, in the language kmslab speaks."""

    code: str
    message: str
    explanation: str

    def line(self) -> str:
        """`Code: message` as AWS answers (the code alone without a message)."""
        return f"{self.code}: {self.message}" if self.message else self.code


def _line_column(raw: str, index: int) -> tuple[int, int]:
    """1-based line and column of `raw[index]`, as the JSON reader counts them."""
    line = raw.count("\n", 0, index) + 1
    return line, index - (raw.rfind("\n", 0, index) + 1) + 1


def policy_text_problem(raw: str, member: str = "Policy", *, kms: bool = True) -> TextProblem | None:
    """AWS's error for policy text AWS refuses before reading it as a policy, with kmslab's explanation; else None.

    Bounded work whatever `raw` is: a length check, one regular expression, one linear scan.
    """
    limit, pattern = _constraints(member, kms)
    code = "ValidationException" if kms else "ValidationError"
    # AWS's wording of a failed constraint (the API Reference's ValidationException), kept in English.
    failed = f"1 validation error detected: Value at '{member[0].lower() + member[1:]}' failed to satisfy constraint: "
    if not raw:
        return TextProblem(code, failed + "Member must have length greater than or equal to 1", words.say("ed_empty"))
    if len(raw) > limit:
        return TextProblem(code, failed + f"Member must have length less than or equal to {limit}",
                           words.say("ed_too_long", length=len(raw), limit=limit))
    if pattern.fullmatch(raw) is None:
        bad = next(i for i, c in enumerate(raw) if pattern.fullmatch(c) is None)
        line, column = _line_column(raw, bad)
        return TextProblem(code, failed + f"Member must satisfy regular expression pattern: {pattern.pattern}",
                           words.say("ed_bad_character", character=repr(raw[bad]), code=f"{ord(raw[bad]):04X}",
                                     line=line, column=column))
    depth = deepest = 0
    for bracket in re.findall(r"[\[\]{}]", _JSON_STRING.sub("", raw)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_POLICY_NESTING:
        # KMS's code for a malformed policy is MalformedPolicyDocumentException; IAM's, MalformedPolicyDocument.
        return TextProblem(_malformed(kms), "", words.say("ed_nested", depth=deepest))
    return None


def _malformed(kms: bool) -> str:
    return "MalformedPolicyDocumentException" if kms else "MalformedPolicyDocument"


# The JSON reader's words (json.decoder), each with what it means to a learner.
_JSON_PROBLEMS = (("Expecting value", "json_value"), ("Expecting ',' delimiter", "json_comma"),
                  ("Expecting ':' delimiter", "json_colon"), ("Expecting property name", "json_name"),
                  ("Extra data", "json_extra"), ("Unterminated string", "json_unterminated"),
                  ("Invalid control character", "json_control"), ("Invalid \\", "json_escape"))


def json_problem(exc: json.JSONDecodeError) -> str:
    """Where and why text is not JSON, in the language kmslab speaks (the JSON reader only says it in English)."""
    name = next((name for start, name in _JSON_PROBLEMS if exc.msg.startswith(start)), None)
    problem = words.say(name) if name else words.say("json_other", problem=exc.msg)
    return words.say("ed_not_json", line=exc.lineno, column=exc.colno, problem=problem)


def not_json(raw: str, *, kms: bool = True) -> TextProblem | None:
    """AWS's error for text that is not JSON (the lab's wording of it, as `kmslab.engine.policy` gives it), with
    kmslab's explanation of where and why; None for JSON."""
    try:
        json.loads(raw)
    except json.JSONDecodeError as exc:
        return TextProblem(_malformed(kms), f"The policy is not valid JSON: {exc.msg} at line {exc.lineno} "
                                            f"column {exc.colno}.", json_problem(exc))
    except RecursionError:
        return TextProblem(_malformed(kms), "The policy is not valid JSON: it is nested too deeply.",
                           words.say("ed_too_deep"))
    return None


def unknown_action_sentence(exc: UnknownActionError) -> str:
    """`'kms:Decryt' is not a KMS action. Did you mean kms:Decrypt?`, in the language kmslab speaks."""
    hint = words.say("ed_did_you_mean", suggestion=exc.suggestion) if exc.suggestion else ""
    return words.say("ed_unknown_action", action=exc.action) + hint

# JSON keeps its lines: a soft-wrapped ARN would break an indented line in two and start the next one at the left
# edge (seen in the playground at a laptop's width), so a long line scrolls sideways instead.
_EDITOR_STYLE = ("<style>.kmslab-policy-editor textarea "
                 "{white-space: pre; overflow-wrap: normal; overflow-x: auto}</style>")


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
        kms = self.key is not None
        # AWS's answer stays AWS's English; kmslab's explanation beside it is in the learner's language.
        problem = policy_text_problem(raw, "Policy" if kms else "PolicyDocument", kms=kms) or not_json(raw, kms=kms)
        if problem is not None:
            self.status.value = _status("error", f"{problem.line()}\n{unchanged}", problem.explanation)
            return False
        typos = unknown_kms_actions(json.loads(raw))
        if typos:
            self.status.value = _status("error", words.say("ed_typo", problem=unknown_action_sentence(typos[0]),
                                                           unchanged=unchanged))
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
        box = w.VBox([w.HTML(f"{_EDITOR_STYLE}<b>{html.escape(self.target)}</b>"), self.text,
                      w.HBox([self.apply_button, self.revert_button]), self.status])
        box.add_class("kmslab-editor")
        return box

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def close(self) -> None:
        for widget in (self.text, self.apply_button, self.revert_button, self.status):
            widget.close()
