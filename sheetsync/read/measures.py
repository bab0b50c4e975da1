"""Readers for KPI targets and actuals, and for money, as officers write them.

``97.00%``, ``0.97`` in a %-formatted cell, ``5 days``, ``<26 weeks``, ``>90%``, ``<£20,000``,
``£1.0m``, ``(£0.727m)``, ``between 95% and 98%``, ``Compliant``; and placeholders (``TBD``,
``Reactive``, ``As much as possible during the year``) that make a data-only indicator.
Like the other readers, these never raise.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from sheetsync.read.values import EXCEL_ERRORS, is_blank

UNITS = {"%": "%", "£": "£", "day": "days", "days": "days", "week": "weeks", "weeks": "weeks",
         "month": "months", "months": "months", "hour": "hours", "hours": "hours", "hrs": "hours",
         "mins": "minutes", "minutes": "minutes", "working days": "days", "points": "points",
         "point": "points", "pp": "points", "pts": "points", "percentage points": "points",
         "percentage point": "points"}
_SCALES = {"k": 1e3, "m": 1e6, "bn": 1e9, "million": 1e6, "billion": 1e9}
_COMPARATOR = r"(<=|>=|≤|≥|<|>)?"
_AMOUNT = r"(-)?\(?\s*(£)?\s*(\d[\d,]*\.?\d*|\.\d+)\s*(k|m|bn|million|billion)?\)?"
_UNIT = (r"\s*(%|working days|days?|weeks?|months?|hours?|hrs|mins|minutes|percentage points?|"
         r"points?|pp|pts)?")
_MEASURE = re.compile(rf"^{_COMPARATOR}\s*{_AMOUNT}{_UNIT}$", re.IGNORECASE)
_BAND = re.compile(r"^(?:between\s+)?(.+?)\s*(?:and|to|-|–)\s*(.+)$", re.IGNORECASE)
#: "<10% variance", "8% variance": a figure with its unit and a word naming what it measures.
_DESCRIBED = re.compile(r"^(.*\S)\s+([a-z]+(?: [a-z]+)?)$", re.IGNORECASE)
#: Words after a figure that change what it means ("10% reduction", "90% or more", "5 per
#: month"): such a figure is not read, it stays data only.
_QUALIFIERS = frozenset({
    "or", "and", "to", "than", "more", "less", "above", "below", "over", "under", "increase",
    "increased", "decrease", "decreased", "reduction", "reduce", "reduced", "improvement",
    "improve", "higher", "lower", "change", "growth", "rise", "fall", "up", "down", "per", "by",
    "of", "in", "from", "at", "on", "a", "an", "each", "every", "pa", "year", "years", "month",
    "quarter", "within", "min", "max", "minimum", "maximum", "average", "avg", "mean", "median",
    "plus", "minus", "only", "not", "no", "rate", "ratio", "share", "target", "early", "late",
    "ahead", "behind", "overdue", "overspend", "underspend", "saving", "savings", "surplus",
    "deficit",
})
YES_NO = {"compliant": True, "yes": True, "achieved": True, "met": True,
          "non-compliant": False, "non compliant": False, "not compliant": False, "no": False,
          "not achieved": False, "not met": False}


@dataclass(frozen=True, slots=True)
class Measure:
    """A target or an actual: a number with its unit, or a yes/no word, or why it is neither."""

    value: float | None = None
    unit: str = "number"  #: "%", "£", "days", "weeks", "months", "number" or "yes/no".
    comparator: str | None = None  #: "<=", ">=" (``<`` and ``>`` count as met when equal).
    low: float | None = None  #: For a band target: the lower end (``value`` is the upper).
    placeholder: bool = False  #: TBD, Reactive, blank: no target, a data-only indicator.
    problem: str | None = None  #: Why it cannot be read, in plain words.

    @property
    def usable(self) -> bool:
        return self.value is not None and self.problem is None

    def shown(self) -> str:
        if self.value is None:
            return ""
        return format_measure(self.value, self.unit)


def read_measure(value: Any, number_format: str | None = None) -> Measure:
    """A target or actual from a cell value (and its number format, for ``0.97`` shown as 97%)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Measure(placeholder=True)
    if isinstance(value, bool):
        return Measure(value=1.0 if value else 0.0, unit="yes/no")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            return Measure(problem="not a number")
        unit = "%" if number_format and "%" in number_format else (
            "£" if number_format and "£" in number_format else "number")
        return Measure(value=float(value), unit=unit)
    if not isinstance(value, str):
        return Measure(problem="not a number, a percentage or an amount")
    text = " ".join(value.split())
    lowered = text.casefold().rstrip(".")
    if lowered in EXCEL_ERRORS:
        return Measure(problem=f"the cell shows the Excel error {text}")
    if lowered in YES_NO:
        return Measure(value=1.0 if YES_NO[lowered] else 0.0, unit="yes/no")
    single = _single(text) or _described(text)
    if single is not None:
        return single
    band = _BAND.match(text)
    if band and re.search(r"\d", band.group(1)) and re.search(r"\d", band.group(2)):
        low, high = _single(band.group(1)), _single(band.group(2))
        if low and high and low.value is not None and high.value is not None:
            unit = high.unit if high.unit != "number" else low.unit
            ends = [value / 100 if unit == "%" and m.unit == "number" else value
                    for m, value in ((low, low.value), (high, high.value))]
            return Measure(value=max(ends), unit=unit, low=min(ends))
    if is_blank(text) or not re.search(r"\d", text):
        return Measure(placeholder=True)
    return Measure(problem=f"'{text}' cannot be read as one target or value")


