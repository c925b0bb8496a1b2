"""The moto speedups change what moto costs, never what it answers (kmslab/lab/moto_adapter/speedups.py)."""

from __future__ import annotations

import inspect

import pytest
from moto.core import utils as moto_core_utils
from moto.iam.responses import IamResponse
from moto.kms.responses import KmsResponse
from moto.sts.responses import TokenResponse

from kmslab.lab import Lab
from kmslab.lab.moto_adapter import speedups


@pytest.mark.parametrize("cls", [KmsResponse, IamResponse, TokenResponse])
def test_function_names_answer_in_as_moto_lists_them(cls):
    """`name in FunctionNames(cls)` is `name in moto's list` for every name the class has, and others."""
    with Lab():  # kmslab's own operations are installed on KmsResponse
        listed = moto_core_utils.method_names_from_class(cls)  # moto's own function, unpatched
        names = speedups.FunctionNames(cls)
        assert listed and all(name in names for name in listed)
        others = [n for n in dir(cls) if n not in listed] + ["no_such_action", "mro", "__name__", "", "_"]
        assert not any(name in names for name in others)
        assert list(names) == listed and len(names) == len(listed) and names[0] == listed[0]


def test_a_method_added_later_is_found():
    """Nothing is cached: a method added to the class after the first question is listed at once."""
    class Response(KmsResponse):
        pass

    names = speedups.FunctionNames(Response)
    assert "kmslab_later_action" not in names
    Response.kmslab_later_action = lambda self: None  # type: ignore[attr-defined]
    assert "kmslab_later_action" in names
    del Response.kmslab_later_action
    assert "kmslab_later_action" not in names


def test_moto_call_action_uses_the_patch_and_still_answers():
    import moto.core.responses

    with Lab() as lab:
        assert moto.core.responses.method_names_from_class is speedups._method_names_from_class
        assert inspect.isfunction(speedups._ORIGINAL["method_names_from_class"])
        lab.create_key("k")
        kms = lab.client("kms")
        assert kms.describe_key(KeyId=lab.key_arn("k"))["KeyMetadata"]["Arn"] == lab.key_arn("k")
