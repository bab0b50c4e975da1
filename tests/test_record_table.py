"""A sheet's records kept as columns behave as the list of dicts they stand for."""

from __future__ import annotations

import json
import pickle
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.findings import Severity
from sheetsync.results import RecordTable, json_items

TABLE = RecordTable(["workbook", "row", "score"], [["a.xlsx", "a.xlsx"], [5, 6], [12, None]])
AS_DICTS = [{"workbook": "a.xlsx", "row": 5, "score": 12},
            {"workbook": "a.xlsx", "row": 6, "score": None}]


def test_records_read_as_dicts_one_at_a_time_by_index_and_slice() -> None:
    assert list(TABLE) == AS_DICTS and TABLE == AS_DICTS and len(TABLE) == 2
    assert TABLE[1] == AS_DICTS[1] and TABLE[-1]["row"] == 6 and TABLE[:1] == AS_DICTS[:1]
    assert not TABLE.__eq__(AS_DICTS[:1]) and RecordTable([], []).__eq__([])


def test_a_record_made_is_the_reader_s_own_copy() -> None:
    first = TABLE[0]
    first["score"] = 99
    assert TABLE[0]["score"] == 12


def test_records_go_to_a_run_s_main_process_and_into_the_history_whole() -> None:
    assert pickle.loads(pickle.dumps(TABLE)) == AS_DICTS
    assert json.loads(json.dumps(list(TABLE))) == AS_DICTS


_PLAIN = (st.text() | st.integers() | st.floats() | st.booleans() | st.none()
          | st.sampled_from(["%s", "%%", "\n", '", "', "\u2028", "—", "]\n[", "a\u0000"]))
#: Plain values; with others among them written as text (a date) or as a number (an IntEnum);
#: with lists and objects (each value encoded on its own).
_VALUES = (_PLAIN, _PLAIN | st.dates() | st.sampled_from([Severity.ERROR, Decimal("1.50")]),
           _PLAIN | st.lists(_PLAIN, max_size=2) | st.dictionaries(st.text(max_size=3), _PLAIN,
                                                                    max_size=2))


@settings(max_examples=300, deadline=None)
@given(names=st.lists(st.text(max_size=4) | st.sampled_from(["%s", "%", "a"]), max_size=4),
       rows=st.integers(0, 4), values=st.sampled_from(_VALUES), data=st.data())
def test_the_history_s_text_is_json_dumps_of_the_records(names, rows, values, data) -> None:
    columns = [data.draw(st.lists(values, min_size=rows, max_size=rows)) for _ in names]
    table = RecordTable(names, columns)
    assert table.json_text() == json.dumps(list(table), default=str)
    for column in columns:
        assert json_items(column) == [json.dumps(v, default=str) for v in column]
