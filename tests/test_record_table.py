"""A sheet's records kept as columns behave as the list of dicts they stand for."""

from __future__ import annotations

import json
import pickle

from sheetsync.results import RecordTable

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
