"""Compare benchmarks/results/latest.json with the budget; exit 1 if a figure is over it.

    python -m benchmarks.check [PATH]      (make bench-check)

Judges the recorded values against benchmarks/budget.py as it is now, so a changed
budget applies to the last run without re-running it. Aims (gating=False) are listed
but do not fail. A suite that crashed during the run fails; figures the run did not
include (`--only`) are listed as missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .budget import FIGURES, figure
from .run import LATEST, fmt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the last benchmark run against the budget.")
    parser.add_argument("path", nargs="?", type=Path, default=LATEST)
    args = parser.parse_args(argv)
    if not args.path.exists():
        print(f"{args.path}: no results: run `make bench` first", file=sys.stderr)
        return 1
    data = json.loads(args.path.read_text())
    meta = data.get("meta", {})
    figures = data.get("figures", {})
    print(f"{args.path.name}: run of {meta.get('started', '?')}, commit {meta.get('commit', '?')}"
          f"{' (kmslab/ modified)' if meta.get('dirty') else ''}{', QUICK run' if meta.get('quick') else ''}")

    over, aims, ok = [], [], 0
    for name, recorded in figures.items():
        fig = figure(name)
        value = recorded["value"]
        if fig.op is None:
            continue
        text = f"{fig.label}: {fmt(value, fig.unit)}{'x' if fig.unit == 'x' else ' ' + fig.unit} ({fig.budget_text()})"
        if fig.over(value):
            (over if fig.gating else aims).append(text)
        else:
            ok += 1
    missing = [f.name for f in FIGURES if f.op is not None and f.name not in figures]
    errors = data.get("errors", {})

    for text in over:
        print(f"OVER      {text}")
    for text in aims:
        print(f"over aim  {text}  (not gating)")
    for suite, message in errors.items():
        print(f"FAILED    suite {suite}: {message.splitlines()[0] if message else ''}")
    for name in missing:
        print(f"missing   {name} (not in this run)")
    print(f"{ok} within budget, {len(over)} over budget, {len(aims)} over aim, {len(errors)} failed suites, "
          f"{len(missing)} missing")
    return 1 if over or errors else 0


if __name__ == "__main__":
    sys.exit(main())
