"""Workers, background work and packed text give what the plain call would give."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coe import runtime


def _square_and_pid(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


def _refuse(numbers: list[int]) -> None:
    raise ValueError(f"refused {len(numbers)} numbers")


@pytest.mark.skipif(not runtime.can_fork(), reason="one core, or no fork: nothing to run in workers")
def test_fork_map_gives_each_result_in_order_from_other_processes() -> None:
    numbers = list(range(50))
    results = list(runtime.fork_map(_square_and_pid, numbers, chunk=3))
    assert [square for square, _ in results] == [n * n for n in numbers]
    assert os.getpid() not in {pid for _, pid in results}


def test_work_in_the_background_gives_what_it_would_give_here() -> None:
    numbers = [3, 1, 4, 1, 5]
    assert runtime.in_background(sum, numbers).result() == 14
    assert runtime.in_background(sum, numbers, wanted=False).result() == 14
    with pytest.raises(ValueError, match="refused 5 numbers"):
        runtime.in_background(_refuse, numbers).result()


def test_the_collector_is_paused_and_then_as_it_was() -> None:
    import gc

    assert gc.isenabled()
    with runtime.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


@given(st.text())
def test_packed_text_unpacks_to_itself(text: str) -> None:
    assert runtime.unpack(runtime.pack(text)) == text
