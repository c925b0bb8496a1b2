"""A Scenario back to the file format: plain data, or YAML text that loads back to an equal Scenario."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import yaml

from .model import GrantSpec, KeySpec, RequestSpec, Scenario, root_arn
from .reader import INT_RE, INT_TAG


class _Dumper(yaml.SafeDumper):
    """Quotes every string that `_Loader` or any YAML 1.1 reader would take for another type."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_implicit_resolver(INT_TAG, INT_RE, list("-+0123456789"))


class _Flow(dict):
    """A mapping dumped on one line, `{principal: ..., action: ...}`, like hand-written requests."""


_Dumper.add_representer(
    _Flow, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)
)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data in the file format (defaults left out)."""
    return _data(scenario)


def _flow_requests(data: dict[str, Any]) -> dict[str, Any]:
    """Requests without a policy document read best on one line each."""
    if data.get("requests"):
        data = {**data, "requests": [r if "session_policy" in r or "parameters" in r else _Flow(r)
                                         for r in data["requests"]]}
    return data


def dump_scenario(scenario: Scenario) -> str:
    """YAML text of the scenario that loads back to an equal Scenario."""
    title = scenario.title
    header = f"# {title}\n" if title and title.isprintable() else ""  # a comment holds no control chars
    body = yaml.dump(
        _flow_requests(scenario_to_dict(scenario)),
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=100,
    )
    return header + body


# Fields written even when they hold their default (the file's required fields, and region).
_ALWAYS = {"version", "name", "region", "accounts", "account", "grantee", "operations", "principal", "action"}


def _data(value: Any) -> Any:
    """A model object, or anything inside one, as plain data in the file format."""
    if dataclasses.is_dataclass(value):
        return _fields(value)
    if isinstance(value, Mapping):
        return {k: _data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_data(v) for v in value]
    return value


def _fields(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if f.name not in ("line", "path") and (f.name in _ALWAYS or value != default):
            out[f.name] = _data(value)
    if isinstance(obj, KeySpec):
        if obj.created_by == root_arn(obj.account):
            del out["created_by"]
        if obj.state is not None or obj.origin == "EXTERNAL":
            # state: says it all (enabled: false beside it would read as Disabled); an EXTERNAL key without it
            # would read as PendingImport
            out.pop("enabled", None)
            out["state"] = obj.key_state
        if "expect_error" in out:  # last, as in the format's description
            out["expect_error"] = out.pop("expect_error")
    if isinstance(obj, Scenario) and "now" in out:  # the file's settings first, then its world
        out = {k: out[k] for k in ("version", "name", "title", "region", "now") if k in out} | out
    if isinstance(obj, RequestSpec) and obj.key is None:
        out.pop("key_ref", None)
    if isinstance(obj, GrantSpec):  # the file nests the two context constraints, before retiring_principal
        if "name" in out:
            out = {"name": out.pop("name"), **out}
        constraints = {n: out.pop(n) for n in ("encryption_context_subset", "encryption_context_equals") if n in out}
        retiring = out.pop("retiring_principal", None)
        if constraints:
            out["constraints"] = constraints
        if retiring is not None:
            out["retiring_principal"] = retiring
    return out
