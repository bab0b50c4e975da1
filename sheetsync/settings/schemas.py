"""Register kinds as analysts describe them in ``schemas/*.yaml``.

A schema file names columns, their header synonyms and types, and the checks to run on them
(by name, with a rule code, severity and message). ``validate.compile_schema`` turns a loaded
spec into a pandera ``DataFrameSchema`` for the columns a sheet actually has.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetsync.errors import ConfigError
from sheetsync.findings import Rule, Severity
from sheetsync.settings.config import Config, read_yaml

#: The register kinds a row type may be checked as.
SCHEMA_KINDS = ("risk_register", "issues_log", "kpi_sheet", "action_plan")
VALUE_TYPES = ("text", "number", "whole_number", "date", "measure", "level")
SCHEMA_FILES = ("risk_register.yaml", "issues_log.yaml", "kpi_sheet.yaml", "action_plan.yaml",
                "raid_log.yaml")
#: The checks and derivations a schema file may name. ``checks`` and ``derive`` register a
#: function under each (and refuse any other name); listed here so that reading a schema file
#: does not load pandera.
CHECK_NAMES = frozenset({
    "required", "unique", "in_scale", "in_vocabulary", "not_after_as_of", "review_not_stale",
    "given_together", "equals_derived", "rating_matches_band", "rating_is_a_word", "not_above",
    "same_level", "rated_alike",
    "not_before",
    "not_overdue", "flag"})
DERIVATION_NAMES = frozenset({
    "likelihood_times_impact", "band_of_score", "age_in_days", "issue_overdue", "kpi_status",
    "kpi_direction", "action_status", "action_overdue", "appetite", "date_order", "outline",
    "raid_type"})


def normalise(text: Any) -> str:
    """Header text reduced for matching: case, punctuation, ``(1-5)`` and line breaks ignored."""
    return _normalised(str(text))


@functools.lru_cache(maxsize=1 << 16)
def _normalised(text: str) -> str:
    value = text.casefold().replace("&", " and ").replace("×", " x ")
    value = re.sub(r"\([^)]*\)?", " ", value)  # hints: (1-5), (I), (High/Med/Low), (PxI)
    value = re.sub(r"=.*$", " ", value)  # a formula written into the header: "Risk Factor = I*F"
    value = re.sub(r"[^a-z0-9]+", " ", value)
    return " ".join(value.split())


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One canonical column: its name, how officers head it, and how to read its cells."""

    name: str
    label: str
    synonyms: tuple[str, ...]
    type: str
    assessment: str | None = None  #: For risk measures: inherent / residual / target.
    measure: str | None = None  #: likelihood / impact / score / rating.
    derived: str | None = None  #: Name of the derivation that recomputes it.
    description: str = ""  #: What the column means, for a template's Guidance sheet.


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One check from the schema file, expanded per assessment where it says ``for_each``."""

    rule: str
    check: str
    column: str
    severity: Severity
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    assessment: str | None = None


@dataclass(frozen=True, slots=True)
class RowType:
    """One kind of row in a mixed register: a RAID log's Risk, Assumption, Issue, Dependency."""

    name: str
    kind: str | None  #: The register kind its rows are checked as; None: the mixed kind's own.
    words: tuple[str, ...]  #: Type-column values that mean it, normalised ("r", "risks").
    likelihood: bool = True  #: False: a likelihood does not apply (an issue has happened).


@dataclass(frozen=True, slots=True)
class RegisterSpec:
    """Everything sheetsync knows about one register kind."""

    kind: str
    title: str
    path: str
    columns: dict[str, ColumnSpec]
    assessments: dict[str, tuple[str, tuple[str, ...]]]  #: name -> (label, synonyms)
    measures: dict[str, ColumnSpec]  #: measure name -> template spec (no assessment)
    single_assessment: str | None
    checks: tuple[CheckSpec, ...]
    rules: dict[str, Rule]
    required_columns: tuple[str, ...]
    derived: dict[str, tuple[str, str]]  #: column -> (header label, derivation name)
    min_columns: int
    needs_one_of: tuple[str, ...]
    #: Words in header text that say which kind a sheet is ("risk", "issue"), for best fit.
    kind_words: tuple[str, ...] = ()
    #: Columns a sheet of this kind always has (an action plan's action or task).
    needs_all_of: tuple[str, ...] = ()
    #: Columns whose header naming the kind ("Issue Description") stands in for ``needs_one_of``.
    named_by: tuple[str, ...] = ()
    #: Words in any header that rule the kind out (an issue has no likelihood).
    ruled_out_by: tuple[str, ...] = ()
    #: A mixed register's row types (a RAID log's Risk, Issue...): name -> (kind its rows are
    #: checked as, or None for this kind's own checks; words in the type column; whether a
    #: likelihood applies to it).
    row_types: dict[str, RowType] = field(default_factory=dict)

    def column(self, name: str) -> ColumnSpec | None:
        return self.columns.get(name)


