"""The organisation's settings (matrix, bands, vocabularies, staleness, header names).

The defaults live in ``schemas/organisation.yaml``; an analyst's file given with ``--config``
is laid over them, so it need only say what differs.
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sheetsync.errors import ConfigError
from sheetsync.settings.email import EmailSettings, parse_email
from sheetsync.settings.governance import Governance, parse_governance
from sheetsync.settings.scales import (
    Band,
    Scale,
    ScaleSettings,
    Scoring,
    parse_scale_settings,
    settings_scoring,
)

CONFIG_FILE = "organisation.yaml"
_COLOUR = re.compile(r"^#?[0-9A-Fa-f]{6}$")


@dataclass(frozen=True, slots=True)
class Tolerance:
    """How far a value may miss: ``relative`` (a share of the target) or ``absolute`` (units;
    for percentages, percentage points)."""

    kind: str
    amount: float

    def allowed(self, reference: float, unit: str) -> float:
        if self.kind == "relative":
            return self.amount * abs(reference)
        return self.amount / 100 if unit == "%" else self.amount


def parse_tolerance(text: object) -> Tolerance | None:
    """``5%`` -> 5% of the target; ``2 points``, ``2pp`` or ``2`` -> 2 in the target's units."""
    value = " ".join(str(text).casefold().split())
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(%|pp|points?|percentage points?|pts?)?", value)
    if not match:
        return None
    amount, unit = float(match.group(1)), match.group(2)
    return Tolerance("relative", amount / 100) if unit == "%" else Tolerance("absolute", amount)


@dataclass(frozen=True)
class Config:
    """Everything that differs between councils, read from YAML."""

    likelihood_labels: tuple[str, ...]
    impact_labels: tuple[str, ...]
    bands: tuple[Band, ...]
    review_staleness_months: int
    vocabularies: dict[str, tuple[str, ...]]
    header_synonyms: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    kpi_default_polarity: str = "higher"
    kpi_tolerance: Tolerance = field(default_factory=lambda: Tolerance("relative", 0.05))
    kpi_no_change: Tolerance = field(default_factory=lambda: Tolerance("relative", 0.0))
    kpi_tolerances: dict[str, Tolerance] = field(default_factory=dict)
    action_status: dict[str, tuple[str, ...]] = field(default_factory=dict)
    status_colours: dict[str, str] = field(default_factory=dict)
    #: Settings of ``sheetsync run`` (inputs, out, jobs, include, exclude, quarter, force).
    run: dict[str, Any] = field(default_factory=dict)
    #: Reminders to owners (the ``email:`` section); None when the settings have none.
    email: EmailSettings | None = None
    #: Risk appetite, escalation and exempt risks (``settings/governance.py``).
    governance: Governance = field(default_factory=Governance)
    source: str = CONFIG_FILE
    #: Other words for levels, probabilities, word scales and the score method.
    scales: ScaleSettings = field(default_factory=lambda: ScaleSettings({}, (), ()))

    @functools.cached_property
    def scoring(self) -> Scoring:
        """How scores and ratings are worked out where a workbook has no legend of its own."""
        return settings_scoring(self.likelihood_labels, self.impact_labels, self.bands, self.scales)

    @functools.cached_property
    def word_scales(self) -> tuple[Scale, ...]:
        """The word scales (``H/M/L``...) as scales a column can be read on."""
        return tuple(w.scale("level") for w in self.scales.word_scales)

    @property
    def max_score(self) -> int:
        return len(self.likelihood_labels) * len(self.impact_labels)

    def band_for(self, score: float) -> Band | None:
        """The band a score falls in, or None when it is below the first band."""
        return self.scoring.band_for(score)

    def band_named(self, text: str) -> Band | None:
        """The band an officer's rating word means (``red``, ``R``, ``High``), or None."""
        return self.scoring.band_named(text)

    def vocabulary(self, name: str) -> tuple[str, ...]:
        return self.vocabularies.get(name, ())


