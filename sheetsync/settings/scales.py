"""Likelihood and impact scales, and how a sheet's scores and ratings are worked out.

Officers write a level as a number (``4``), as the matrix's own label in any case
(``almost certain``), as a label with its number (``4 - Likely``), as a word of a smaller word
scale (``H/M/L``, ``Very low ... Very high``) or as a probability (``0.45``, ``45%``). A
``Scale`` knows every word for each of its levels; a ``Scoring`` holds a sheet's two scales, its
score bands and, where a matrix gives them, its looked-up scores or ratings. The settings give
the defaults; a workbook's own legend, found by ``read.legend``, makes a ``Scoring`` of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

AXES = ("likelihood", "impact")


@dataclass(frozen=True, slots=True)
class Band:
    """One rating band: scores from ``start`` up to the next band's start."""

    name: str
    start: int
    colour: str  #: Hex RRGGBB without '#'.
    also: tuple[str, ...] = ()


def level_key(text: object) -> str:
    """A level word reduced for matching: case, spacing, dots and ``v``/``very`` ignored."""
    value = str(text).casefold().replace(".", " ").replace("-", " ").replace("_", " ")
    words = ["very" if w in ("v", "vry") else w for w in value.split()]
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Scale:
    """One axis of a risk matrix: its levels, lowest first, and every word that names each."""

    axis: str  #: likelihood or impact.
    labels: tuple[str, ...]  #: The name of each level, lowest first.
    words: dict[str, int]  #: ``level_key`` of every accepted word -> level (1-based).
    source: str  #: Where it comes from: "settings", "word scale High / Medium / Low", a legend.
    #: Probabilities (0..1) each level covers, as (from, up to) pairs, lowest level first.
    probabilities: tuple[tuple[float, float], ...] = ()
    #: For a word scale: the score each of the organisation's bands starts at on it.
    band_starts: tuple[int, ...] = ()

    @property
    def size(self) -> int:
        return len(self.labels)

    def known_words(self) -> str:
        """The words an officer may write, for messages: "Low, Medium or High (or 1 to 3)"."""
        labels = list(self.labels)
        if all(label.isdigit() for label in labels):
            return f"a whole number from 1 to {self.size}"
        listed = ", ".join(labels[:-1]) + f" or {labels[-1]}" if len(labels) > 1 else labels[0]
        return f"{listed} (or 1 to {self.size})"


@dataclass(frozen=True, slots=True)
class WordScale:
    """A scale of words some registers use instead of the matrix's labels (``H/M/L``), and the
    score each of the organisation's bands starts at on it."""

    name: str
    levels: tuple[tuple[str, ...], ...]  #: Each level's words, lowest first; the first is its name.
    band_starts: tuple[int, ...]  #: The score each organisation band starts at here, lowest first.

    def scale(self, axis: str) -> Scale:
        words = {level_key(w): number for number, level in enumerate(self.levels, start=1)
                 for w in level}
        return Scale(axis=axis, labels=tuple(level[0] for level in self.levels), words=words,
                     source=f"word scale {self.name}", band_starts=self.band_starts)


