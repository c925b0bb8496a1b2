"""YAML (and JSON) text -> plain data whose mappings and lists remember their lines.

Plain scalars read like YAML 1.2's core schema, duplicate keys are refused, and a file can ask
for no more than the format's limits: aliases, nesting and the values a document expands to are
counted on PyYAML's node graph, before any Python object is built.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

from .model import MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES, ScenarioError
from .words import say


class LineMap(dict[Any, Any]):
    """A YAML mapping that remembers where it, its keys and its values start."""

    line: int = 0
    key_lines: dict[Any, int]
    value_lines: dict[Any, int]

    def key_line(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)

    def value_line(self, key: Any) -> int:
        return self.value_lines.get(key, self.line)


class LineSeq(list[Any]):
    """A YAML sequence that remembers where it and each item start."""

    line: int = 0
    item_lines: list[int]

    def item_line(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


_MERGE = "tag:yaml.org,2002:merge"
INT_TAG = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
# Plain scalars read like YAML 1.2's core schema: only true/false are booleans (not
# yes/no/on/off), integers are decimal (or 0x/0o), and nothing is a timestamp, so
# `Version: 2012-10-17` stays the string IAM wants.
INT_RE = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


def _line(node: yaml.Node) -> int:
    line: int = node.start_mark.line  # 0-based
    return line + 1


class _TooMuch(Exception):
    """The file asks for more than a limit allows (raised while reading it)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


# libyaml's parser when PyYAML has it (its wheels do): ten times faster than the pure-Python one,
# and it refuses flow nesting beyond 1,000 levels on its own.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]  # PyYAML ships no type information: its loaders are Any
    """A safe loader with line-tracking containers, core-schema scalars, no duplicate keys, and
    the format's limits, checked on the node graph before any Python object is built."""

    def get_single_node(self) -> yaml.Node | None:
        node = super().get_single_node()
        if node is not None:
            _Budget().measure(node, 0)
        return node


class _Budget:
    """What a node graph expands to, every alias followed: raises _TooMuch past the limits on
    aliases, nesting and values. Each node is measured once, so an alias bomb costs as little
    to measure as it takes to write."""

    def __init__(self) -> None:
        self.sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, nesting) once measured
        self.open: set[int] = set()  # collections being measured (one seen again: a cycle)
        self.aliases = 0

    def measure(self, node: yaml.Node, level: int) -> tuple[int, int]:
        """(values, nesting) of `node`, which `level` collections enclose."""
        known = self.sizes.get(id(node))
        if known is not None:  # a second visit: an alias
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _TooMuch(_line(node), say("too_many_aliases", limit=f"{MAX_ALIASES:,}"))
            self.check_depth(node, level + known[1])
            return known
        if not isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
            self.sizes[id(node)] = (1, 0)
            return 1, 0
        if id(node) in self.open:
            raise _TooMuch(_line(node), say("recursive_anchor"))
        self.check_depth(node, level + 1)
        self.open.add(id(node))
        children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        values, nesting = 1, 0
        for child in children:
            child_values, child_nesting = self.measure(child, level + 1)
            values, nesting = values + child_values, max(nesting, child_nesting)
            if values > MAX_VALUES:
                raise _TooMuch(_line(node), say("too_many_values", limit=f"{MAX_VALUES:,}"))
        self.open.discard(id(node))
        self.sizes[id(node)] = values, nesting + 1
        return values, nesting + 1

    @staticmethod
    def check_depth(node: yaml.Node, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise _TooMuch(_line(node), say("too_deep", limit=MAX_DEPTH))


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (INT_TAG, _BOOL, "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, _BOOL_RE, list("tTfF"))
_Loader.add_implicit_resolver(INT_TAG, INT_RE, list("-+0123456789"))


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    try:
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text, 10)
    except ValueError:
        raise yaml.constructor.ConstructorError(None, None, say("not_an_integer", text=text), node.start_mark) from None


def _construct_bool(loader: _Loader, node: yaml.ScalarNode) -> bool:
    text: str = loader.construct_scalar(node)
    if not _BOOL_RE.match(text):
        raise yaml.constructor.ConstructorError(None, None, say("not_a_boolean", text=text), node.start_mark)
    return text.lower() == "true"


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[LineMap]:
    data = LineMap()
    data.line = _line(node)
    data.key_lines, data.value_lines = {}, {}
    yield data
    seen: dict[tuple[str, str], int] = {}
    for key_node, _ in node.value:
        if key_node.tag != _MERGE and isinstance(key_node, yaml.ScalarNode):
            ident = (key_node.tag, key_node.value)
            if ident in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    say("duplicate_key", key=key_node.value, line=seen[ident]),
                    key_node.start_mark,
                )
            seen[ident] = _line(key_node)
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, say("plain_key"), key_node.start_mark
            ) from None
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = _line(key_node)
        data.value_lines[key] = _line(value_node)


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Iterator[LineSeq]:
    data = LineSeq()
    data.line = _line(node)
    data.item_lines = [_line(n) for n in node.value]
    yield data
    data.extend(loader.construct_object(n, deep=True) for n in node.value)


_Loader.add_constructor(INT_TAG, _construct_int)
_Loader.add_constructor(_BOOL, _construct_bool)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def read_yaml(text: str, source: str) -> Any:
    """The file's data, with line numbers (LineMap, LineSeq); raise ScenarioError."""
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(source, None, say("too_large_chars", limit=f"{MAX_FILE_BYTES:,}"))
    if "\t" in text:
        # JSON allows tabs between tokens, YAML does not; a valid JSON text has no raw
        # tab inside a string, so expanding them keeps its meaning (and line numbers).
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            pass
        else:
            text = text.replace("\t", " ")
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except _TooMuch as exc:
        raise ScenarioError(source, exc.line, say("the_file", problem=exc.message)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and exc.context not in problem:
            problem = f"{problem} ({exc.context})"
        raise ScenarioError(source, mark.line + 1 if mark else None, say("yaml_syntax", problem=problem)) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, ESC...): say which, and where
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        character = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise ScenarioError(source, line, say("yaml_control", code=f"{ord(character):04X}")) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(source, None, say("yaml_syntax", problem=exc)) from None
    except RecursionError:  # the pure-Python parser, on nesting deeper than Python's stack
        raise ScenarioError(source, None, say("too_deep_file", limit=MAX_DEPTH)) from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise ScenarioError(source, None, say("yaml_syntax", problem=exc)) from None
