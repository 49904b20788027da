"""The JSON depth check that runs before the decoder (issue 17: a body nested 1000 deep made the
decoder recurse past Python's limit, a 500)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.request_checks import json_depth

leaves = st.none() | st.booleans() | st.integers() | st.text(alphabet='ab[]{}"\\ ', max_size=8)
documents = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=20,
)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


@given(documents)
def test_the_depth_is_the_documents_nesting_whatever_brackets_its_strings_hold(doc: Any) -> None:
    assert json_depth(json.dumps(doc).encode()) == depth(doc)


def test_a_thousand_levels_are_counted_without_recursion() -> None:
    assert json_depth(b"[" * 1000 + b"]" * 1000) == 1000
