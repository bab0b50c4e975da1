"""What a run produces, and the settings it runs with: plain records, light to import, so a
run that reuses every workbook's results need not load the checking machinery."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, overload

from sheetsync.findings import Finding, Severity
from sheetsync.read.discover import Source
from sheetsync.settings.config import Config, load_config
from sheetsync.settings.finance_spec import FinanceSpec, load_finance_spec
from sheetsync.settings.schemas import RegisterSpec, default_schemas_dir, load_specs

ANNOTATED_DIR = "annotated"
#: The kind whose sheets mix records of other kinds, each marked with its ``kind``.
MIXED_KIND = "raid_log"


class RecordTable(Sequence[dict[str, Any]]):
    """A sheet's records kept as columns, each record made a dict only when it is asked for.

    NOTE: 50,000 records held as dicts took 40 MiB, the largest part of a large register's
    memory; the reports read them once, in order. Pickled (to a run's main process) as columns.
    """

    __slots__ = ("names", "columns")

    def __init__(self, names: list[str], columns: list[list[Any]]) -> None:
        self.names = names
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def columns_of(self, names: Iterable[str]) -> list[list[Any]]:
        """The column of each of ``names``, in that order: all None where the table has none."""
        by_name = dict(zip(self.names, self.columns, strict=True))
        blank = [None] * len(self)
        return [by_name.get(name, blank) for name in names]

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return dict(zip(self.names, [column[index] for column in self.columns], strict=True))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if len(self.names) != len(self.columns):
            raise ValueError(f"{len(self.names)} names for {len(self.columns)} columns")
        # NOTE: map, not a generator of dict(zip(...)): each dict made without a step of
        # Python between (an eighth less time to read a run's 20,000 records)
        return map(dict, map(zip, itertools.repeat(self.names),
                             zip(*self.columns, strict=True)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, (str, bytes)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RecordTable({list(self)!r})"

    def json_text(self) -> str:
        """``json.dumps(list(self), default=str)``, the same text, made from the columns.

        NOTE: the history stores every record of a first run: 20,000 records made dicts and
        encoded one by one were most of the time storing a run took. All the values are
        encoded by one call (``_one_a_line``), and the line break after each replaced by what
        follows it (the next name, or the end of the record and the first name) by one ``%``.
        """
        names, size = self.names, len(self)
        if (len(set(names)) != len(names) or not all(type(name) is str for name in names)
                or len(names) != len(self.columns)
                or any(len(column) != size for column in self.columns)):
            return json.dumps(list(self), default=str)  # (as the dicts would have it, or raise)
        if not size:
            return "[]"
        text = _one_a_line(list(itertools.chain.from_iterable(zip(*self.columns, strict=True))))
        if text is None:
            return json.dumps(list(self), default=str)
        first, between = _between(tuple(names))
        body = text.replace("%", "%%").replace("\n", "%s") % (between * size)[:-1]
        return "".join(("[{", first, body, "}]"))


def columns_of(records: Iterable[dict[str, Any]], names: Iterable[str]) -> list[list[Any]]:
    """Each of ``names`` for every record, None where a record has none: a RecordTable's own
    columns (making each record a dict to read a few fields was most of the time it took),
    else read from its records."""
    if isinstance(records, RecordTable):
        return records.columns_of(names)
    records = list(records)
    columns = []
    for name in names:
        try:
            columns.append(list(map(itemgetter(name), records)))
        except KeyError:  # (a record without it)
            columns.append([record.get(name) for record in records])
    return columns


@functools.lru_cache(maxsize=64)
def _between(names: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """What comes before a record's first value, and after each value (the registers of a run
    share a few lists of names)."""
    keys = [json.dumps(name) + ": " for name in names]
    return keys[0], (*(", " + key for key in keys[1:]), "}, {" + keys[0])


_ONE_A_LINE = json.JSONEncoder(separators=("\n", ": "), default=str)


def _one_a_line(values: list[Any]) -> str | None:
    """``values`` as JSON, a line break between each two, or None where one is a list or an
    object.

    NOTE: then a line break in the text is always a separator: any other value is written as
    a number, a literal or text (``default=str``), and in text a line break is escaped. The
    values' types are looked at only when the text has a bracket (a tenth of the time).
    """
    text = _ONE_A_LINE.encode(values)[1:-1]
    if ("[" in text or "{" in text) and any(
            issubclass(kind, (list, tuple, dict)) for kind in set(map(type, values))):
        return None
    return text


def json_items(values: list[Any]) -> list[str]:
    """``[json.dumps(v, default=str) for v in values]``, the same texts from one call of the
    C encoder (a call for each value costs microseconds that 10,000s of values add up)."""
    text = _one_a_line(values)
    if text is None:
        return [json.dumps(value, default=str) for value in values]
    return text.split("\n") if values else []


@dataclass(slots=True)
class SheetResult:
    """A register found on a sheet."""

    name: str
    kind: str
    header_row: int
    rows: int
    metadata: dict[str, str] = field(default_factory=dict)
    records: Sequence[dict[str, Any]] = field(default_factory=list)  #: a list or a RecordTable
    #: What sheetsync took the sheet for, in plain words (``read.account``): reason,
    #: header_rows, columns, duplicates, scale, scale_source, notes, entry_rows.
    account: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class WorkbookResult:
    """What happened to one workbook."""

    source: Source
    status: str  #: "ok", "error" or "skipped".
    message: str = ""
    annotated: Path | None = None
    sheets: list[SheetResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    #: Its outputs left as they were this run (an annotated copy open in Excel): not findings.
    warnings: list[dict[str, Any]] = field(default_factory=list)
    #: Sheets holding no register, each with the row that came nearest to a header and what
    #: it lacked (``read.account.skipped_account``), for ``inspect`` and exceptions.json.
    skipped_sheets: list[dict[str, Any]] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


@dataclass(slots=True)
class RunResult:
    """Everything a run found, for the reports and the exit code."""

    as_of: dt.date
    out_dir: Path
    workbooks: list[WorkbookResult] = field(default_factory=list)
    #: Problems of the run, not of any register: an output left as it was because someone has
    #: it open, an email not sent... Each a dict with a plain-English ``message`` and what it is
    #: about (``file``, ``owner``...). Listed in ``exceptions.json``, the log and the console.
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def all_warnings(self) -> list[dict[str, Any]]:
        """Each workbook's warnings (its annotated copy), then the run's own."""
        return [*(w for wb in self.workbooks for w in wb.warnings), *self.warnings]

    @property
    def findings(self) -> list[Finding]:
        return [f for wb in self.workbooks for f in wb.findings]

    def count(self, severity: Severity) -> int:
        return sum(wb.count(severity) for wb in self.workbooks)

    def records(self, kind: str) -> list[dict[str, Any]]:
        """Every record of one register kind, in workbook and sheet order: a RAID log's risks
        and issues (marked with their ``kind``) go with the risks and issues."""
        return [r for records in self.record_groups(kind) for r in records]

    def record_groups(self, kind: str) -> Iterator[Iterable[dict[str, Any]]]:
        """``records(kind)`` a sheet at a time: a sheet's own (a RecordTable, as checked), or
        those of that kind of a RAID log's."""
        for wb in self.workbooks:
            for s in wb.sheets:
                if s.kind == MIXED_KIND:
                    yield (r for r in s.records if r.get("kind", MIXED_KIND) == kind)
                elif s.kind == kind:
                    yield s.records

    def failed(self, fail_on: str) -> bool:
        """True when the run should exit 1 under ``--fail-on``."""
        if fail_on == "never":
            return False
        if any(wb.status == "error" for wb in self.workbooks):
            return True
        threshold = Severity.parse(fail_on)
        return any(f.severity >= threshold for f in self.findings)


@dataclass(frozen=True, slots=True)
class Settings:
    """What a run needs besides the paths: loaded once, shared by every workbook."""

    specs: dict[str, RegisterSpec]
    finance: FinanceSpec
    config: Config
    as_of: dt.date

    @classmethod
    def load(cls, as_of: dt.date | None = None, config_file: Path | None = None,
             schemas_dir: Path | None = None) -> Settings:
        """Read the schema and config files; a mistake in them raises ConfigError."""
        directory = schemas_dir or default_schemas_dir()
        config = load_config(directory, config_file)
        return cls(specs=load_specs(directory, config), finance=load_finance_spec(directory),
                   config=config, as_of=as_of or dt.date.today())
