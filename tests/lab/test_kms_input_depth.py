"""kms_input's nesting check: the quick count answers exactly as the walk over every character."""

from __future__ import annotations

import json
import random

from kmslab.lab.kms_input import MAX_DEPTH, _depth, _too_deep


def test_the_quick_check_agrees_with_the_walk():
    rng = random.Random(12)
    texts = ["{}", "", '{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}',
             "[" * MAX_DEPTH + "]" * MAX_DEPTH, "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
             "{" * (MAX_DEPTH + 1), '"' + "[" * 100 + '"', '"\\"' + "[" * 100,
             json.dumps({"EncryptionContext": {f"k{i}": "{[" * i for i in range(40)}})]
    for _ in range(2000):
        length = rng.randint(0, 120)
        texts.append("".join(rng.choice('[]{}"\\ab') for _ in range(length)))
    for text in texts:
        assert _too_deep(text) == (_depth(text) > MAX_DEPTH), text
    assert _too_deep("[" * (MAX_DEPTH + 1)) and not _too_deep("[" * MAX_DEPTH)
