"""A KeyId given as a key ARN reaches moto as the bare key id, and nothing else in the body changes.

The hook swaps the ARN for the id in place when the body's only occurrence of it is KeyId's value; a body that writes
KeyId with JSON escapes while another parameter holds the plain ARN is written anew instead (found in review: the
in-place swap once rewrote the EncryptionContext value, so the ciphertext was bound to another context than the one
the engine had authorized).
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def _send_body(kms, operation: str, body: str):
    """Make the client send exactly `body` for its next `operation` request (a hand-written request)."""
    def replace(request, **_):
        request.body = body.encode()
        request.headers["Content-Length"] = str(len(request.body))
    kms.meta.events.register_first(f"before-send.kms.{operation}", replace)
    return replace


@pytest.mark.parametrize("escaped", [False, True], ids=["plain", "escaped-slash"])
def test_the_encryption_context_is_bound_as_sent(seed, escaped):
    kms = seed.client("kms", as_="kms-test-1")
    arn, key_id = seed.key_arn("demo"), seed.key_id("demo")
    context = {"k": arn}  # the key's own ARN as a context value, beside KeyId
    key_field = arn.replace("/", "\\/") if escaped else arn  # JSON allows "\/" for "/"
    body = f'{{"KeyId": "{key_field}", "Plaintext": "aGk=", "EncryptionContext": {json.dumps(context)}}}'
    assert json.loads(body)["KeyId"] == arn
    hook = _send_body(kms, "Encrypt", body)
    try:
        blob = kms.encrypt(KeyId=arn, Plaintext=b"hi", EncryptionContext=context)["CiphertextBlob"]
    finally:
        kms.meta.events.unregister("before-send.kms.Encrypt", hook)
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"] == b"hi"
    with pytest.raises(ClientError) as refused:  # bound to the context as sent, not to a rewritten one
        kms.decrypt(CiphertextBlob=blob, EncryptionContext={"k": key_id})
    assert refused.value.response["Error"]["Code"] == "InvalidCiphertextException"
