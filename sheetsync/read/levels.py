"""Read a likelihood or impact as officers write it, on the scale that fits the sheet.

A level may be a whole number, a label of the scale in any case (``almost certain``), a label
with its number (``4 - Likely``, ``Likely (4)``, ``4 Likely``), a word of a word scale
(``H``, ``Med``, ``V High``) or a probability (``0.45``, ``45%``). Which scale a column is read
on is decided from the column as a whole: the workbook's own legend where it has one, else the
scale (the settings' or a word scale) that reads the most of its values. A value the scale
does not know is a ``TY04`` problem naming the words it does know; a number off the scale is
read as it is, for the ``RR03`` check to report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sheetsync.read.values import Reading, excel_error, is_blank
from sheetsync.settings.scales import Scale, Scoring, level_key, word_scale_scoring

_NUMBER_FIRST = re.compile(r"^\(?(\d+)\)?\s*(?:[-–:.=)]\s*)?([^\d].*)$")
_NUMBER_LAST = re.compile(r"^(.*[^\d\s(])\s*(?:[-–:=]\s*)?\(?(\d+)\)?$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)\s*%$")
_WHOLE = re.compile(r"^[+-]?\d+(?:\.0+)?$")
_DECIMAL = re.compile(r"^0?\.\d+$")


def read_level(value: Any, scale: Scale) -> Reading:
    """The level ``value`` names on ``scale`` (a float, as pandas keeps numbers), or a problem."""
    if value is None:
        return Reading()
    if isinstance(value, bool):
        return _unknown(value, scale)
    if isinstance(value, (int, float)):
        return _number(float(value), scale)
    if not isinstance(value, str):
        return _unknown(value, scale)
    error = excel_error(value)
    if error is not None:
        return error
    if is_blank(value):
        return Reading()
    text = " ".join(value.split())
    level = scale.words.get(level_key(text))
    if level is not None:
        return Reading(float(level))
    if _WHOLE.match(text) or _DECIMAL.match(text):
        return _number(float(text), scale)
    percent = _PERCENT.match(text)
    if percent:
        return _probability(float(percent.group(1)) / 100, value, scale)
    return _labelled_number(text, value, scale)


def _number(number: float, scale: Scale) -> Reading:
    if math.isnan(number):
        return Reading()
    if number.is_integer():
        return Reading(number)  # NOTE: off the scale (16) is RR03's to report, with the range
    if 0 < number < 1:
        return _probability(number, number, scale)
    return Reading(problem="TY04", detail=f"expected a whole number from 1 to {scale.size}")


def _probability(probability: float, value: Any, scale: Scale) -> Reading:
    for level, (low, high) in enumerate(scale.probabilities, start=1):
        if low <= probability <= high:
            return Reading(float(level))
    if not scale.probabilities:
        return Reading(problem="TY04", detail=f"a probability, and no probability ranges are set "
                                               f"for this scale; expected {scale.known_words()}")
    return _unknown(value, scale)


def _labelled_number(text: str, value: Any, scale: Scale) -> Reading:
    """``4 - Likely``, ``Likely (4)``, ``4 Likely``: the number and the label must agree."""
    for pattern, number_group, word_group in ((_NUMBER_FIRST, 1, 2), (_NUMBER_LAST, 2, 1)):
        match = pattern.match(text)
        if not match:
            continue
        number, word = int(match.group(number_group)), match.group(word_group).strip(" -–:.()")
        named = scale.words.get(level_key(word))
        if named is None:
            continue
        if named != number:
            return Reading(problem="TY04", detail=f"its number {number} and its word '{word}' "
                                                  f"(level {named}) disagree")
        return Reading(float(number))
    return _unknown(value, scale)


def _unknown(value: Any, scale: Scale) -> Reading:
    return Reading(problem="TY04", detail=f"expected {scale.known_words()}")


def _distinct(values: Iterable[Any]) -> list[tuple[Any, int]]:
    """Each distinct non-empty value with how often it comes: a column of 50,000 levels holds a
    handful of them, and each is looked at once."""
    counts: dict[tuple[type, Any], int] = {}
    for value in values:
        if value is not None:
            key = (type(value), value)
            counts[key] = counts.get(key, 0) + 1
    return [(value, count) for (_kind, value), count in counts.items() if not is_blank(value)]


def _share(distinct: list[tuple[Any, int]], scale: Scale) -> tuple[int, int]:
    read = given = 0
    for value, count in distinct:
        given += count
        reading = read_level(value, scale)
        if reading.problem is None and reading.value is not None and \
                1 <= reading.value <= scale.size:
            read += count
    return read, given


def choose_scale(values: Sequence[Any] | list[tuple[Any, int]], legend: Scale | None,
                 settings: Scale, word_scales: Sequence[Scale], *, counted: bool = False) -> Scale:
    """The scale a likelihood or impact column is read on.

    The workbook's own legend wins. Otherwise the settings' scale, unless a word scale reads
    more of the column's values (``High``/``Medium``/``Low`` are not the matrix's labels).
    """
    if legend is not None:
        return legend
    distinct = list(values) if counted else _distinct(values)
    words = [(v, n) for v, n in distinct if isinstance(v, str) and not _WHOLE.match(v.strip())]
    if sum(n for _v, n in words) * 2 <= sum(n for _v, n in distinct):
        return settings  # NOTE: numbers are the matrix's; a stray word is a finding on it
    best, best_read = settings, _share(words, settings)[0]
    for scale in word_scales:
        read = _share(words, scale)[0]
        if read > best_read:
            best, best_read = scale, read
    return best


def is_free_text(distinct: list[tuple[Any, int]], scale: Scale) -> bool:
    """A column of descriptions under an "Impact" header (what would happen, in words), not
    levels: most of its (distinct value, count) pairs are long text that no scale reads."""
    read, given = _share(distinct, scale)
    long_text = sum(n for v, n in distinct if isinstance(v, str) and len(v.split()) >= 4)
    return given > 0 and read * 2 < given and long_text * 2 >= given


def settle_scoring(layout_columns: dict[str, Any], raw: dict[str, list[Any]], settings: Scoring,
                   word_scales: Sequence[Scale], legend: Scoring | None = None
                   ) -> tuple[Scoring, list[str]]:
    """The scoring a risk sheet is read with, and the level columns that hold descriptions
    rather than levels (to be read as text, not checked as levels).

    ``raw`` maps each likelihood / impact column (``residual_impact``) to its values.
    """
    chosen: dict[str, Scale] = {}
    free_text: list[str] = []
    for axis in ("likelihood", "impact"):
        columns = [name for name in raw if name.endswith(f"_{axis}")]
        distinct = {name: _distinct(raw[name]) for name in columns}
        base = legend.scale(axis) if legend is not None else settings.scale(axis)
        scale = choose_scale([d for name in columns for d in distinct[name]],
                             legend.scale(axis) if legend is not None else None, base,
                             word_scales, counted=True)
        chosen[axis] = scale
        free_text += [name for name in columns
                      if is_free_text(distinct[name], scale)]
    if legend is not None:
        return legend, free_text
    return word_scale_scoring(chosen["likelihood"], chosen["impact"], settings), free_text