@dataclass(frozen=True, slots=True)
class Scoring:
    """How one sheet's levels, scores and ratings are read and worked out."""

    likelihood: Scale
    impact: Scale
    bands: tuple[Band, ...]
    #: ``product`` (likelihood x impact) or ``matrix`` (scores or ratings looked up).
    method: str = "product"
    #: Score of each (likelihood, impact) cell, likelihood rows lowest first, where a matrix gives them.
    score_matrix: tuple[tuple[float | None, ...], ...] | None = None
    #: Rating word of each (likelihood, impact) cell, where a matrix gives them.
    rating_matrix: tuple[tuple[str | None, ...], ...] | None = None
    source: str = "settings"  #: "settings", or the legend's sheet and cells.
    notes: tuple[str, ...] = field(default=(), compare=False)  #: What was read, for ``inspect``.

    def scale(self, axis: str) -> Scale:
        return self.likelihood if axis == "likelihood" else self.impact

    @property
    def defined(self) -> bool:
        """True when the settings or the workbook's legend define the scales and bands; False
        for a word scale sheetsync recognised (H/M/L with no legend), where a stored score or
        rating is the author's own judgement, not something to hold them to."""
        return not self.source.startswith("word scale")

    @property
    def max_score(self) -> float:
        if self.score_matrix:
            return max((s for row in self.score_matrix for s in row if s is not None), default=0)
        return self.likelihood.size * self.impact.size

    def score(self, likelihood: int, impact: int) -> float | None:
        if not (1 <= likelihood <= self.likelihood.size and 1 <= impact <= self.impact.size):
            return None
        if self.score_matrix is not None:
            return self.score_matrix[likelihood - 1][impact - 1]
        return float(likelihood * impact)

    def looked_up_rating(self, likelihood: int, impact: int) -> str | None:
        """The rating the matrix gives a cell, when the matrix holds ratings."""
        if self.rating_matrix is None:
            return None
        if not (1 <= likelihood <= self.likelihood.size and 1 <= impact <= self.impact.size):
            return None
        return self.rating_matrix[likelihood - 1][impact - 1]

    def band_for(self, score: float) -> Band | None:
        found = None
        for band in self.bands:
            if score >= band.start:
                found = band
        return found

    def band_named(self, text: str) -> Band | None:
        """The band an officer's rating word means (``red``, ``R``, ``High``), or None."""
        wanted = " ".join(str(text).split()).casefold()
        for band in self.bands:
            if wanted == band.name.casefold() or wanted in (w.casefold() for w in band.also):
                return band
        return None

    def describe(self) -> str:
        """One line for ``inspect`` and exceptions.json."""
        method = ("ratings looked up in the matrix" if self.rating_matrix is not None
                  else "scores looked up in the matrix" if self.score_matrix is not None
                  else "likelihood x impact")
        bands = ", ".join(f"{b.name} from {b.start:g}" for b in self.bands)
        return (f"likelihood {self.likelihood.known_words()} [{self.likelihood.source}]; impact "
                f"{self.impact.known_words()} [{self.impact.source}]; {method}; bands {bands} "
                f"[{self.source}]")


@dataclass(frozen=True, slots=True)
class ScaleSettings:
    """The scale part of the organisation's settings."""

    level_words: dict[str, dict[int, tuple[str, ...]]]  #: axis -> level -> other words.
    probabilities: tuple[tuple[float, float], ...]  #: Likelihood level -> (from, up to).
    word_scales: tuple[WordScale, ...]
    score_method: str = "product"
    score_matrix: tuple[tuple[Any, ...], ...] | None = None  #: Scores or ratings, likelihood rows.


def settings_scale(axis: str, labels: Sequence[str], settings: ScaleSettings) -> Scale:
    """The organisation's own scale for ``axis``: labels, their other words, probabilities."""
    words: dict[str, int] = {}
    for number, label in enumerate(labels, start=1):
        for word in (label, *settings.level_words.get(axis, {}).get(number, ())):
            words.setdefault(level_key(word), number)
    return Scale(axis=axis, labels=tuple(labels), words=words, source="settings",
                 probabilities=settings.probabilities if axis == "likelihood" else ())


def settings_scoring(likelihood_labels: Sequence[str], impact_labels: Sequence[str],
                     bands: Sequence[Band], settings: ScaleSettings) -> Scoring:
    """The scoring the settings define, used wherever a workbook has no legend of its own."""
    likelihood = settings_scale("likelihood", likelihood_labels, settings)
    impact = settings_scale("impact", impact_labels, settings)
    scores = ratings = None
    if settings.score_method == "matrix" and settings.score_matrix is not None:
        cells = [c for row in settings.score_matrix for c in row]
        if all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in cells):
            scores = tuple(tuple(float(c) for c in row) for row in settings.score_matrix)
        else:
            ratings = tuple(tuple(str(c) for c in row) for row in settings.score_matrix)
    return Scoring(likelihood=likelihood, impact=impact, bands=tuple(bands),
                   method=settings.score_method, score_matrix=scores, rating_matrix=ratings)


def word_scale_scoring(likelihood: Scale, impact: Scale, base: Scoring) -> Scoring:
    """The scoring of a sheet read on other scales than the settings': a word scale's own band
    starts when both axes use word scales of one size, else the settings' bands."""
    if likelihood is base.likelihood and impact is base.impact:
        return base
    word = likelihood if likelihood.source != "settings" else impact
    starts = word.band_starts
    if len(starts) != len(base.bands):
        # NOTE: the organisation's bands, scaled to this matrix (its own bands were not given)
        top = likelihood.size * impact.size / base.max_score
        starts = tuple(max(1, round(b.start * top)) if i else 1 for i, b in enumerate(base.bands))
    said = _rating_words(word, len(base.bands))
    bands = tuple(Band(b.name, start, b.colour, (*b.also, *said.get(number, ())))
                  for number, (b, start) in enumerate(zip(base.bands, starts, strict=True)))
    return Scoring(likelihood=likelihood, impact=impact, bands=bands, source=word.source)


