"""A part unzipped ahead on a thread comes as it would have without: every chunk, in order,
and a failure while reading one is raised where the chunk was asked for."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.files import read_ahead


@given(st.lists(st.binary(min_size=1, max_size=50), max_size=20))
def test_every_chunk_comes_in_order(chunks: list[bytes]) -> None:
    assert list(read_ahead(iter(chunks))) == chunks


def test_a_failure_reading_a_chunk_is_raised_where_it_is_asked_for() -> None:
    def damaged() -> Iterator[bytes]:
        yield b"<row/>"
        raise OSError("damaged part")

    ahead = read_ahead(damaged())
    assert next(ahead) == b"<row/>"
    with pytest.raises(OSError, match="damaged part"):
        next(ahead)


def test_a_patch_stopped_early_leaves_no_thread_reading() -> None:
    asked: list[int] = []

    def endless() -> Iterator[bytes]:
        while True:
            asked.append(1)
            yield b"x"

    before = threading.active_count()
    ahead = read_ahead(endless())
    assert next(ahead) == b"x"
    ahead.close()
    assert threading.active_count() == before
    assert len(asked) <= 3  # (one given, one read ahead: never more)
