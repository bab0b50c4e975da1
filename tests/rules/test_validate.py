"""``failing_rows`` runs a schema's checks one by one; it must fail exactly the rows pandera's
own ``validate(lazy=True)`` reports, whatever the data (so a pandera upgrade that changes what
a check means is caught here)."""

from __future__ import annotations

import pandas as pd
import pandera.errors
import pandera.pandas as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.rules.validate import failing_rows


def pandera_rows(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> set[tuple[str, int]]:
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        return {(str(c), int(i)) for c, i in zip(cases["check"], cases["index"], strict=True)
                if i is not None and not pd.isna(i)}
    return set()


def schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        columns={
            "score": pa.Column(checks=[
                pa.Check(lambda s: s.between(1, 25), name="in_scale"),  # ignore_na: blanks pass
                pa.Check(lambda s: s.notna(), name="required", ignore_na=False),
                pa.Check(lambda v: v != 13, name="element", element_wise=True),
            ], nullable=True),
            "rating": pa.Column(checks=[
                pa.Check(lambda s: s.isna() | s.isin(["Red", "Amber", "Green"]), name="word",
                         ignore_na=False),
            ], nullable=True),
        },
        checks=[
            pa.Check(lambda df: df["score"].notna() | df["rating"].isna(), name="together",
                     ignore_na=False),
            pa.Check(lambda df: ~(df["score"] > 20), name="row_check"),  # a row, ignore_na
            pa.Check(lambda df: df.ne(""), name="cells"),  # a frame of booleans; blanks pass
            pa.Check(lambda df: len(df) < 1000, name="one_answer"),  # no row to mark
            pa.Check(lambda df: df["missing"] > 0, name="raises"),  # a KeyError: no row
        ],
        strict=False, coerce=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.none() | st.integers(-3, 30) | st.floats(allow_nan=True),
                          st.none() | st.sampled_from(["Red", "Amber", "Green", "Purple", ""])),
                min_size=0, max_size=12))
def test_the_same_rows_as_pandera_validate(rows) -> None:
    frame = pd.DataFrame(rows, columns=["score", "rating"], dtype=object)
    frame["score"] = pd.to_numeric(frame["score"])
    frame.index = range(2, len(frame) + 2)  # sheet rows, as the pipeline numbers them
    mine = {(name, int(index)) for name, index in failing_rows(schema(), frame)}
    assert mine == pandera_rows(schema(), frame)


def test_rows_and_check_names() -> None:
    frame = pd.DataFrame({"score": [5.0, None, 13.0, 24.0, 3.0],
                          "rating": ["Red", "Red", "Blue", None, ""]}, index=[4, 5, 6, 7, 8])
    assert sorted(failing_rows(schema(), frame)) == [
        ("cells", 8), ("element", 6), ("required", 5), ("row_check", 7), ("together", 5),
        ("word", 6), ("word", 8)]


def test_built_checks_fail_the_rows_pandera_validate_fails(tmp_path, risk_workbook,
                                                            monkeypatch) -> None:
    """The checks sheetsync builds give failing_rows their bare verdicts (``RowVerdicts``);
    pandera's own validate, which gets them as a Series, must fail the same rows."""
    from helpers import risk_row, run_sheetsync

    import sheetsync.pipeline as pipeline
    from sheetsync.rules.validate import compile_schema

    seen = []
    real = pipeline.validate_frame

    def capture(frame, sheet, context, *rest):
        seen.append((frame.copy(), context))
        return real(frame, sheet, context, *rest)

    monkeypatch.setattr(pipeline, "validate_frame", capture)
    rows = [risk_row("R1"), risk_row("R1", score=7), risk_row("R3", rating="Red"),
            risk_row("R4", likelihood=6, score=None), risk_row("", owner=None),
            risk_row("R6", review="01/01/2020"), risk_row("R7", review="01/01/2030"),
            risk_row("R8", rating="Purple"), risk_row("R9", likelihood=None, score=4)]
    run_sheetsync([risk_workbook(*rows)], tmp_path / "out", reports=False)
    assert seen
    for frame, context in seen:
        schema, _built = compile_schema(frame, context)
        mine = {(name, int(index)) for name, index in failing_rows(schema, frame)}
        assert len({name for name, _row in mine}) >= 4
        assert mine == pandera_rows(schema, frame)
