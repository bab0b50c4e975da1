"""Risk governance settings: appetite, escalation to the corporate register, exempt risks.

Read from the ``appetite:``, ``escalation:`` and ``exempt:`` sections of the settings
(defaults in ``schemas/organisation.yaml``). An appetite is a maximum residual score: written
as a number (``12``), a band name (``Amber``: the top score of that band) or an appetite level
(``cautious``) whose ceiling the ``levels`` setting gives.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: The Orange Book's appetite levels with the default ceilings (maximum residual score).
DEFAULT_LEVELS = {"averse": 4, "minimal": 8, "cautious": 12, "open": 16, "eager": 25}
#: Record fields the exempt setting may hide.
HIDEABLE = ("description", "causes", "controls", "actions", "owner")
MATCH_FIELDS = ("ref", "title")
#: Words meaning "within appetite" and "not within appetite" in a register's own column.
_WITHIN = {"yes", "y", "true", "within", "within appetite", "in appetite", "inside appetite",
           "inside", "accepted", "acceptable", "\u2713", "\u2714"}
_BEYOND = {"no", "n", "false", "outside", "outside appetite", "above", "above appetite", "beyond",
           "beyond appetite", "exceeds", "exceeds appetite", "over", "over appetite",
           "not within appetite", "\u2717", "\u2718"}
#: Words in an Exempt / Confidential / Part B column that mean "may be published".
_NOT_EXEMPT = {"no", "n", "false", "0", "-", "part a", "not exempt", "public", "open", "none",
               "n/a", "na"}


def fold(value: Any) -> str:
    """Text for matching: case and spacing ignored."""
    if value is None:
        return ""
    return " ".join(str(value).casefold().split())


@dataclass(frozen=True, slots=True)
class Appetite:
    """The maximum residual score within appetite, by risk category, with a default."""

    default: int | None
    by_category: dict[str, int] = field(default_factory=dict)  #: folded category -> ceiling
    levels: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_LEVELS))
    #: Bands as (name, top score), to read "Amber" as an appetite.
    band_tops: tuple[tuple[str, int], ...] = ()
    #: A risk above appetite at the same score this many quarters running is listed as stalled.
    stalled_quarters: int = 3

    def ceiling(self, category: Any, own: Any = None) -> int | None:
        """The appetite of a risk: its own (a level, band or score in an Appetite column),
        else its category's, else the default."""
        mine = self.read(own)
        if mine is not None:
            return mine
        return self.by_category.get(fold(category), self.default)

    def read(self, value: Any) -> int | None:
        """A ceiling from ``12``, ``Amber`` or ``Cautious``; None for anything else."""
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, (int, float)):
            return int(value) if float(value).is_integer() and value > 0 else None
        text = fold(value)
        if text.isdigit():
            return int(text) or None
        if text in self.levels:
            return self.levels[text]
        return next((top for name, top in self.band_tops if fold(name) == text), None)

    def describe(self, ceiling: int) -> str:
        """``a residual score of at most 12 (cautious)``, for messages."""
        names = [name for name, value in self.levels.items() if value == ceiling]
        names += [f"the top of the {name} band" for name, top in self.band_tops if top == ceiling]
        return f"a residual score of at most {ceiling}" + (f" ({names[0]})" if names else "")


def stated_within(value: Any) -> bool | None:
    """What a register's own Within appetite? cell says: True, False, or None (not a yes/no)."""
    if value is None or isinstance(value, bool):
        return value
    text = fold(value).rstrip(".!")
    if text in _WITHIN:
        return True
    if text in _BEYOND:
        return False
    return None


@dataclass(frozen=True, slots=True)
class Escalation:
    """Which risks are candidates for the corporate register, and how they are found there."""

    from_score: int
    match_on: tuple[str, ...] = MATCH_FIELDS
    #: Patterns (any case, ``*`` for any text) for the workbook path, sheet name or title of a
    #: corporate register.
    corporate: tuple[str, ...] = ("*corporate*",)

    def is_corporate(self, *names: Any) -> bool:
        return any(fnmatch.fnmatchcase(fold(name), fold(pattern))
                   for name in names if name for pattern in self.corporate)


@dataclass(frozen=True, slots=True)
class Exempt:
    """Risks whose details may not be published, and what is hidden of them."""

    references: frozenset[str] = frozenset()  #: folded references
    hide: tuple[str, ...] = HIDEABLE
    replacement: str = "Exempt information"

    def is_exempt(self, flag: Any, ref: Any = None) -> bool:
        """Exempt by the register's own column (any word but No / Part A...) or by reference."""
        if self.references and ref is not None and fold(ref) in self.references:
            return True
        if flag is None or flag is False or (isinstance(flag, str) and not flag.strip()):
            return False
        if isinstance(flag, (int, float)) and not isinstance(flag, bool):
            return flag != 0
        return fold(flag) not in _NOT_EXEMPT


@dataclass(frozen=True, slots=True)
class Governance:
    """The three sections; the defaults here are for settings made in code (files always
    give all three, from ``organisation.yaml``)."""

    appetite: Appetite = field(default_factory=lambda: Appetite(default=None))
    escalation: Escalation = field(default_factory=lambda: Escalation(from_score=15))
    exempt: Exempt = field(default_factory=Exempt)


