"""The adapter's own operations (kmslab/lab/moto_adapter/operations) never shadow one moto implements."""

from __future__ import annotations

from moto.kms.responses import KmsResponse

from kmslab.lab.moto_adapter import operations


def test_installed_operations_are_the_registered_ones_moto_lacks(lab):
    """After a Lab has started, each registered operation is answered by moto or by the adapter, never both."""
    installed = operations.implemented_by_adapter()
    assert installed <= set(operations.OPERATIONS)
    for name, method in operations.OPERATIONS.items():
        assert operations.innermost(name) is method or name not in installed
        if name in installed and getattr(KmsResponse, name) is not method:  # wrapped (DryRun): by an @around
            assert name in operations.AROUND


def test_registering_an_operation_uses_moto_method_naming():
    assert operations._snake("GenerateDataKeyPairWithoutPlaintext") == "generate_data_key_pair_without_plaintext"
    assert operations._snake("ConnectCustomKeyStore") == "connect_custom_key_store"
