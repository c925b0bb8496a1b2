"""Running a notebook twice in one kernel shows the same thing as Restart & Run All.

Each notebook starts its own clean lab, so a second run must give identical tables and
messages (up to the random parts AWS would also change: key ids, unique ids, times).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
_VOLATILE = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<key-id>"),
    (re.compile(r"\bA(?:IDA|ROA|KIA|SIA)[A-Z0-9]{12,}\b"), "<unique-id>"),
    (re.compile(r"\b[0-9a-f]{32,64}\b"), "<hex>"),
    (re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?"), "<time>"),
    (re.compile(r"at 0x[0-9a-f]+"), "at <address>"),
    (re.compile(r"\bT_[0-9a-f]{5}"), "T_<styler>"),  # pandas Styler's random table id
    (re.compile(r"/tmp/[^\s\"'<]+"), "<tmp>"),
]


def _normalise(text: str) -> str:
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def _outputs(nb: nbformat.NotebookNode) -> list[str]:
    out = []
    for cell in nb.cells:
        stream = ""  # a cell's printed text, however the kernel split it into stream messages
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                stream += o["text"]
                continue
            if stream:
                out.append(_normalise(stream))
                stream = ""
            if "data" in o:
                data = o["data"]
                if "application/vnd.jupyter.widget-view+json" in data:
                    out.append("<widget>")  # model ids differ; the widget's tables are checked by the widget tests
                else:
                    out.append(_normalise(data.get("text/html") or data.get("text/plain", "")))
        if stream:
            out.append(_normalise(stream))
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_running_twice_in_one_kernel_gives_identical_outputs(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        first = _outputs(nb)
        for index, cell in enumerate(nb.cells):
            cell.outputs = []
            client.execute_cell(cell, index)
        second = _outputs(nb)
    assert first == second
    assert any("kmslab" in text or "allowed" in text for text in first)  # it did show something