def default_schemas_dir() -> Path:
    """The schema files shipped inside the package, or the repository's when run from source."""
    packaged = Path(str(importlib.resources.files("sheetsync"))) / "schemas"
    if (packaged / SCHEMA_FILES[0]).is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemas"


def load_specs(schemas_dir: Path, config: Config) -> dict[str, RegisterSpec]:
    """Load every register kind's schema file; a mistake raises ConfigError naming the file."""
    specs = {}
    for file_name in SCHEMA_FILES:
        path = schemas_dir / file_name
        if not path.is_file():
            raise ConfigError(path, "schema file not found (is --schemas the right folder?)")
        spec = _load_spec(path, read_yaml(path), config)
        specs[spec.kind] = spec
    return specs


def _load_spec(path: Path, data: dict[str, Any], config: Config) -> RegisterSpec:
    def fail(problem: str) -> ConfigError:
        return ConfigError(path, problem)

    kind = data.get("kind")
    if not isinstance(kind, str) or not re.fullmatch(r"[a-z_]+", kind):
        raise fail("needs 'kind:', a name such as risk_register")
    extra_synonyms = config.header_synonyms.get(kind, {})

    def column_spec(name: str, raw: Any, **extra: Any) -> ColumnSpec:
        if not isinstance(raw, dict):
            raise fail(f"column {name!r} should be a set of settings (label, synonyms, type)")
        value_type = raw.get("type", "text")
        if value_type not in VALUE_TYPES:
            raise fail(f"column {name!r}: type {value_type!r} should be one of {', '.join(VALUE_TYPES)}")
        synonyms = raw.get("synonyms") or []
        if not isinstance(synonyms, list):
            raise fail(f"column {name!r}: synonyms should be a list of header names")
        derived = raw.get("derived")
        if derived is not None and derived not in DERIVATION_NAMES:
            raise fail(f"column {name!r}: unknown derivation {derived!r} "
                       f"(known: {', '.join(sorted(DERIVATION_NAMES))})")
        if any(isinstance(s, bool) for s in synonyms):
            raise fail(f"column {name!r}: a synonym reads as true/false; put words such as "
                       "\"no\" or \"yes\" in quotes")
        synonyms = [str(s) for s in synonyms] + list(extra_synonyms.get(name, ()))
        return ColumnSpec(name=name, label=str(raw.get("label", name)),
                          synonyms=tuple(synonyms), type=value_type, derived=derived,
                          description=str(raw.get("description", "")), **extra)

    columns = {name: column_spec(name, raw) for name, raw in (data.get("columns") or {}).items()}
    if not columns:
        raise fail("needs 'columns:'")

    assessments: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name, raw in (data.get("assessments") or {}).items():
        if not isinstance(raw, dict) or not isinstance(raw.get("synonyms"), list):
            raise fail(f"assessment {name!r} needs a label and a list of synonyms")
        assessments[name] = (str(raw.get("label", name)), tuple(str(s) for s in raw["synonyms"]))
    measures = {name: column_spec(name, raw, measure=name)
                for name, raw in (data.get("measures") or {}).items()}
    if measures and not assessments:
        raise fail("'measures' need 'assessments' to belong to")
    for assessment in assessments:
        for measure, template in measures.items():
            name = f"{assessment}_{measure}"
            columns[name] = ColumnSpec(
                name=name, label=f"{assessments[assessment][0]} {template.label.lower()}",
                synonyms=(), type=template.type, assessment=assessment, measure=measure,
                derived=template.derived,
                description=f"{assessments[assessment][0]} risk: {template.description}".rstrip(": "))
    single = data.get("single_assessment")
    if single is not None and single not in assessments:
        raise fail(f"single_assessment {single!r} is not one of the assessments")

    checks, rules = _load_checks(data.get("checks") or [], columns, assessments, fail)

    derived = {}
    for name, raw in (data.get("derived") or {}).items():
        if not isinstance(raw, dict) or raw.get("compute") not in DERIVATION_NAMES:
            raise fail(f"derived column {name!r}: 'compute' should be one of "
                       f"{', '.join(sorted(DERIVATION_NAMES))}")
        derived[name] = (str(raw.get("label", name)), str(raw["compute"]))

    required = tuple(data.get("required_columns") or ())
    for name in required:
        if name not in columns:
            raise fail(f"required_columns names {name!r}, which is not a column")
    recognise = data.get("recognise") or {}
    needs = tuple(recognise.get("needs_one_of") or ())
    for name in needs:
        if name not in columns and name not in measures:
            raise fail(f"recognise.needs_one_of names {name!r}, which is not a column or measure")
    for key in ("needs_all_of", "named_by"):
        for name in recognise.get(key) or ():
            if name not in columns:
                raise fail(f"recognise.{key} names {name!r}, which is not a column")
    return RegisterSpec(
        kind=kind, title=str(data.get("title", kind)), path=str(path), columns=columns,
        assessments=assessments, measures=measures, single_assessment=single,
        checks=tuple(checks), rules=rules, required_columns=required, derived=derived,
        min_columns=int(recognise.get("min_columns", 3)), needs_one_of=needs,
        kind_words=tuple(normalise(w) for w in recognise.get("words") or ()),
        needs_all_of=tuple(recognise.get("needs_all_of") or ()),
        named_by=tuple(recognise.get("named_by") or ()),
        ruled_out_by=tuple(normalise(w) for w in recognise.get("ruled_out_by") or ()),
        row_types=_row_types(data.get("row_types") or {}, fail))


