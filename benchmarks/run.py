"""Run every benchmark in fresh processes and print each figure against the budget.

    python -m benchmarks.run [--quick] [--only SUITE ...] [--out PATH]     (make bench)

Each repetition of a benchmark is its own process (`benchmarks.workers`), so no
repetition inherits warm caches from another. A figure's value is the median over
repetitions, printed with its spread (p95, min, max, IQR). Where a baseline exists
(bare moto, `import boto3`, a plain kernel) it runs in the same run, alternating with
the measured side, and the figure is the ratio of the two. Results go to
benchmarks/results/latest.json; `python -m benchmarks.check` (make bench-check) gates on it.
Over-budget figures do not fail this command: it measures, bench-check judges.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .budget import FIGURES, figure

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
LATEST = RESULTS / "latest.json"


# ---------------------------------------------------------------- statistics


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summary(samples: list[float]) -> dict[str, float]:
    return {"n": len(samples), "p50": statistics.median(samples), "p95": percentile(samples, 95),
            "min": min(samples), "max": max(samples), "iqr": percentile(samples, 75) - percentile(samples, 25)}


# ---------------------------------------------------------------- processes


class WorkerError(RuntimeError):
    pass


def child_env() -> dict[str, str]:
    """The environment of every benchmark process: this tree's kmslab first on the path.

    Notebook kernels inherit it, so they import the kmslab next to these benchmarks even
    when that is a scratch copy of the repository (an editable install points elsewhere).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    # Byte-code caches are written, as on a learner's machine (pip wrote boto3's and moto's at install): with
    # PYTHONDONTWRITEBYTECODE set (some sandboxes and CI images set it), every process would compile kmslab's
    # ~100 modules from source (~0.1 s) while the baselines load cached byte code, and the warm-up runs could
    # not write the caches they are there to write.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def spawn(case: str, n: int, timeout: float = 600, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """One fresh process running one benchmark case; its raw measurements."""
    with tempfile.TemporaryDirectory(prefix="kmslab-bench-") as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "benchmarks.workers", case, "--out", str(out), "--n", str(n), *extra]
        proc = subprocess.run(command,
                              cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0 or not out.exists():
            text = re.sub(r"\x1b\[[0-9;]*m", "", proc.stderr or proc.stdout)  # nbclient colours tracebacks
            tail = "\n".join(text.strip().splitlines()[-15:])
            raise WorkerError(f"worker {case!r} failed (exit {proc.returncode}):\n{tail}")
        return json.loads(out.read_text())


def import_time(module: str) -> float:
    """Seconds to import `module` in a fresh interpreter (measured inside it, startup excluded)."""
    code = ("import time; t0 = time.perf_counter(); import " + module + "; t1 = time.perf_counter(); "
            "import sys; sys.stdout.write(repr(t1 - t0))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=child_env(), capture_output=True, text=True,
                          timeout=120)
    if proc.returncode != 0:
        raise WorkerError(f"import {module} failed:\n{proc.stderr.strip()[-2000:]}")
    return float(proc.stdout)


def progress(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- suites


@dataclass
class Result:
    name: str
    samples: list[float]  # one per repetition (fresh process)
    detail: str = ""


@dataclass
class SuiteOutput:
    results: list[Result] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # measured anyway, but something failed (a notebook cell)


def _cell_errors(runs: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for run in runs:
        for where, raised in run.get("errors", {}).items():
            seen.setdefault(f"{where}: {raised[0]}" + (f" (+{len(raised) - 1} more)" if len(raised) > 1 else ""))
    return list(seen)


def ms(seconds: float) -> float:
    return seconds * 1000


def suite_toggle(reps: int, quick: bool) -> SuiteOutput:
    n = 12 if quick else 40
    runs = []
    for i in range(reps):
        progress(f"toggle: process {i + 1}/{reps}, {n} toggles")
        runs.append(spawn("toggle", n))
    pooled = [ms(s) for r in runs for s in r["samples"]]
    shape = f"{runs[0]['principals']} principals x {runs[0]['actions']} actions"
    if "requests" in runs[0]:
        shape += f", {runs[0]['requests']:g} KMS requests a toggle"
    detail = (f"{shape}, {len(pooled)} toggles in {reps} processes; pooled p50 {statistics.median(pooled):.1f}"
              f" p95 {percentile(pooled, 95):.1f} max {max(pooled):.1f} ms")
    results = [Result("toggle.p50_ms", [statistics.median([ms(s) for s in r["samples"]]) for r in runs], detail),
               Result("toggle.p95_ms", [percentile([ms(s) for s in r["samples"]], 95) for r in runs], detail)]
    if all("cpu" in r for r in runs):
        cpu = [ms(s) for r in runs for s in r["cpu"]]
        results.append(Result("toggle.cpu_p95_ms", [percentile([ms(s) for s in r["cpu"]], 95) for r in runs],
                              f"CPU time of the toggling thread; pooled p50 {statistics.median(cpu):.1f}"
                              f" p95 {percentile(cpu, 95):.1f} ms"))
    return SuiteOutput(results, {"runs": runs})


Pair = tuple[dict[str, Any], dict[str, Any]]


def _pairs(case: str, reps: int, n: int, bare_extra: tuple[str, ...] = ()) -> list[Pair]:
    """(lab, bare) measurements, alternating which side runs first."""
    pairs = []
    for i in range(reps):
        progress(f"{case}: pair {i + 1}/{reps} (lab and bare moto, fresh processes)")
        if i % 2 == 0:
            lab = spawn(f"{case}-lab", n)
            bare = spawn(f"{case}-bare", n, extra=bare_extra)
        else:
            bare = spawn(f"{case}-bare", n, extra=bare_extra)
            lab = spawn(f"{case}-lab", n)
        pairs.append((lab, bare))
    return pairs


def suite_kms_call(reps: int, quick: bool) -> SuiteOutput:
    n = 100 if quick else 300
    pairs = _pairs("kms-call", reps, n)
    per_process = [{side: {kind: {op: summary(s) for op, s in run[kind].items()} for kind in ("samples", "repeated")}
                    for side, run in (("lab", lab), ("bare", bare))} for lab, bare in pairs]
    out = SuiteOutput(raw={"pairs": per_process, "calls_per_op_per_process": n})
    kinds = (("samples", "ratio", "distinct calls"), ("repeated", "memo_ratio", "the same call again"))
    for kind, name, words in kinds:
        for op in ("Encrypt", "Decrypt", "DescribeKey"):
            lab = [statistics.median(lab[kind][op]) for lab, _ in pairs]
            bare = [statistics.median(bare[kind][op]) for _, bare in pairs]
            out.results.append(Result(
                f"kms_call.{op}.{name}", [a / b for a, b in zip(lab, bare, strict=True)],
                f"{words}: lab {statistics.median(lab) * 1e6:.0f} us vs bare {statistics.median(bare) * 1e6:.0f} us"
                f" per call (median of {n} calls per process)"))
    return out


def suite_access_matrix(reps: int, quick: bool) -> SuiteOutput:
    n = 2 if quick else 3
    progress("access-matrix: which requests the lab denies (one lab process)")
    verdicts = spawn("matrix-lab", 1)
    with tempfile.TemporaryDirectory(prefix="kmslab-bench-") as tmp:
        cells = Path(tmp) / "denied.json"
        cells.write_text(json.dumps(verdicts["denied"]))
        pairs = _pairs("matrix", reps, n, bare_extra=("--cells", str(cells)))
    lab = [statistics.median(lab["samples"]) for lab, _ in pairs]
    bare = [statistics.median(bare["samples"]) for _, bare in pairs]
    first = pairs[0][0]
    detail = (f"lab {statistics.median(lab):.2f} s vs bare {statistics.median(bare):.2f} s for "
              f"{first['requests']} requests ({first['verdicts']['allowed']} allowed, "
              f"{first['verdicts']['error']} errors, {first['verdicts']['denied']} denied: for these, bare moto "
              f"skips the operation as the lab does, {pairs[0][1]['skipped']} requests)")
    return SuiteOutput([Result("access_matrix.ratio", [a / b for a, b in zip(lab, bare, strict=True)], detail)],
                       {"pairs": pairs})


def suite_engine(reps: int, quick: bool) -> SuiteOutput:
    runs = []
    for i in range(reps):
        progress(f"engine: process {i + 1}/{reps} (replays {len(list((ROOT / 'kmslab/scenarios').glob('*.yaml')))}"
                 " scenarios to capture the corpus)")
        runs.append(spawn("engine", 3 if quick else 7))
    detail = f"{runs[0]['corpus']} engine Requests captured from {runs[0]['scenarios']} scenario files"
    return SuiteOutput(
        [Result("engine.decisions_per_s", [statistics.median(r["samples"]) for r in runs],
                f"warm: the same Request objects decided again; {detail}"),
         Result("engine.cold_decisions_per_s", [statistics.median(r["cold"]) for r in runs],
                f"cold: fresh Request objects, {runs[0]['caches']} engine caches cleared before each decision")],
        {"runs": runs})


def suite_import(reps: int, quick: bool) -> SuiteOutput:
    # moto.kms.models: what any KMS mock costs to import, so the kmslab.lab figure can be read against it.
    modules = ("boto3", "kmslab", "kmslab.lab", "moto.kms.models")
    for m in modules:  # once unmeasured: byte-code caches written
        import_time(m)
    times: dict[str, list[float]] = {m: [] for m in modules}
    for i in range(reps):
        progress(f"import: round {i + 1}/{reps} ({', '.join(modules)}, fresh interpreters)")
        for m in modules[i % len(modules):] + modules[:i % len(modules)]:  # rotate the order
            times[m].append(import_time(m))
    base = times["boto3"]
    out = SuiteOutput(raw={"seconds": times})
    for m, name in (("kmslab", "import.kmslab.ratio"), ("kmslab.lab", "import.kmslab_lab.ratio"),
                    ("moto.kms.models", "import.moto_kms.ratio")):
        out.results.append(Result(
            name, [a / b for a, b in zip(times[m], base, strict=True)],
            f"import {m} {ms(statistics.median(times[m])):.0f} ms vs "
            f"import boto3 {ms(statistics.median(base)):.0f} ms"))
    return out


CLI_BASELINE = "import boto3; from moto import mock_aws"


def wall_time(command: list[str]) -> float:
    """Seconds from starting a fresh interpreter to its exit (startup included); it must exit 0."""
    t0 = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise WorkerError(f"{' '.join(command)} exited {proc.returncode}:\n{(proc.stderr or proc.stdout)[-2000:]}")
    return elapsed


def suite_cli(reps: int, quick: bool) -> SuiteOutput:
    seed = str(ROOT / "kmslab" / "scenarios" / "seed-without-root.yaml")
    commands = {"check": [sys.executable, "-m", "kmslab", "check", seed],
                "baseline": [sys.executable, "-c", CLI_BASELINE]}
    for command in commands.values():  # once unmeasured: byte-code caches written
        wall_time(command)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(reps):
        progress(f"cli: round {i + 1}/{reps} (kmslab check on the seed scenario, and the baseline)")
        for name in list(commands)[i % 2:] + list(commands)[:i % 2]:  # alternate which runs first
            times[name].append(wall_time(commands[name]))
    return SuiteOutput(
        [Result("cli.check_seed.ratio", [a / b for a, b in zip(times["check"], times["baseline"], strict=True)],
                f"python -m kmslab check seed-without-root.yaml {statistics.median(times['check']):.2f} s vs "
                f"python -c \"{CLI_BASELINE}\" {statistics.median(times['baseline']):.2f} s, each a fresh process")],
        {"seconds": times})


def suite_seed_build(reps: int, quick: bool) -> SuiteOutput:
    runs = []
    for i in range(reps):
        progress(f"seed build: process {i + 1}/{reps}")
        runs.append(spawn("seed-build", 1))
    imports = [r["import"] for r in runs]
    cold = [r["import"] + r["build"] for r in runs]
    detail = (f"after import kmslab.runner ({statistics.median(imports):.2f} s); "
              f"import + build {statistics.median(cold):.2f} s")
    return SuiteOutput([Result("seed_build.s", [r["build"] for r in runs], detail)], {"runs": runs})


def suite_notebooks(reps: int, quick: bool) -> SuiteOutput:
    outputs = []
    for i in range(reps):
        progress(f"notebooks: round {i + 1}/{reps} (each notebook in a fresh kernel)")
        outputs.append(spawn("notebooks", 1))
    runs = [o["notebooks"] for o in outputs]
    names = list(runs[0])
    errors = _cell_errors(outputs)
    out = SuiteOutput([Result("notebooks.total_s", [sum(r.values()) for r in runs],
                              f"{len(names)} notebooks, kernel start included"
                              + (f"; {len(errors)} raised (see FAILED)" if errors else ""))],
                      {"runs": outputs}, errors)
    for name in names:
        out.results.append(Result(f"notebooks.{Path(name).stem}_s", [r[name] for r in runs],
                                  "RAISED: " + outputs[0]["errors"][name][0] if name in outputs[0]["errors"] else ""))
    return out


def suite_memory(reps: int, quick: bool) -> SuiteOutput:
    runs = []
    for i in range(reps):
        progress(f"memory: round {i + 1}/{reps} (the course in one kernel, then a baseline kernel)")
        runs.append(spawn("memory", 1))
    steps = {name: statistics.median([r["after_each_mb"][name] for r in runs]) for name in runs[0]["after_each_mb"]}
    base = statistics.median([r["baseline_mb"] for r in runs])
    return SuiteOutput(
        errors=_cell_errors(runs), results=[Result("memory.course_peak_mb", [r["course_mb"] for r in runs],
                "after " + ", ".join(f"{Path(k).stem[:2]}: {v:.0f}" for k, v in steps.items()) + " MB"),
         Result("memory.course_vs_baseline", [r["course_mb"] / r["baseline_mb"] for r in runs],
                f"baseline kernel (import pandas, ipywidgets) {base:.0f} MB")],
        raw={"runs": runs})


# name -> (function, repetitions, repetitions with --quick)
SUITES: dict[str, tuple[Callable[[int, bool], SuiteOutput], int, int]] = {
    "toggle": (suite_toggle, 5, 2),
    "kms-call": (suite_kms_call, 5, 2),
    "access-matrix": (suite_access_matrix, 5, 2),
    "engine": (suite_engine, 5, 2),
    "import": (suite_import, 9, 3),
    "cli": (suite_cli, 9, 3),
    "seed-build": (suite_seed_build, 7, 3),
    "notebooks": (suite_notebooks, 2, 1),
    "memory": (suite_memory, 1, 1),
}


# ---------------------------------------------------------------- output


def fmt(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.3f}"
    if unit == "/s":
        return f"{value:,.0f}"
    if unit == "MB":
        return f"{value:.0f}"
    if unit == "s":
        return f"{value:.2f}"
    return f"{value:.1f}"


def status(name: str, value: float) -> str:
    fig = figure(name)
    if fig.op is None:
        return "report"
    if fig.over(value):
        return "OVER" if fig.gating else "OVER AIM"
    return "OK"


def line(name: str, stats: dict[str, float], detail: str) -> str:
    """`label ....... value unit  (budget)  STATUS`, then the spread and what was measured."""
    fig = figure(name)
    value = stats["p50"]
    unit = "x" if fig.unit == "x" else f" {fig.unit}"
    verdict = status(name, value)
    text = (f"{(fig.label + ' ').ljust(62, '.')} {fmt(value, fig.unit):>8}{unit:<4} "
            f"({fig.budget_text()}){'' if verdict == 'report' else ' ' + verdict}")
    if stats["n"] > 1:
        spread = (f"n={stats['n']} p95 {fmt(stats['p95'], fig.unit)} min {fmt(stats['min'], fig.unit)} "
                  f"max {fmt(stats['max'], fig.unit)} IQR {fmt(stats['iqr'], fig.unit)}")
    else:
        spread = "n=1"
    return f"{text}\n{'':6}{spread}" + (f"; {detail}" if detail else "")


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in ("kmslab", "boto3", "botocore", "moto", "pandas", "ipywidgets", "ipykernel", "nbclient"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "?"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run kmslab's benchmarks (each repetition in a fresh process).")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions: a smoke run, not a measurement")
    parser.add_argument("--only", nargs="+", choices=list(SUITES), metavar="SUITE",
                        help=f"run only these suites ({', '.join(SUITES)})")
    parser.add_argument("--out", type=Path, default=LATEST, help=f"where to write the JSON (default {LATEST})")
    args = parser.parse_args(argv)

    started = time.time()
    meta = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(git("status", "--porcelain", "--", "kmslab")),
        "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(), "quick": args.quick, "versions": versions(), "root": str(ROOT),
    }
    print(f"kmslab benchmarks: commit {meta['commit']}{' (kmslab/ modified)' if meta['dirty'] else ''}, "
          f"Python {meta['python']}, {meta['cpus']} CPUs, load {meta['loadavg_start'][0]:.2f}"
          f"{', QUICK (smoke run)' if args.quick else ''}")
    print("value = median over repetitions (fresh processes); ratios = lab / baseline measured in this run\n")

    figures: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for suite, (run, reps, quick_reps) in SUITES.items():
        if args.only and suite not in args.only:
            continue
        t0 = time.perf_counter()
        try:
            output = run(quick_reps if args.quick else reps, args.quick)
        except (WorkerError, subprocess.TimeoutExpired, KeyError, ValueError) as exc:
            errors[suite] = str(exc)
            print(f"{suite}: FAILED\n{exc}\n", flush=True)
            continue
        raw[suite] = {**output.raw, "seconds": time.perf_counter() - t0}
        for result in output.results:
            stats = summary(result.samples)
            fig = figure(result.name)
            figures[result.name] = {
                "label": fig.label, "unit": fig.unit, "value": stats["p50"], "stats": stats,
                "samples": result.samples, "detail": result.detail, "suite": suite,
                "budget": {"op": fig.op, "limit": fig.limit, "gating": fig.gating},
                "status": status(result.name, stats["p50"]),
            }
            print(line(result.name, stats, result.detail), flush=True)
        if output.errors:
            errors[suite] = "; ".join(output.errors)
            print(f"{suite}: FAILED (measured anyway): " + "\n  ".join(output.errors), flush=True)

    meta["seconds"] = time.time() - started
    meta["loadavg_end"] = os.getloadavg()
    print(f"\nload average {meta['loadavg_start'][0]:.2f} at the start, {meta['loadavg_end'][0]:.2f} at the end "
          f"(a busy machine inflates absolute times; ratios less so)")
    meta["suites"] = args.only or list(SUITES)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"schema": 1, "meta": meta, "figures": figures, "errors": errors, "raw": raw},
                                   indent=1))
    over = [n for n, f in figures.items() if f["status"] == "OVER"]
    aims = [n for n, f in figures.items() if f["status"] == "OVER AIM"]
    known = {f.name for f in FIGURES}
    missing = [n for n in known if n not in figures and not args.only]
    print(f"{len(figures)} figures in {meta['seconds']:.0f} s; over budget: {', '.join(over) or 'none'}; "
          f"over aim: {', '.join(aims) or 'none'}" + (f"; missing: {', '.join(missing)}" if missing else ""))
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}; "
          "`make bench-check` compares it with the budget")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
