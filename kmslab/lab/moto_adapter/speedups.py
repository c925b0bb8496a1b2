"""Patches that change what moto costs, never what it answers.

- moto makes an RSA-2048 key pair for every KMS key, symmetric ones too (50-300 ms each, the
  largest cost of building a world); only Sign, Verify and GetPublicKey read it. A key's pair is
  now made when one of those first needs it.
- moto lists regions with a boto3 Session of its own and parses botocore's service models with a
  fresh loader per service (scanning every service's folder); with `share_session`, both come from
  the lab's session, which has loaded them already for its clients. A model moto adds to (its
  "moto-extras") or botocore adds to (its "sdk-extras") still comes from moto's own loader, so
  what moto parses is exactly what it parsed before.
"""

from __future__ import annotations

import os
from functools import cache
from glob import glob
from typing import Any

import botocore
import moto
import moto.core.utils as moto_core_utils
import moto.kms.models as moto_kms_models
from moto.core.base_backend import AccountSpecificBackend

_ORIGINAL: dict[str, Any] = {}


class LazyPrivateKey:
    """Stands in for moto's key pair of one KMS key until something reads it."""

    __slots__ = ("_key_spec", "_key")

    def __init__(self, key_spec: str) -> None:
        self._key_spec, self._key = key_spec, None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # copy/pickle probes: not the key's
            raise AttributeError(name)
        if self._key is None:
            self._key = _ORIGINAL["generate_private_key"](self._key_spec)
        return getattr(self._key, name)


def _lazy_private_key(key_spec: str) -> LazyPrivateKey:
    return LazyPrivateKey(key_spec)


def apply_speedups() -> None:
    """Make moto's KMS key pairs lazy (once per process)."""
    if "generate_private_key" not in _ORIGINAL:
        _ORIGINAL["generate_private_key"] = moto_kms_models.generate_private_key
        moto_kms_models.generate_private_key = _lazy_private_key  # type: ignore[assignment]


@cache
def _plain_botocore_model(service_name: str, type_name: str) -> bool:
    """Whether neither moto nor botocore adds anything to this model: both loaders then load the same data."""
    moto_files = glob(os.path.join(os.path.dirname(moto.__file__), service_name.replace("-", ""), "*",
                                   f"{type_name}*.json*"))
    sdk_extras = glob(os.path.join(os.path.dirname(botocore.__file__), "data", service_name, "*",
                                   f"{type_name}.sdk-extras.json*"))
    return not moto_files and not sdk_extras


class _SharedLoader:
    """What moto's `create_loader()` returns while a session is shared: that session's (warm) loader
    for plain botocore models, moto's own loader for the rest."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        if _plain_botocore_model(service_name, type_name):
            return self._loader.load_service_model(service_name, type_name, api_version)
        return _ORIGINAL["create_loader"]().load_service_model(service_name, type_name, api_version)


def share_session(session: Any) -> None:
    """Let moto read regions and service models through `session` (a boto3 Session) instead of its own."""
    shared = _SharedLoader(session._session.get_component("data_loader"))
    if "create_loader" not in _ORIGINAL:
        _ORIGINAL["create_loader"] = moto_core_utils.create_loader
        _ORIGINAL["get_session"] = AccountSpecificBackend.get_session
    moto_core_utils.create_loader = lambda: shared  # type: ignore[assignment]
    AccountSpecificBackend.get_session = classmethod(lambda cls: session)  # type: ignore[assignment,method-assign]
