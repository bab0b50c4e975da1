"""Fixtures shared by every test; the helpers themselves are in ``helpers``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from helpers import RISK_HEADER, write_openpyxl


@pytest.fixture
def risk_workbook(tmp_path: Path) -> Callable[..., Path]:
    """Write a single-sheet risk register (header on row 1) from rows; returns its path."""

    def make(*rows: Sequence[Any], header: Sequence[str] = RISK_HEADER, name: str = "risks.xlsx",
             sheet: str = "Risks") -> Path:
        return write_openpyxl(tmp_path / "in" / name, {sheet: [list(header), *rows]})

    return make
