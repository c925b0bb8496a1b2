"""AWS's error line for an outcome, exactly as the AWS CLI and boto3 print it.

The CLI prints it and the widgets show it; it lives here, beside the lab's `Outcome`, so that
printing it needs neither ipywidgets nor pandas (`python -m kmslab explain` stays fast).
"""

from __future__ import annotations

from .outcome import Outcome


def operation_name(action: str) -> str:
    """The API operation behind an IAM action, as the CLI names it (`kms:ReEncryptFrom` -> `ReEncrypt`)."""
    op = action.split(":", 1)[1] if action.lower().startswith("kms:") else action
    return "ReEncrypt" if op in ("ReEncryptFrom", "ReEncryptTo") else op


def aws_cli_error_line(outcome: Outcome) -> str | None:
    """`An error occurred (AccessDeniedException) when calling the Decrypt operation: User: ...`.

    None when the request succeeded (or failed without an AWS error, which the lab never reports).
    """
    if outcome.decision == "allowed" or not (outcome.error or outcome.message):
        return None
    code = outcome.error or "AccessDeniedException"
    return f"An error occurred ({code}) when calling the {operation_name(outcome.action)} operation: " \
           f"{outcome.message or ''}"
