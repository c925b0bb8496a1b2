"""`python -m kmslab run|check|explain|serve`: scenario files from the command line.

Errors in a file are printed as one line naming the file (and line), never as a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from . import __version__
from .engine import UnknownActionError
from .engine.words import N_, _
from .lab import LabError
from .lab.errors import aws_cli_error_line
from .scenario import ScenarioError
from .text_width import columns as text_columns
from .text_width import wrap

if TYPE_CHECKING:
    from .lab import Outcome

EXIT_MISMATCH = 1
EXIT_ERROR = 2

# The CLI's own words: `--help` of kmslab and its commands, and the lines it prints about itself.
HELP: dict[str, str] = {
    "description": N_("Replay kmslab scenario files in a mocked AWS."),
    "version": N_("show kmslab's version number and exit"),
    "commands": N_("commands"),
    "run": N_("replay the requests of scenario files and show AWS's answers"),
    "run.json": N_("print JSON (one array, or an object per file)"),
    "files": N_("scenario files (.yaml or .json)"),
    "file": N_("a scenario file (.yaml or .json)"),
    "check": N_("compare every expect/expect_error with AWS's answers"),
    "explain": N_("the full decision path of one request"),
    "explain.principal": N_("who makes the request: a name of the scenario (e.g. kms-test-2) or an ARN"),
    "explain.action": N_("the IAM action, e.g. kms:Decrypt"),
    "explain.key": N_("the key, by its name in the scenario (none for an action that takes no key)"),
    "serve": N_("serve the scenario's world on 127.0.0.1 for any AWS client"),
    "serve.port": N_("the port on 127.0.0.1 (default: 5000)"),
    "interrupted": N_("kmslab: interrupted; nothing was served."),
    "no-such-file": N_("kmslab: {file}: no such file"),
}

# argparse's own words, as Python 3.11+ writes them (argparse translates them with gettext's `_`);
# `_argparse_words` passes them through kmslab's catalog while the CLI parses. Any other argparse
# message stays English.
ARGPARSE: tuple[str, ...] = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
)


def say(name: str, /, **values: object) -> str:
    """One of the CLI's own lines, in the language kmslab speaks."""
    return _(HELP[name]).format(**values) if values else _(HELP[name])


def every_template() -> Iterator[tuple[str, str]]:
    """(id, English template) of the CLI's own words, argparse's included (for the message catalogs)."""
    yield from ((f"help.{k}", v) for k, v in HELP.items())
    yield from ((f"argparse.{text.strip()}", text) for text in ARGPARSE)


@contextlib.contextmanager
def _argparse_words() -> Iterator[None]:
    """argparse's own words ("usage:", "options", its errors) through kmslab's catalog, for this parse only.

    argparse looks its words up through the module's `_` (gettext's) when it builds a parser and when it
    prints help or an error; the original is put back afterwards, so other argparse users see no change.
    """
    original = argparse._  # type: ignore[attr-defined]
    argparse._ = lambda text: _(text) if text in ARGPARSE else original(text)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = original  # type: ignore[attr-defined]


TABLE_COLUMNS = ("principal", "action", "key", "decision", "error", "reason")


def _print_table(outcomes: Sequence[Outcome]) -> None:
    rows = [(o.principal, o.action, o.key or "-", o.decision.upper() if o.decision != "allowed" else "allowed",
             o.error or "", o.reason) for o in outcomes]
    from .engine.words import cli_text

    print(text_table([cli_text(f"col/{c}") for c in TABLE_COLUMNS], rows))


