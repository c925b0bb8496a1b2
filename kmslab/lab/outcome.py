"""What one request in the lab came to: AWS's answer plus the engine's explanation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..engine import Decision

Verdict = Literal["allowed", "denied", "error"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One KMS request made through boto3 in the lab, and why it ended as it did.

    `decision` is what the API answered: allowed (the call succeeded), denied
    (AccessDeniedException) or error (another AWS error, e.g. DisabledException).
    `explanation` is the engine's Decision behind it: every request the lab authorizes has
    one (RetireGrant by its retiring principal and key-state refusals included); None only
    when the request never reached authorization (an unknown key, lab setup). Its `gates`,
    `deciding` gate and `statements` are the path to read; `reason` is rendered from them.
    """

    principal: str  # the caller's ARN
    action: str  # IAM action name, e.g. "kms:Decrypt"
    key: str | None  # the lab's name for the key, None for key-less actions
    decision: Verdict
    error: str | None = None  # AWS error code
    message: str | None = None  # AWS error message
    reason: str = ""  # one plain-English sentence
    statements: tuple[str, ...] = ()  # labels of the deciding statements
    explanation: Decision | None = None

    def to_dict(self) -> dict[str, object]:
        """The scenario format's JSON output object."""
        return {
            "principal": self.principal,
            "action": self.action,
            "key": self.key,
            "decision": self.decision,
            "error": self.error,
            "message": self.message,
            "reason": self.reason,
            "statements": list(self.statements),
        }
