"""The examples in the small parsers' docstrings are tests (issue 12): they run here, so a
docstring cannot drift from what the parser does."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["extract.vnnumbers", "extract.textnorm", "extract.rules", "extract.show"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 1, f"{name} has no examples"
    assert result.failed == 0