def _rating_words(scale: Scale, bands: int) -> dict[int, tuple[str, ...]]:
    """A word scale's words as ratings (an H/M/L register rates its risks H, M or L): each
    level's words name the band in its place where there are as many bands as levels, else
    the lowest level's the first band and the highest level's the last."""
    by_level: dict[int, list[str]] = {}
    for word, level in scale.words.items():
        by_level.setdefault(level, []).append(word)
    if bands == scale.size:
        return {level - 1: tuple(words) for level, words in by_level.items()}
    return {0: tuple(by_level.get(1, ())), bands - 1: tuple(by_level.get(scale.size, ()))}


_PERCENT_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*%\s*$")


def parse_scale_settings(data: dict[str, Any], labels: dict[str, tuple[str, ...]],
                         fail: Callable[[str], Exception]) -> ScaleSettings:
    """Read ``risk_matrix``'s word, probability and method settings and ``word_scales``."""
    matrix = data.get("risk_matrix") or {}
    level_words: dict[str, dict[int, tuple[str, ...]]] = {}
    for axis in AXES:
        raw = matrix.get(f"{axis}_words") or {}
        if not isinstance(raw, dict):
            raise fail(f"risk_matrix.{axis}_words should map each level's label to a list of words")
        by_level: dict[int, tuple[str, ...]] = {}
        keys = {level_key(label): number for number, label in enumerate(labels[axis], start=1)}
        for label, words in raw.items():
            if level_key(label) not in keys:
                raise fail(f"risk_matrix.{axis}_words: {label!r} is not one of the {axis} labels "
                           f"({', '.join(labels[axis])})")
            if not isinstance(words, list):
                raise fail(f"risk_matrix.{axis}_words.{label} should be a list of words")
            by_level[keys[level_key(label)]] = tuple(str(w) for w in words)
        level_words[axis] = by_level

    probabilities: list[tuple[float, float]] = []
    raw_ranges = matrix.get("likelihood_probability") or []
    if raw_ranges and (not isinstance(raw_ranges, list) or len(raw_ranges) != len(labels["likelihood"])):
        raise fail("risk_matrix.likelihood_probability should give one range per likelihood level, "
                   "lowest first, such as \"0-10%\"")
    for text in raw_ranges:
        match = _PERCENT_RANGE.match(str(text))
        if not match:
            raise fail(f"risk_matrix.likelihood_probability: {text!r} should look like \"10-30%\"")
        probabilities.append((float(match.group(1)) / 100, float(match.group(2)) / 100))

    method = str(matrix.get("score_method", "product"))
    if method not in ("product", "matrix"):
        raise fail("risk_matrix.score_method should be 'product' or 'matrix'")
    grid = matrix.get("score_matrix")
    score_matrix = None
    if method == "matrix":
        if (not isinstance(grid, list) or len(grid) != len(labels["likelihood"])
                or any(not isinstance(r, list) or len(r) != len(labels["impact"]) for r in grid)):
            raise fail("risk_matrix.score_matrix should list one row per likelihood level (lowest "
                       "first), each with one score or rating per impact level")
        score_matrix = tuple(tuple(r) for r in grid)

    word_scales = []
    for number, raw in enumerate(data.get("word_scales") or [], start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("levels"), list) or len(raw["levels"]) < 2:
            raise fail(f"word_scales: scale {number} needs 'levels', a list of word lists lowest first")
        levels = tuple(tuple(str(w) for w in (level if isinstance(level, list) else [level]))
                       for level in raw["levels"])
        starts = raw.get("bands") or []
        if not isinstance(starts, list) or not all(isinstance(s, int) for s in starts):
            raise fail(f"word_scales: scale {number}'s bands should list the score each score band "
                       "starts at on this scale, lowest first, such as [1, 3, 6]")
        word_scales.append(WordScale(name=str(raw.get("name", " / ".join(lv[0] for lv in levels))),
                                     levels=levels, band_starts=tuple(starts)))
    return ScaleSettings(level_words=level_words, probabilities=tuple(probabilities),
                         word_scales=tuple(word_scales), score_method=method,
                         score_matrix=score_matrix)
