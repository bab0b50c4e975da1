"""KPI status against target, direction of travel, and action-plan status: the rules a
performance officer applies by hand, as pure functions on one indicator or action."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from sheetsync.read.measures import Measure
from sheetsync.settings.config import Config, Tolerance

GREEN, AMBER, RED, NO_TARGET, NO_DATA = "Green", "Amber", "Red", "No target", "No data"
#: An action's normalised status code and the colour word it stands for.
ACTION_CODES = {"G": "Green", "A": "Amber", "R": "Red", "B": "Blue"}
_HIGHER = ("higher", "high", "bigger", "larger", "maximise", "maximize", "increase", "more", "up",
           "max")
_LOWER = ("lower", "low", "smaller", "minimise", "minimize", "decrease", "reduce", "less", "down",
          "min")
_BAND = ("band", "goldilocks", "within", "range", "between")
_RAG_WORDS = {"g": GREEN, "green": GREEN, "a": AMBER, "amber": AMBER, "r": RED, "red": RED}


@dataclass(frozen=True, slots=True)
class KpiResult:
    """Everything sheetsync works out for one indicator."""

    status: str | None  #: Green / Amber / Red / No target / No data; None when it cannot tell.
    polarity: str  #: "higher", "lower" or "band".
    target_value: float | None
    actual_value: float | None
    unit: str
    target_unclear: bool = False
    actual_unreadable: bool = False
    units_differ: bool = False


def polarity_from_words(text: object) -> str | None:
    """"Higher is better", "Smaller values are best", "Aim to minimise", "High" -> a polarity."""
    if not isinstance(text, str):
        return None
    words = set(" ".join(text.casefold().replace("-", " ").split()).split())
    if words & set(_BAND):
        return "band"
    if words & set(_LOWER):
        return "lower"
    if words & set(_HIGHER):
        return "higher"
    return None


def rate_kpi(target: Measure | None, actual: Measure | None, polarity_text: object,
             tolerance: Tolerance, config: Config) -> KpiResult:
    """Status of one KPI: Green when met (equal counts), Amber within tolerance, Red beyond."""
    target = target or Measure(placeholder=True)
    actual = actual or Measure(placeholder=True)
    polarity = ("band" if target.low is not None else polarity_from_words(polarity_text)
                or {"<=": "lower", ">=": "higher"}.get(target.comparator or "")
                or config.kpi_default_polarity)
    unclear = target.problem is not None
    unreadable = actual.problem is not None
    result = partial(KpiResult, polarity=polarity, target_value=target.value, unit=target.unit,
                     target_unclear=unclear, actual_unreadable=unreadable)
    if target.value is None:
        return result(status=NO_TARGET, actual_value=actual.value)
    if actual.placeholder:
        return result(status=NO_DATA, actual_value=None)
    if unreadable or actual.value is None:
        return result(status=None, actual_value=None)
    value = comparable(actual, target)
    if value is None:
        return result(status=None, actual_value=actual.value, units_differ=True)
    return result(status=_status(value, target, polarity, tolerance), actual_value=value)


def comparable(actual: Measure, target: Measure) -> float | None:
    """The actual in the target's units, or None when the units cannot be compared."""
    if actual.value is None:
        return None
    if actual.unit == target.unit or "number" in (actual.unit, target.unit) and \
            "yes/no" not in (actual.unit, target.unit):
        if target.unit == "%" and actual.unit == "number" and abs(actual.value) > 1.5:
            return actual.value / 100  # NOTE: 95 typed against a 97% target means 95%
        if actual.unit == "%" and target.unit == "number" and abs(target.value or 0) > 1.5:
            return actual.value * 100
        return actual.value
    return None


def _status(value: float, target: Measure, polarity: str, tolerance: Tolerance) -> str:
    high = target.value if target.value is not None else 0.0
    if target.unit == "yes/no":
        return GREEN if value == high else RED
    low = target.low if target.low is not None else high
    if polarity == "band":
        if low <= value <= high:
            return GREEN
        edge = low if value < low else high
    elif polarity == "lower":
        if value <= high:
            return GREEN
        edge = high
    else:
        if value >= high:
            return GREEN
        edge = high
    gap = abs(value - edge)
    return AMBER if gap <= tolerance.allowed(edge, target.unit) + 1e-9 else RED


def direction(current: float | None, previous: Measure | None, target: Measure | None,
              polarity: str, threshold: Tolerance) -> str | None:
    """Improved / Worse / No change against the previous period, by the KPI's polarity."""
    if current is None or previous is None or previous.value is None or previous.problem:
        return None
    reference = target or Measure(value=None, unit=previous.unit)
    before = comparable(previous, reference) if reference.value is not None else previous.value
    if before is None:
        return None
    unit = reference.unit if reference.value is not None else previous.unit
    if abs(current - before) <= threshold.allowed(before, unit) + 1e-12:
        return "No change"
    if polarity == "band" and target is not None and target.value is not None:
        low = target.low if target.low is not None else target.value
        now, then = (_outside(x, low, target.value) for x in (current, before))
        return "Improved" if now < then else ("No change" if now == then else "Worse")
    better = current > before if polarity != "lower" else current < before
    return "Improved" if better else "Worse"


def _outside(value: float, low: float, high: float) -> float:
    """How far ``value`` lies outside the band [low, high]; 0 inside it."""
    return max(low - value, 0.0, value - high)


def stored_rag(text: object) -> str | None:
    """A RAG word as typed (G, green, Red...) -> Green / Amber / Red; None for anything else."""
    if not isinstance(text, str):
        return None
    return _RAG_WORDS.get(" ".join(text.casefold().split()))


def action_status(text: object, config: Config) -> str | None:
    """An action's status word -> G / A / R / B by the organisation's list, or None. Case,
    spacing, hyphens and underscores aside: ``In-Progress`` and ``in progress`` are one word."""
    if not isinstance(text, str):
        return None
    wanted = _status_key(text)
    for code, words in config.action_status.items():
        if wanted in (_status_key(w) for w in words):
            return code
    return None


def _status_key(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").replace("_", " ").split())
