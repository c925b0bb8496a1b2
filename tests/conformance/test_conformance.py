"""AWS-documented cases, one topic per scenario file: every request's `expect` must be what AWS answers.

Each file in this folder is a kmslab scenario (docs/scenario-format.md) whose requests cite the sentence
of the AWS page they come from (the page's URL in a comment). `kmslab check FILE` runs one by hand; this
module runs them all and fails on any request whose answer differs from its expectation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kmslab.runner import run_scenario
from kmslab.scenario import load_scenario

HERE = Path(__file__).parent
FILES = sorted(HERE.glob("*.yaml"))
AWS_PAGE = re.compile(r"https://docs\.aws\.amazon\.com/\S+")


def test_the_folder_has_cases() -> None:
    assert FILES, "no conformance scenario files beside this module"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_request_answers_as_aws_documents(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.requests, f"{path.name} has no requests"
    unchecked = [i for i, r in enumerate(scenario.requests) if r.expect is None]
    assert not unchecked, f"{path.name}: requests without expect: {unchecked}"
    assert AWS_PAGE.search(path.read_text(encoding="utf-8")), f"{path.name} cites no AWS page"
    run = run_scenario(path)
    assert not run.mismatches(), "\n".join(run.mismatches())