def _described(text: str) -> Measure | None:
    """``<10% variance`` is ``<10%``: a figure with a unit (%, £, days...) followed by one or
    two words that name what is measured, none of which changes its meaning."""
    match = _DESCRIBED.match(text)
    if match is None or set(match.group(2).casefold().split()) & _QUALIFIERS:
        return None
    measure = _single(match.group(1))
    return measure if measure is not None and measure.unit != "number" else None


def _single(text: str) -> Measure | None:
    match = _MEASURE.match(text.replace(" ", " ").strip())
    if not match:
        return None
    comparator, minus, pound, digits, scale, unit = match.groups()
    if "," in digits and not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", digits):
        return None
    number = float(digits.replace(",", ""))
    if scale:
        number *= _SCALES[scale.lower()]
    if minus or (text.strip().startswith("(") and text.strip().endswith(")")):
        number = -number
    kind = "£" if pound else UNITS.get((unit or "").lower(), "number")
    if kind == "%":
        number /= 100
    if "%%" in text:
        return None
    comparator = {"<": "<=", "≤": "<=", ">": ">=", "≥": ">="}.get(comparator or "", comparator)
    return Measure(value=number, unit=kind, comparator=comparator)


def read_money(value: Any, scale: float = 1.0) -> Measure:
    """An amount of money: ``£1,200``, ``1,200``, ``£1.2m``, ``£50k``, ``(£0.727m)``, ``-£0.5m``.

    ``scale`` is the column's own unit from its header (``£'000`` is 1000, ``£m`` a million).
    """
    if is_blank(value) or (isinstance(value, str) and value.strip() in ("-", "–")):
        return Measure(placeholder=True)
    if isinstance(value, bool):
        return Measure(problem="expected an amount of money")
    if isinstance(value, (int, float)):
        return Measure(value=float(value) * scale, unit="£") if math.isfinite(value) else Measure(
            problem="expected an amount of money")
    if not isinstance(value, str):
        return Measure(problem="expected an amount of money")
    text = " ".join(value.split())
    compact = re.sub(r"^-\s*£", "-£", text.replace("£ ", "£"))
    measure = _single(compact)
    if measure is None or measure.unit not in ("£", "number") or measure.comparator:
        return Measure(problem=f"'{text}' is not an amount of money")
    has_own_scale = re.search(r"\d\s*(k|m|bn|million|billion)\)?$", text, re.IGNORECASE)
    amount = measure.value if has_own_scale else (measure.value or 0.0) * scale
    return Measure(value=amount, unit="£")


def money_scale(header: str) -> float:
    """The unit a column's header gives its money: ``£'000`` or ``£000s`` is 1000, ``£m`` a million."""
    text = header.casefold().replace(" ", "")
    if re.search(r"£'?000|£k|\(000s?\)|'000", text):
        return 1e3
    if re.search(r"£m\b|£m$|£million|\(£m\)", text):
        return 1e6
    return 1.0


def format_measure(value: float, unit: str) -> str:
    """A value as a committee report shows it: 97.0%, £1,200, 5 days, 6.3."""
    if unit == "%":
        return f"{value * 100:.1f}%".replace(".0%", "%")
    if unit == "£":
        sign = "-" if value < 0 else ""
        return f"{sign}£{abs(value):,.0f}" if abs(value) >= 100 else f"{sign}£{abs(value):,.2f}"
    if unit == "yes/no":
        return "Yes" if value else "No"
    number = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{number} {unit}" if unit not in ("number",) else number