def parse_governance(data: dict[str, Any], bands: Sequence[tuple[str, int]], max_score: int,
                     fail: Callable[[str], Exception]) -> Governance:
    """The three sections from settings ``data``; ``bands`` are (name, from) lowest first.

    ``fail(problem)`` makes the error to raise (it names the settings file).
    """
    tops = tuple((name, (bands[n + 1][1] - 1) if n + 1 < len(bands) else max_score)
                 for n, (name, _start) in enumerate(bands))
    appetite = _appetite(_section(data, "appetite", fail), tops, fail)
    return Governance(appetite=appetite,
                      escalation=_escalation(_section(data, "escalation", fail), bands, fail),
                      exempt=_exempt(_section(data, "exempt", fail), fail))


def _section(data: dict[str, Any], name: str, fail: Callable[[str], Exception]) -> dict[str, Any]:
    section = data.get(name) or {}
    if not isinstance(section, dict):
        raise fail(f"{name} should be a set of 'name: value' settings")
    return section


def _known(section: dict[str, Any], name: str, keys: set[str],
           fail: Callable[[str], Exception]) -> None:
    extra = sorted(set(section) - keys)
    if extra:
        raise fail(f"{name}: unknown setting {extra[0]!r} (known: {', '.join(sorted(keys))})")


def _whole(value: Any, where: str, fail: Callable[[str], Exception], top: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        raise fail(f"{where} should be a whole number from 1 to {top}, not {value!r}")
    return value


def _appetite(section: dict[str, Any], tops: tuple[tuple[str, int], ...],
              fail: Callable[[str], Exception]) -> Appetite:
    _known(section, "appetite", {"default", "categories", "levels", "stalled_quarters"}, fail)
    raw_levels = section.get("levels", DEFAULT_LEVELS)
    if not isinstance(raw_levels, dict) or not raw_levels:
        raise fail("appetite.levels should map level names to scores, such as {cautious: 12}")
    levels = {fold(name): _whole(score, f"appetite.levels.{name}", fail, 10_000)
              for name, score in raw_levels.items()}
    reader = Appetite(default=None, levels=levels, band_tops=tops)

    def ceiling(value: Any, where: str) -> int:
        found = reader.read(value)
        if found is None:
            words = ", ".join([*levels, *(name for name, _top in tops)])
            raise fail(f"{where}: {value!r} should be a score (such as 12), a band or an "
                       f"appetite level ({words})")
        return found

    # NOTE: no default: scores in the top band are beyond appetite (Coventry's "red zone").
    default = section.get("default")
    below_top = tops[-2][1] if len(tops) > 1 else None
    categories = section.get("categories") or {}
    if not isinstance(categories, dict):
        raise fail("appetite.categories should map categories to appetites, such as "
                   "{Financial: cautious}")
    stalled = section.get("stalled_quarters", 3)
    return Appetite(
        default=below_top if default is None else ceiling(default, "appetite.default"),
        by_category={fold(name): ceiling(value, f"appetite.categories.{name}")
                     for name, value in categories.items()},
        levels=levels, band_tops=tops,
        stalled_quarters=_whole(stalled, "appetite.stalled_quarters", fail, 4))


def _escalation(section: dict[str, Any], bands: Sequence[tuple[str, int]],
                fail: Callable[[str], Exception]) -> Escalation:
    _known(section, "escalation", {"from_score", "from_band", "match_on", "corporate"}, fail)
    if "from_score" in section and "from_band" in section:
        raise fail("escalation: give from_score or from_band, not both")
    if "from_score" in section:
        start = _whole(section["from_score"], "escalation.from_score", fail, 10_000)
    else:
        wanted = section.get("from_band")
        found = [s for name, s in bands if wanted is None or fold(name) == fold(wanted)]
        if not found:
            raise fail(f"escalation.from_band: {wanted!r} is not one of the score bands "
                       f"({', '.join(name for name, _s in bands)})")
        start = found[-1]
    match_on = section.get("match_on", list(MATCH_FIELDS))
    if isinstance(match_on, str):
        match_on = [match_on]
    if (not isinstance(match_on, list) or not match_on
            or any(m not in MATCH_FIELDS for m in match_on)):
        raise fail("escalation.match_on should list ref, title or both")
    corporate = section.get("corporate", ["*corporate*"])
    if isinstance(corporate, str):
        corporate = [corporate]
    if not isinstance(corporate, list):
        raise fail("escalation.corporate should list patterns such as \"*corporate*\"")
    return Escalation(from_score=start, match_on=tuple(match_on),
                      corporate=tuple(str(p) for p in corporate))


def _exempt(section: dict[str, Any], fail: Callable[[str], Exception]) -> Exempt:
    _known(section, "exempt", {"references", "hide", "replacement"}, fail)
    references = section.get("references") or []
    hide = section.get("hide", list(HIDEABLE))
    if not isinstance(references, list):
        raise fail("exempt.references should list risk references, such as [CR7, CR12]")
    if not isinstance(hide, list) or any(h not in HIDEABLE for h in hide):
        raise fail(f"exempt.hide should list some of {', '.join(HIDEABLE)}")
    return Exempt(references=frozenset(fold(r) for r in references), hide=tuple(hide),
                  replacement=str(section.get("replacement", "Exempt information")))
