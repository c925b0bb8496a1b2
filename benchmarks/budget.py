"""The performance budget: what each figure measures and the limit it must stay within.

`benchmarks.run` prints every figure against this table; `benchmarks.check` gates on it.
A limit with `gating=False` is an aim: reported (OVER AIM), but `make bench-check` passes.
A figure without a limit is reported only. Ratios are lab / baseline, measured in the same run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    unit: str  # "ms", "s", "MB", "x" (a ratio), "/s"
    op: str | None = None  # "<" or ">": the value must be below / above `limit`
    limit: float | None = None
    gating: bool = True

    def over(self, value: float) -> bool:
        if self.op is None or self.limit is None:
            return False
        return value >= self.limit if self.op == "<" else value <= self.limit

    def budget_text(self) -> str:
        if self.op is None:
            return "report"
        limit = f"{self.limit:,g}{'' if self.unit == 'x' else ' '}{self.unit}"
        return f"{'aim ' if not self.gating else ''}{self.op} {limit}"


FIGURES: tuple[Figure, ...] = (
    Figure("toggle.p50_ms", "widget toggle -> access table re-rendered, p50", "ms"),
    Figure("toggle.p95_ms", "widget toggle -> access table re-rendered, p95", "ms", "<", 40),
    # The same toggles in CPU time of the toggling thread: what other processes of a busy machine add to
    # the wall clock is not in it (reported, for reading the budgeted figure on a loaded machine).
    Figure("toggle.cpu_p95_ms", "  the same toggles, CPU time of the toggling thread, p95", "ms"),
    # Distinct calls: each a request the lab has not decided before (no decision-memo hit).
    Figure("kms_call.Encrypt.ratio", "one distinct KMS call through the lab: Encrypt / bare moto", "x", "<", 1.10),
    Figure("kms_call.Decrypt.ratio", "one distinct KMS call through the lab: Decrypt / bare moto", "x", "<", 1.10),
    Figure("kms_call.DescribeKey.ratio", "one distinct KMS call through the lab: DescribeKey / bare", "x", "<", 1.10),
    # The same call again: the lab answers from its decision memo (reported, for comparison).
    Figure("kms_call.Encrypt.memo_ratio", "  the same Encrypt again (decision memo hit) / bare moto", "x"),
    Figure("kms_call.Decrypt.memo_ratio", "  the same Decrypt again (decision memo hit) / bare moto", "x"),
    Figure("kms_call.DescribeKey.memo_ratio", "  the same DescribeKey again (decision memo hit) / bare", "x"),
    Figure("access_matrix.ratio", "access matrix 10 x 20 x 3, equal work / bare moto", "x", "<", 1.15),
    Figure("engine.decisions_per_s", "engine decisions per second, warm (same Requests again)", "/s", ">", 20_000),
    Figure("engine.cold_decisions_per_s", "engine decisions per second, cold (fresh Requests, no caches)", "/s"),
    Figure("import.kmslab.ratio", "import kmslab / import boto3", "x", "<", 2, gating=False),
    Figure("import.kmslab_lab.ratio", "import kmslab.lab / import boto3", "x", "<", 2, gating=False),
    Figure("import.moto_kms.ratio", "  (for reference: import moto.kms.models / import boto3)", "x"),
    Figure("cli.check_seed.ratio", "python -m kmslab check seed / python -c 'import boto3; moto'", "x", "<", 2.5),
    Figure("seed_build.s", "lab_from_scenario(seed) in a fresh process", "s", "<", 1),
    Figure("notebooks.total_s", "every notebook, each in a fresh kernel, total", "s", "<", 60, gating=False),
    Figure("memory.course_peak_mb", "peak RSS of a kernel after the whole course", "MB", "<", 250),
    Figure("memory.course_vs_baseline", "that peak / a kernel with pandas + ipywidgets", "x"),
)
BY_NAME = {f.name: f for f in FIGURES}


def figure(name: str) -> Figure:
    """The budget entry of a figure; names not listed (e.g. one per notebook) are reported only."""
    if name in BY_NAME:
        return BY_NAME[name]
    if name.startswith("notebooks.") and name.endswith("_s"):
        return Figure(name, f"  notebook {name[len('notebooks.'):-2]}", "s")
    return Figure(name, name, "")
