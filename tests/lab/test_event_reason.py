"""An event's reason is rendered when first read, and reads as the decision's reason did."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from kmslab import course


@pytest.fixture
def seed():
    lab = course.start("seed-without-root")
    yield lab
    lab.stop()


def test_the_logged_reasons_are_the_engines(seed):
    arn = seed.key_arn("demo")
    seed.client("kms", as_="kms-test-1").encrypt(KeyId=arn, Plaintext=b"x")
    with pytest.raises(ClientError):
        seed.client("kms", as_="kms-test-2").encrypt(KeyId=arn, Plaintext=b"x")
    kept = list(seed._events)
    assert kept[-1].decision is not None and kept[-2].decision is not None  # not rendered yet
    events = seed.events()
    assert list(events["outcome"][-2:]) == ["allowed", "denied"]
    assert list(events["reason"][-2:]) == [seed.request("kms-test-1", "kms:Encrypt", "demo").reason,
                                           seed.request("kms-test-2", "kms:Encrypt", "demo").reason]
    assert kept[-1].decision is None and kept[-1].reason == events["reason"].iloc[-1]  # rendered once, kept
    assert not any(r.startswith("lab setup") for r in events["reason"])
    assert any(r.startswith("lab setup") for r in seed.events(include_setup=True)["reason"])