def _row_types(raw: Any, fail: Any) -> dict[str, RowType]:
    if not isinstance(raw, dict):
        raise fail("row_types should be a set of types (Risk, Issue...), each with its words")
    types = {}
    for name, settings in raw.items():
        if not isinstance(settings, dict) or not isinstance(settings.get("words"), list):
            raise fail(f"row type {name!r} needs a list of words")
        kind = settings.get("kind")
        if kind is not None and kind not in SCHEMA_KINDS:
            raise fail(f"row type {name!r}: kind {kind!r} should be one of {', '.join(SCHEMA_KINDS)}")
        types[str(name)] = RowType(
            name=str(name), kind=kind, likelihood=bool(settings.get("likelihood", True)),
            words=tuple(normalise(w) for w in [name, *settings["words"]]))
    return types


def _load_checks(raw_checks: list[Any], columns: dict[str, ColumnSpec],
                 assessments: dict[str, Any], fail: Any) -> tuple[list[CheckSpec], dict[str, Rule]]:
    checks: list[CheckSpec] = []
    rules: dict[str, Rule] = {}
    for number, raw in enumerate(raw_checks, start=1):
        if not isinstance(raw, dict):
            raise fail(f"check {number} should be a set of settings (rule, check, column, ...)")
        missing = [key for key in ("rule", "check", "column", "severity", "message") if key not in raw]
        if missing:
            raise fail(f"check {number} ({raw.get('rule', '?')}) is missing {', '.join(missing)}")
        rule = str(raw["rule"])
        if not re.fullmatch(r"[A-Z]{2}\d{2}", rule):
            raise fail(f"check {number}: rule code {rule!r} should look like RR05")
        if raw["check"] not in CHECK_NAMES:
            raise fail(f"check {number} ({rule}): unknown check {raw['check']!r} "
                       f"(known: {', '.join(sorted(CHECK_NAMES))})")
        try:
            severity = Severity.parse(raw["severity"])
        except ValueError as exc:
            raise fail(f"check {number} ({rule}): {exc}") from None
        params = {k: v for k, v in raw.items()
                  if k not in ("rule", "check", "column", "severity", "message", "title", "for_each")}
        per = raw.get("for_each")
        if per not in (None, "assessment"):
            raise fail(f"check {number} ({rule}): for_each can only be 'assessment'")
        for assessment in (assessments if per else [None]):
            def expand(text: Any, a: str | None = assessment) -> Any:
                return text.replace("{a}", a) if isinstance(text, str) and a else text

            column = expand(raw["column"])
            expanded = {k: expand(v) if not isinstance(v, list) else [expand(x) for x in v]
                        for k, v in params.items()}
            for name in [column, *[v for k, v in expanded.items() if k in ("other", "lower")]]:
                if name not in columns:
                    raise fail(f"check {number} ({rule}) names column {name!r}, "
                               "which is not in 'columns'")
            checks.append(CheckSpec(rule=rule, check=str(raw["check"]), column=column,
                                    severity=severity, message=str(raw["message"]),
                                    params=expanded, assessment=assessment))
        title = str(raw.get("title", rule))
        if rule not in rules:
            rules[rule] = Rule(code=rule, severity=severity, title=title)
    return checks, rules