def text_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table, every column right-aligned, as pandas' `to_string(index=False)` prints one.

    Written out so that `run` needs no pandas (a third of the CLI's start-up time).
    """
    if not rows:
        return "Empty DataFrame\nColumns: []\nIndex: []"

    def cell(value: str) -> str:
        return value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

    table = [list(columns), *([cell(v) for v in row] for row in rows)]
    widths = [max(text_columns(line[i]) for line in table) for i in range(len(columns))]
    return "\n".join(" ".join(" " * (w - text_columns(v)) + v for v, w in zip(line, widths, strict=True))
                     for line in table)


class UsageFormatter(argparse.HelpFormatter):
    """argparse's help, with the usage's continuation lines under the program name however wide the prefix.

    argparse indents them by `len(prefix)`: right for "usage: " (7 columns), 3 columns short for
    "使い方: " (5 characters, 8 columns: each kanji takes two). Here the usage is wrapped 3 columns narrower
    and its continuation lines are moved right by the difference.
    """

    def _format_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None) -> str:
        if prefix is None:
            prefix = argparse._("usage: ")  # type: ignore[attr-defined]  # argparse's word, kmslab's while parsing
        extra = text_columns(prefix) - len(prefix)
        if extra <= 0:
            return super()._format_usage(usage, actions, groups, prefix)
        self._width -= extra
        try:
            text = super()._format_usage(usage, actions, groups, prefix)
        finally:
            self._width += extra
        first, *rest = text.split("\n")
        return "\n".join([first, *(" " * extra + line if line.strip() else line for line in rest)])

    def _split_lines(self, text: str, width: int) -> list[str]:
        """A help text's lines, by terminal columns when it has wide characters (argparse counts characters)."""
        if text.isascii():
            return super()._split_lines(text, width)
        return wrap(" ".join(text.split()), width)


class Parser(argparse.ArgumentParser):
    """kmslab's argument parser: `UsageFormatter` by default, for its subcommands' parsers too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", UsageFormatter)
        super().__init__(*args, **kwargs)


def cmd_run(args: argparse.Namespace) -> int:
    from .engine import words
    from .runner import run_scenario

    results = {}
    for path in args.files:
        run = run_scenario(path)
        results[path] = [o.to_dict() for o in run.outcomes]
        if not args.json:
            scenario = run.scenario
            from .scenario.model import printable  # a title may hold control characters: never raw

            print(f"== {printable(str(path))}: {printable(scenario.title or scenario.name)}")
            for build in run.builds:
                if build.error:
                    print(words.cli_text("not-created", key=build.key, error=build.error, message=build.message))
            _print_table(run.outcomes)
            print()
    if args.json:
        payload = results[args.files[0]] if len(args.files) == 1 else results
        print(json.dumps(payload, indent=2))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .engine import words
    from .runner import run_scenario

    mismatches: list[str] = []
    checked = 0
    for path in args.files:
        # Strict, as `run`: a key AWS refuses to create, without expect_error, is the same clear error
        # (ScenarioBuildError, exit 2), not "0 passed, 0 failed" (issue 13).
        run = run_scenario(path)
        mismatches += run.mismatches()
        checked += run.checked()
    for line in mismatches:
        print(line)
    print(words.cli_text("check", passed=checked - len(mismatches), failed=len(mismatches)))
    return EXIT_MISMATCH if mismatches else 0


def cmd_explain(args: argparse.Namespace) -> int:
    from botocore.exceptions import ClientError

    from .engine import normalize_action, words
    from .runner import lab_from_scenario

    lab = lab_from_scenario(args.file)
    try:
        outcome = lab.request(args.principal, normalize_action(args.action), args.key)
    except ClientError as exc:  # a setup call the lab made for the request (e.g. AssumeRole) that AWS refused
        raise LabError(f"explain --principal {args.principal!r}: {exc}") from None
    finally:
        lab.stop()
    print(words.cli_text("request", principal=outcome.principal, action=outcome.action)
          + (words.cli_text("on-key", key=outcome.key) if outcome.key else ""))
    verdict = outcome.decision.upper()
    if verdict in ("ALLOWED", "DENIED"):
        verdict = words.flow_text(verdict)
    print(words.cli_text("decision", decision=verdict) + (f" ({outcome.error})" if outcome.error else ""))
    print(words.cli_text("why", reason=outcome.reason))
    if outcome.explanation is not None:  # every gate visited, the deciding gate and statements
        print("\n".join(words.cli_lines(outcome.explanation)))
    line = aws_cli_error_line(outcome)
    if line:
        print(words.cli_text("aws-says", line=line))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """`serve`: kmslab.serve does the work (the gate, the profiles, the signals)."""
    from .serve import ServeError, serve

    try:
        return serve(args.file, args.port, args.seconds)
    except ServeError as exc:
        print(f"kmslab: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:  # Ctrl-C before the server started (while the world was being built)
        print(say("interrupted"), file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    """The CLI's parser, its help in the language kmslab speaks (argparse's own words too, see `main`)."""
    parser = Parser(prog="kmslab", description=say("description"))
    parser.add_argument("--version", action="version", version=f"kmslab {__version__}", help=say("version"))
    sub = parser.add_subparsers(dest="command", required=True, title=say("commands"))
    run = sub.add_parser("run", help=say("run"), description=say("run"))
    run.add_argument("files", nargs="+", help=say("files"))
    run.add_argument("--json", action="store_true", help=say("run.json"))
    run.set_defaults(func=cmd_run)
    check = sub.add_parser("check", help=say("check"), description=say("check"))
    check.add_argument("files", nargs="+", help=say("files"))
    check.set_defaults(func=cmd_check)
    explain = sub.add_parser("explain", help=say("explain"), description=say("explain"))
    explain.add_argument("file", help=say("file"))
    explain.add_argument("--principal", required=True, help=say("explain.principal"))
    explain.add_argument("--action", required=True, help=say("explain.action"))
    explain.add_argument("--key", help=say("explain.key"))
    explain.set_defaults(func=cmd_explain)
    serve = sub.add_parser("serve", help=say("serve"), description=say("serve"))
    serve.add_argument("file", help=say("file"))
    serve.add_argument("--port", type=int, default=5000, help=say("serve.port"))
    serve.add_argument("--seconds", type=float, default=0, help=argparse.SUPPRESS)  # tests: stop after N s
    serve.set_defaults(func=cmd_serve)
    from .course.workspace import add_commands  # prepare / restore / status: the learner's workspace/ (stdlib only)

    add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `kmslab` and `python -m kmslab`; returns the exit status."""
    from .runner import ScenarioBuildError

    with _argparse_words():
        args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (ScenarioError, ScenarioBuildError, UnknownActionError, LabError) as exc:
        print(f"kmslab: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except FileNotFoundError as exc:
        print(say("no-such-file", file=exc.filename), file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        print(f"kmslab: {exc}", file=sys.stderr)
        return EXIT_ERROR


