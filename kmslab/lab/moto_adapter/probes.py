"""A probe's preparation and undoing, done on moto's KMS backend directly (outside authorization).

A table row for kms:Decrypt needs a ciphertext made beforehand; kms:ScheduleKeyDeletion must be
undone so that the next row sees the same key. `kmslab.lab.calls` plans both through a `KeyStore`;
this one reads and writes moto's `KmsBackend` and its `Key` objects. It imports nothing from
kmslab, so the benchmarks' bare-moto baseline loads it stand-alone and prepares exactly as the lab does.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from typing import Any

# The attributes of a moto Key that each saved aspect covers.
ASPECTS: dict[str, tuple[str, ...]] = {
    "description": ("description",),
    "policy": ("policy",),
    "state": ("key_state", "enabled", "deletion_date"),
    "rotation": ("key_rotation_status",),
    # Imported key material (operations/import_material.py): the state, the material and what it was imported into.
    "import": ("key_state", "enabled", "deletion_date", "key_material", "private_key", "_kmslab_import"),
}


class KeyStore:
    """The keys of one moto KMS backend (one account and region), as a probe prepares and restores them."""

    __slots__ = ("_backend", "_importer")

    def __init__(self, backend: Any, importer: Callable[[Any], tuple[bytes, bytes]] | None = None) -> None:
        """`importer(moto_key)` prepares an import of key material (operations/import_material.prepared_import,
        handed in by world.key_store: this module imports nothing from kmslab)."""
        self._backend, self._importer = backend, importer

    def encrypt(self, key_id: str, plaintext: bytes, context: Mapping[str, str] | None) -> bytes:
        """A ciphertext under the key (what Encrypt would return), made without a request."""
        blob, _arn = self._backend.encrypt(key_id, plaintext, dict(context or {}))
        return blob

    def policy(self, key_id: str) -> str:
        """The key policy's text as moto stores it."""
        return self._backend.keys[key_id].policy

    def saved(self, key_id: str, aspect: str) -> Callable[[], None]:
        """An undo that puts `aspect` of the key back as it is now: description, policy, state, rotation
        or grants (grants made after this call are removed)."""
        key = self._backend.keys[key_id]
        if aspect == "rotations":  # a list moto appends to
            rotations = list(key.rotations)

            def undo_rotations() -> None:
                key.rotations[:] = rotations
            return undo_rotations
        if aspect == "grants":
            before = set(key.grants)

            def undo_grants() -> None:
                for grant_id in set(key.grants) - before:
                    del key.grants[grant_id]
            return undo_grants
        names = ASPECTS[aspect]
        values = tuple(getattr(key, name, None) for name in names)

        def undo() -> None:
            for name, value in zip(names, values, strict=True):
                setattr(key, name, value)
        return undo

    def add_grant(self, key_id: str, grantee: str, operations: Iterable[str], name: str) -> str:
        """A grant made without a request (for RevokeGrant to revoke); returns its id."""
        grant_id, _token = self._backend.create_grant(key_id, grantee, list(operations), name, {}, None)
        return grant_id

    def remove_grant(self, key_id: str, grant_id: str) -> None:
        self._backend.keys[key_id].grants.pop(grant_id, None)

    def remove_alias(self, key_id: str, alias: str) -> None:
        """Delete `alias` (alias/NAME) if it points at the key."""
        if alias in self._backend.keys[key_id].aliases:
            self._backend.delete_alias(alias)

    def untag(self, key_id: str, tag_keys: Iterable[str]) -> None:
        self._backend.untag_resource(key_id, list(tag_keys))

    def spec(self, key_id: str) -> tuple[str, str]:
        """(key spec, key usage) of the key."""
        key = self._backend.keys[key_id]
        return key.key_spec, key.key_usage

    def sign(self, key_id: str, message: bytes, algorithm: str) -> bytes:
        """A signature by the key over `message` (what Sign would return), made without a request. A key of a spec
        moto does not know (no signing algorithms in moto) signs with its own key pair (operations/key_pairs.py)."""
        key = self._backend.keys[key_id]
        if algorithm not in (key.signing_algorithms or []):
            return bytes(key.private_key.sign(message, algorithm))
        _arn, signature, _alg = self._backend.sign(key_id, message, algorithm)
        return bytes(signature)

    def mac(self, key_id: str, message: bytes, algorithm: str) -> bytes:
        """An HMAC by the key over `message` (what GenerateMac would return), made without a request
        (moto returns it as base64 text)."""
        mac, _alg, _key = self._backend.generate_mac(message=message, key_id=key_id, mac_algorithm=algorithm,
                                                     grant_tokens=[], dry_run=False)
        return base64.b64decode(mac)

    def add_alias(self, key_id: str, alias: str) -> None:
        """Point `alias` (alias/NAME) at the key, without a request."""
        self._backend.create_alias(key_id, alias)

    def tag(self, key_id: str, tags: Mapping[str, str]) -> None:
        """Tag the key without a request."""
        self._backend.tag_resource(key_id, dict(tags))

    def add_retirable_grant(self, key_id: str, grantee: str, retiring: str, name: str) -> str:
        """A grant `retiring` may retire, made without a request; returns its id."""
        grant_id, _token = self._backend.create_grant(key_id, grantee, ["Decrypt"], name, {}, retiring)
        return grant_id

    def import_request(self, key_id: str) -> tuple[bytes, bytes]:
        """(import token, wrapped key material) for an ImportKeyMaterial of the key, made without a request: the
        material the key had (a reimport must bring the same) or new material. On a key whose origin is not
        EXTERNAL, placeholder bytes: AWS refuses such a key before it reads them."""
        if self._importer is None:
            raise NotImplementedError("this KeyStore was made without an importer")
        return self._importer(self._backend.keys[key_id])

    def encapsulated(self, key_id: str) -> bytes:
        """A shared secret encapsulated under the key's public key (what Encapsulate would return), made without a
        request; for a key that is not an ML-KEM key, 1088 zero bytes (ML_KEM_768's size)."""
        key = self._backend.keys[key_id]
        if key.key_usage != "ENCAPSULATE_DECAPSULATE":
            return bytes(1088)
        _secret, blob = key.private_key.encapsulate()
        return bytes(blob)

    def of_account(self, account: str) -> KeyStore:
        """The keys of `account` in this store's region (a probe's helper key lives in the caller's account)."""
        from moto.kms.models import kms_backends

        return KeyStore(kms_backends[account][self._backend.region_name], self._importer)

    def scratch_key(self, policy: str, description: str) -> tuple[str, str]:
        """A symmetric encryption key made without a request: (key id, ARN). moto's random ids are left as
        they were, so the ids of keys made later do not depend on whether a probe ran."""
        from moto.moto_api._internal import mock_random

        state = mock_random.getstate()
        try:
            key = self._backend.create_key(policy, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", description, None)
        finally:
            mock_random.setstate(state)
        return key.id, key.arn

    def delete_key(self, key_id: str) -> None:
        """Remove a key outright (a scratch key, when the probe is over)."""
        self._backend.delete_key(key_id)
