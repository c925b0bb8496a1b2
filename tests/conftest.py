"""Fixtures shared by the top-level tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parent.parent / "kmslab" / "scenarios" / "seed-without-root.yaml"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[object, int]]:
    """The seed scenario's lab behind `kmslab serve`'s server on an ephemeral loopback port: (lab, port)."""
    from kmslab.lab.moto_adapter import Server
    from kmslab.runner import lab_from_scenario
    from kmslab.serve.gate import gate

    lab = lab_from_scenario(SEED)
    server = Server("127.0.0.1", 0, gate)
    server.start()
    try:
        yield lab, server.address[1]
    finally:
        server.stop()
        lab.stop()
