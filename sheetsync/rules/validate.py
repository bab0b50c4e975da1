"""Run a register's checks with pandera and turn each failure into a finding on its cell.

pandera's own warnings (``raise_warning``) discard the failing rows, and its frame-level checks
report a failure once per column (see the peer-tools research, section 5), so every check is
an error-raising check; the severity comes from the schema file, and failures are
de-duplicated by (check, row) before they become findings. The checks run through pandera's
check backend one by one (``failing_rows``), without the cost of its error report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from openpyxl.utils import get_column_letter

from sheetsync.findings import STRUCTURAL_RULES, Finding
from sheetsync.read.coerce import read_column
from sheetsync.read.locate import Layout
from sheetsync.read.measures import Measure
from sheetsync.read.rows import RawSheet
from sheetsync.rules.checks import CHECK_BUILDERS, BuiltCheck, RowVerdicts
from sheetsync.rules.columns import Columns
from sheetsync.rules.derive import CALC, EFFECTIVE, Context
from sheetsync.settings.scales import Band, Scoring
from sheetsync.settings.schemas import CheckSpec

Compiled = tuple[pa.DataFrameSchema, dict[str, tuple[CheckSpec, BuiltCheck]]]
_COMPILED: dict[tuple[int, int, int, dt.date, frozenset[str]], tuple[Context, Compiled]] = {}


def compile_schema(frame: pd.DataFrame, context: Context) -> Compiled:
    """A pandera schema for the columns this sheet has, and what each named check stands for.

    Made once per register kind and set of columns for a run: registers of one kind mostly
    have the same columns, and building the schema (pandera copies every column) cost more
    than running it.
    """
    present = frozenset(frame.columns)
    key = (id(context.spec), id(context.config), id(context.scoring), context.as_of, present)
    cached = _COMPILED.get(key)
    if cached is not None and cached[0].spec is context.spec and cached[0].config is context.config \
            and cached[0].scoring is context.scoring:
        return cached[1]
    if len(_COMPILED) > 256:  # (a long-lived process checking with many settings)
        _COMPILED.clear()
    compiled = _compile(set(present), context)
    _COMPILED[key] = (context, compiled)
    return compiled


def _compile(present: set[str], context: Context) -> Compiled:
    built: dict[str, tuple[CheckSpec, BuiltCheck]] = {}
    column_checks: dict[str, list[pa.Check]] = {}
    frame_checks: list[pa.Check] = []
    for number, spec in enumerate(context.spec.checks):
        key = f"{spec.rule}#{number}"
        made = CHECK_BUILDERS[spec.check](spec, present, context, key)
        if made is None:
            continue
        built[key] = (spec, made)
        if made.column is None:
            frame_checks.append(made.check)
        else:
            column_checks.setdefault(made.column, []).append(made.check)
    schema = pa.DataFrameSchema(
        columns={name: pa.Column(checks=checks, nullable=True) for name, checks in column_checks.items()},
        checks=frame_checks, name=context.spec.kind, strict=False, coerce=False)
    return schema, built


def validate_frame(frame: pd.DataFrame, sheet: RawSheet, context: Context,
                   workbook: str, columns: Columns) -> list[Finding]:
    """Findings for every failing check, one per (check, row), in row order (``columns``:
    ``frame``'s, which others read too)."""
    schema, built = compile_schema(frame, context)
    failing: dict[str, dict[int, None]] = {}  # NOTE: an ordered set of rows per check
    for key, index in failing_rows(schema, frame, columns):
        if key in built:
            failing.setdefault(key, {})[int(index)] = None
    refs = sheet.raw.get("ref")  # NOTE: taken once: pandas makes a Series at every look
    findings: list[Finding] = []
    fields: dict[str, Any] = {}  # (worked out for the first check that fails, then shared)
    for key, rows in failing.items():
        spec, made = built[key]
        if _another_scheme(spec, made, columns, rows, sheet):
            continue
        if made.fails_on_blank:
            rows = {row: None for row in rows if (made.target, row) not in sheet.uncalculated}
        if not rows:
            continue
        fields = fields or _sheet_fields(context)
        findings += _findings(spec, made, columns, sheet, context, workbook, list(rows), refs,
                              fields)
    return sorted(findings, key=lambda f: (f.row or 0, f.cell or "", f.rule))


#: Checks of a stored value against one sheetsync works out: when nearly every row disagrees,
#: the sheet works to another scheme than the one assumed, and the rows are not at fault.
_RECOMPUTED = frozenset({"equals_derived", "rating_matches_band"})
_SCHEME_ROWS, _SCHEME_SHARE = 10, 0.8


def _another_scheme(spec: CheckSpec, made: BuiltCheck, frame: Columns, rows: dict[int, None],
                    sheet: RawSheet) -> bool:
    """True when a stored score or rating disagrees with the recomputed one on nearly every row
    that has both (ten or more): the column follows a scheme of its own (a residual rating on
    another scale than the legend's), so one note in the sheet's account says so instead of a
    finding on every row that an officer would reject."""
    if spec.check not in _RECOMPUTED or len(rows) < _SCHEME_ROWS or made.expected is None:
        return False
    both = int((frame[made.target].notna() & frame[made.expected].notna()).sum())
    if len(rows) < _SCHEME_SHARE * both:
        return False
    column = sheet.layout.columns[made.target]
    sheet.layout.notes.append(
        f"{column.letter} '{column.header}' disagrees with what sheetsync works out on {len(rows)} "
        f"of {both} rows: it follows a scheme of its own, so it is not checked ({spec.rule})")
    return True


def failing_rows(schema: pa.DataFrameSchema, frame: pd.DataFrame,
                 columns: Columns | None = None) -> Iterator[tuple[str, int]]:
    """(check name, row index) for each row each check of ``schema`` fails, in check order.

    Each check runs through pandera's own check backend (missing values, element-wise and
    grouped checks as pandera treats them), but without ``schema.validate``'s error report:
    a SchemaError with reshaped failure cases for every failing check was two thirds of the
    validation time of a typical register (see pandera #1879 in the peer-tools research).
    sheetsync's schemas set no dtypes, coercion or required columns, so their checks are
    all ``validate`` would do. A check that raises is skipped, as ``validate(lazy=True)``
    reports it without a row. ``columns`` is ``frame``'s, when others read them too.
    """
    if columns is None:  # NOTE: a column several checks look at is taken out once
        columns = Columns(frame)
    for name, column in schema.columns.items():
        for check in column.checks:
            yield from _failures(check, frame, name, columns)
    for check in schema.checks:
        yield from _failures(check, frame, None, columns)


def _failures(check: pa.Check, frame: pd.DataFrame, column: str | None,
              columns: Columns) -> Iterator[tuple[str, int]]:
    try:
        output = _check_output(check, frame, column, columns)
    except Exception:  # noqa: BLE001  (as pandera: a failure with no row to mark)
        return
    if isinstance(output, np.ndarray) and isinstance(check._check_fn, RowVerdicts):
        passed, rows = output, frame.index  # (a check sheetsync built: a verdict on each row)
    else:
        if isinstance(output, pd.DataFrame):
            output = output.all(axis="columns")
        if not isinstance(output, pd.Series):
            return  # one yes / no for the whole frame: no row to mark
        passed = output.to_numpy() if output.dtype == bool else output.astype(bool).to_numpy()
        rows = output.index
    if passed.all():
        return
    for index in rows[~passed]:
        yield str(check.name), int(index)  # NOTE: sheetsync's frames are indexed by row number


def _check_output(check: pa.Check, frame: pd.DataFrame, column: str | None,
                  columns: Columns) -> Any:
    """What ``check`` says of each row, as pandera's check backend works it out.

    NOTE: the backend's own steps but its last: pandera's ``postprocess`` collects failure
    cases for a report sheetsync never makes, and on a check that keeps missing values
    (``ignore_na=False``, as every check sheetsync builds) it leaves the output as it is.
    A check that drops them, groups rows, goes element by element or is one of pandera's own
    goes the whole way. For the others the backend's ``preprocess`` hands the function the
    column (or the whole frame) and ``apply`` calls it with the check's keyword arguments:
    that is done here, without looking up a backend for every check of every sheet; a
    check sheetsync built (``checks.RowVerdicts``) gives its bare verdicts, one per row, and
    reads a frame's columns through ``columns``.
    """
    if check.ignore_na or check.groupby is not None or check.element_wise or \
            check.is_builtin_check(getattr(check._check_fn, "__name__", None) or ""):
        return check(frame, column).check_output
    function = check._check_fn
    if isinstance(function, RowVerdicts):
        return function.bare(columns if column is None else columns[column], **check._check_kwargs)
    return function(frame if column is None else columns[column], **check._check_kwargs)


def _sheet_fields(context: Context) -> dict[str, Any]:
    """The fields of messages that are the same for every check of a sheet."""
    method, rated_by = _worked_out(context.scores)
    return {"method": method, "rated_by": rated_by,
            "months": context.config.review_staleness_months, "ratings": _ratings(context),
            "as_of": _shown(context.as_of)}


def _findings(spec: CheckSpec, made: BuiltCheck, frame: Columns, sheet: RawSheet,
              context: Context, workbook: str, rows: list[int], ref_column: pd.Series | None,
              sheet_fields: dict[str, Any]) -> list[Finding]:
    """The findings of one check on ``rows``, its columns read once for all of them.

    NOTE: column by column: a first check of a register can fail a check on every other row,
    and reading each finding's cells through pandas indexers was most of the time it took.
    """
    if not rows:
        return []
    layout = sheet.layout
    column = layout.columns[made.target]
    positions = frame.index.get_indexer(pd.Index(rows))

    def values_of(table: pd.DataFrame | Columns, name: str) -> list[Any]:
        return at(table[name])

    def at(column: pd.Series) -> list[Any]:
        # NOTE: a plain array hands back the same Python values as the Series (not dates:
        # numpy's tolist gives a date as a number)
        if isinstance(column.dtype, np.dtype) and column.dtype.kind in "biufO":
            return column.to_numpy()[positions].tolist()
        return column.iloc[positions].tolist()

    blank: list[Any] = [None] * len(rows)
    raw_values = values_of(sheet.raw, made.target) if made.target in sheet.raw else blank
    typed_values = values_of(frame, made.target) if made.target == spec.column else raw_values
    expected = values_of(frame, made.expected) if made.expected else blank
    score_column = EFFECTIVE + spec.column.replace("_rating", "_score")
    scores = values_of(frame, score_column) if spec.column.endswith("_rating") else blank
    detail_column = CALC + spec.params["detail"] if "detail" in spec.params else None
    details = values_of(frame, detail_column) if detail_column and detail_column in frame else blank
    # NOTE: each row's reference as typed (R9), read as a text column is (as read_text):
    # a read_text call per finding cost 26 ms of a heavy register's 24,500
    refs = read_column(at(ref_column), "text")[0] if ref_column is not None else blank
    scale = context.scores.scale("likelihood" if "likelihood" in spec.column else "impact")
    fields: dict[str, Any] = {
        "header": column.header,
        "assessment": (context.spec.assessments[spec.assessment][0].lower()
                       if spec.assessment else ""),
        "max": scale.size,
        "levels": scale.known_words(),
        **sheet_fields,
        "allowed": _allowed(str(spec.params.get("vocabulary", "")), context),
    }
    own_column = spec.column == made.target
    messages: dict[tuple[str, str, str, str], str] = {}  # NOTE: registers repeat their values
    cell_prefix = column.letter
    found = []
    for row, raw_value, typed_value, expected_value, score, detail, ref in zip(
            rows, raw_values, typed_values, expected, scores, details, refs, strict=True):
        shown = _shown(raw_value if isinstance(typed_value, Measure) else typed_value)
        if own_column and shown == "":
            shown = _shown(raw_value)
        varying = (shown, _shown(expected_value) if made.expected else "",
                   _shown(score) if spec.column.endswith("_rating") else "",
                   _shown(detail) if details is not blank else "")
        message = messages.get(varying)
        if message is None:
            fields.update(zip(("value", "expected", "score", "detail"), varying, strict=True))
            try:
                message = spec.message.format(**fields)
            except (KeyError, IndexError, ValueError):
                message = spec.message
            messages[varying] = message
        found.append(Finding(workbook=workbook, sheet=sheet.sheet, cell=f"{cell_prefix}{row}",
                             row=row, column=column.header, ref=ref, value=raw_value,
                             rule=spec.rule, severity=spec.severity, message=message))
    return found


def _ratings(context: Context) -> str:
    """The rating words a sheet may use, for messages: "Green (G, Low), Amber (A) or Red (R)"."""
    def also(band: Band) -> list[str]:  # (a word scale's words are added in lower case)
        seen, words = {band.name.casefold()}, []
        for word in band.also:
            if word.casefold() not in seen:
                seen.add(word.casefold())
                words.append(word)
        return words

    words = [f"{b.name} ({', '.join(also(b))})" if also(b) else b.name for b in context.scores.bands]
    return ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else words[0]


def _worked_out(scoring: Scoring) -> tuple[str, str]:
    """How a score and a rating are worked out, for messages: the settings' way or the
    workbook's own legend's."""
    # NOTE: a legend's source is the cells it was read from ('Legend'!A3:B5)
    own = "the workbook's " if "!" in scoring.source else "the "
    method = ("likelihood x impact" if scoring.score_matrix is None
              else f"{own}matrix's score for its likelihood and impact")
    rated_by = f"by {own}risk matrix" if scoring.rating_matrix is not None else f"under {own}score bands"
    return method, rated_by


def _allowed(vocabulary: str, context: Context) -> str:
    """The words a vocabulary accepts, for messages."""
    if vocabulary == "action_status":  # G (Green, On track...); A (Amber...): by status
        return "; ".join(f"{code} ({', '.join(w for w in words if w != code)})" if len(words) > 1
                         else code for code, words in context.config.action_status.items())
    return ", ".join(context.config.vocabulary(vocabulary))


def _shown(value: Any) -> str:
    """A value as an officer would write it: 12 not 12.0, dates as 16/01/2023."""
    kind = type(value)
    if kind is str:  # NOTE: text and plain numbers, most values, without pandas' isna
        return " ".join(value.split())
    if kind is float:
        return "" if value != value else str(int(value)) if value.is_integer() else str(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.date()
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


#: Columns of free text, where a second column of the same meaning is no finding (HD02).
NARRATIVE = frozenset({"description", "controls", "action", "actions", "outcome", "progress",
                       "next_steps", "update", "impact", "causes", "commentary"})


def header_findings(layout: Layout, workbook: str, sheet: str) -> list[Finding]:
    """HD01 for each required column missing from the header; HD02 for each duplicate column."""
    findings = []
    spec = layout.spec
    anchor = get_column_letter(min(ref.index for ref in layout.columns.values()))
    for name in spec.required_columns:
        if name in layout.columns:
            continue
        label = spec.columns[name].label
        findings.append(Finding(
            workbook=workbook, sheet=sheet, cell=f"{anchor}{layout.header_row}",
            row=layout.header_row, column=None, ref=None, value=None, rule="HD01",
            severity=STRUCTURAL_RULES["HD01"].severity,
            message=f"The {spec.title.lower()} has no '{label}' column in its header "
                    f"(row {layout.header_row}). Add one, or name it as the schema expects "
                    f"({', '.join(spec.columns[name].synonyms[:4])})."))
    for duplicate in layout.duplicates:
        kept = layout.columns[duplicate.name]
        if duplicate.name in NARRATIVE:
            # NOTE: two columns of narrative ("Risk Name", "Description") are both the officer's
            # words: nothing is checked in them, so reading the first loses nothing.
            continue
        findings.append(Finding(
            workbook=workbook, sheet=sheet, cell=duplicate.header_cell, row=layout.header_row,
            column=duplicate.header, ref=None, value=duplicate.header, rule="HD02",
            severity=STRUCTURAL_RULES["HD02"].severity,
            message=f"'{duplicate.header}' means the same as '{kept.header}' "
                    f"(column {kept.letter}); sheetsync reads column {kept.letter} and ignores "
                    "this one. Rename or remove one of them."))
    return findings