def load_config(schemas_dir: Path, override: Path | None = None) -> Config:
    """Read the default settings, lay ``override`` over them, and check the result."""
    default_path = schemas_dir / CONFIG_FILE
    data = read_yaml(default_path)
    source = str(default_path)
    if override is not None:
        over = read_yaml(override)
        data = _merge(_without_defaults_of_a_new_matrix(data, over), over)
        source = str(override)
    return _build(data, source)


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping from ``path``; every mistake becomes a ConfigError naming the file."""
    try:
        text = decode_text(Path(path).read_bytes(), path)
    except OSError as exc:
        raise ConfigError(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        # NOTE: libyaml's loader where PyYAML was built with it: a tenth of the time.
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise ConfigError(path, f"is not valid YAML{line}: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(path, "should be a set of 'name: value' settings")
    return data


def decode_text(data: bytes, path: Path | str) -> str:
    """A settings file's text: UTF-8 (with or without the BOM Notepad writes) or UTF-16 with
    its BOM (Notepad's "Unicode"); anything else is a ConfigError saying how to re-save it.

    NOTE: an "ANSI" file is not guessed at: the bytes of one code page read in another give
    other letters without any error (Polish "Ł" saved on a cp1250 PC reads as "£" in cp1252),
    and a word in the settings that silently differs from what officers type would turn into
    findings that are not there.
    """
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    encoding = "utf-16" if utf16 else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError(path, f"is not saved as UTF-8 (line {line} has a character in another "
                                "encoding, such as Windows' 'ANSI'); open it in Notepad, choose "
                                "File > Save as, set Encoding to UTF-8 and save it again") from None


def _run_date(value: Any, fail: Any) -> dt.date:
    """run.as_of: a YAML date (2023-03-31) or a day-first date as officers write it."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.datetime.strptime(str(value).strip(), "%d/%m/%Y").date()
    except ValueError:
        raise fail(f"run.as_of: {value!r} should be a date such as 2023-03-31 or 31/03/2023") from None


def _without_defaults_of_a_new_matrix(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """The defaults' level words, probabilities and score matrix belong to the default matrix:
    an organisation that gives its own likelihood or impact labels does not inherit them."""
    mine = over.get("risk_matrix")
    if not isinstance(mine, dict) or not isinstance(base.get("risk_matrix"), dict):
        return base
    matrix = dict(base["risk_matrix"])
    for axis in ("likelihood", "impact"):
        if axis in mine:
            matrix.pop(f"{axis}_words", None)
            matrix.pop("score_matrix", None)
    if "likelihood" in mine:
        matrix.pop("likelihood_probability", None)
    return {**base, "risk_matrix": matrix}


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _build(data: dict[str, Any], source: str) -> Config:
    def fail(problem: str) -> ConfigError:
        return ConfigError(source, problem)

    known = {"risk_matrix", "score_bands", "review_staleness_months", "vocabularies",
             "header_synonyms", "kpi", "action_status", "status_colours", "run", "word_scales",
             "email",
             "appetite", "escalation", "exempt"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise fail(f"unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})")

    matrix = data.get("risk_matrix") or {}
    labels = {}
    for axis in ("likelihood", "impact"):
        values = matrix.get(axis)
        if not isinstance(values, list) or not 2 <= len(values) <= 10:
            raise fail(f"risk_matrix.{axis} should list 2 to 10 labels, lowest first")
        labels[axis] = tuple(str(v) for v in values)

    raw_bands = data.get("score_bands")
    if not isinstance(raw_bands, list) or not raw_bands:
        raise fail("score_bands should list at least one band")
    bands = []
    for number, raw in enumerate(raw_bands, start=1):
        if not isinstance(raw, dict) or "name" not in raw or "from" not in raw:
            raise fail(f"score band {number} needs a name and a 'from' score")
        colour = str(raw.get("colour", "#FFFFFF"))
        if not _COLOUR.match(colour):
            raise fail(f"score band {raw['name']!r}: colour {colour!r} should look like #FF0000")
        if not isinstance(raw["from"], int) or isinstance(raw["from"], bool):
            raise fail(f"score band {raw['name']!r}: 'from' should be a whole number")
        also = raw.get("also") or []
        if not isinstance(also, list):
            raise fail(f"score band {raw['name']!r}: 'also' should be a list of words")
        bands.append(Band(str(raw["name"]), raw["from"], colour.lstrip("#").upper(),
                          tuple(str(a) for a in also)))
    starts = [band.start for band in bands]
    if starts != sorted(starts) or len(set(starts)) != len(starts):
        raise fail("score_bands should be listed lowest first, each starting higher than the last")
    if starts[0] > 1:
        raise fail(f"score_bands: the first band should start at 1, not {starts[0]}")

    staleness = data.get("review_staleness_months", 3)
    if not isinstance(staleness, int) or isinstance(staleness, bool) or staleness < 1:
        raise fail("review_staleness_months should be a whole number of months, 1 or more")

    vocabularies = {}
    for name, words in (data.get("vocabularies") or {}).items():
        if not isinstance(words, list) or not words:
            raise fail(f"vocabularies.{name} should be a list of words")
        vocabularies[str(name)] = tuple(str(w) for w in words)

    synonyms: dict[str, dict[str, tuple[str, ...]]] = {}
    for kind, columns in (data.get("header_synonyms") or {}).items():
        if not isinstance(columns, dict):
            raise fail(f"header_synonyms.{kind} should map column names to lists of headers")
        synonyms[str(kind)] = {}
        for column, names in columns.items():
            if not isinstance(names, list):
                raise fail(f"header_synonyms.{kind}.{column} should be a list of header names")
            synonyms[str(kind)][str(column)] = tuple(str(n) for n in names)

    kpi = data.get("kpi") or {}
    polarity = str(kpi.get("default_polarity", "higher")).casefold()
    if polarity not in ("higher", "lower"):
        raise fail("kpi.default_polarity should be 'higher' or 'lower'")
    tolerances = {}
    for key, default in (("tolerance", "5%"), ("no_change_threshold", "0%")):
        tolerance = parse_tolerance(kpi.get(key, default))
        if tolerance is None:
            raise fail(f"kpi.{key} should look like 5% or 2 points, not {kpi.get(key)!r}")
        tolerances[key] = tolerance
    per_kpi = {}
    for name, text in (kpi.get("tolerances") or {}).items():
        tolerance = parse_tolerance(text)
        if tolerance is None:
            raise fail(f"kpi.tolerances: {name!r} should look like 5% or 2 points, not {text!r}")
        per_kpi[" ".join(str(name).casefold().split())] = tolerance
    action_status = {}
    for status, words in (data.get("action_status") or {}).items():
        if not isinstance(words, list):
            raise fail(f"action_status.{status} should be a list of words")
        action_status[str(status)] = tuple(str(w) for w in words)
    colours = {}
    for name, colour in (data.get("status_colours") or {}).items():
        if not _COLOUR.match(str(colour)):
            raise fail(f"status_colours.{name}: {colour!r} should look like #FF0000")
        colours[str(name)] = str(colour).lstrip("#").upper()

    run = data.get("run") or {}
    run_keys = {"inputs", "out", "jobs", "include", "exclude", "quarter", "force", "as_of"}
    if not isinstance(run, dict) or set(run) - run_keys:
        extra = sorted(set(run) - run_keys) if isinstance(run, dict) else ["(not a mapping)"]
        raise fail(f"run: unknown setting {extra[0]!r} (known: {', '.join(sorted(run_keys))})")
    for key in ("inputs", "include", "exclude"):
        if key in run and not isinstance(run[key], list):
            raise fail(f"run.{key} should be a list")
    if run.get("as_of") is not None:
        run = {**run, "as_of": _run_date(run["as_of"], fail)}

    scales = parse_scale_settings(data, labels, fail)

    governance = parse_governance(data, [(b.name, b.start) for b in bands],
                                  len(labels["likelihood"]) * len(labels["impact"]), fail)
    return Config(
        scales=scales,
        run=run,
        email=parse_email(data.get("email"), source),
        governance=governance,
        kpi_default_polarity=polarity,
        kpi_tolerance=tolerances["tolerance"],
        kpi_no_change=tolerances["no_change_threshold"],
        kpi_tolerances=per_kpi,
        action_status=action_status,
        status_colours=colours,
        likelihood_labels=labels["likelihood"],
        impact_labels=labels["impact"],
        bands=tuple(bands),
        review_staleness_months=staleness,
        vocabularies=vocabularies,
        header_synonyms=synonyms,
        source=source,
    )
