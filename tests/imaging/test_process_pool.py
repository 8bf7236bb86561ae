"""The shared process pool: results in order, and a batch that survives a dying pool process."""

import os

from annotation_platform.imaging.process_pool import map_in_pool


def _square(number: int) -> int:
    return number * number


def _die_in_pool(item: tuple[int, int]) -> int:
    """Kill the pool process that runs it (as the kernel does when memory runs out).

    The caller's process id comes with the item: a pool process imports this module anew.
    """
    caller, number = item
    if os.getpid() != caller:
        os._exit(1)
    return number


def test_results_come_back_in_order() -> None:
    numbers = list(range(40))

    assert map_in_pool(_square, numbers, workers=2, chunksize=4) == [n * n for n in numbers]


def test_dead_pool_process_finishes_here() -> None:
    numbers = list(range(20))

    items = [(os.getpid(), number) for number in numbers]

    assert map_in_pool(_die_in_pool, items, workers=2, chunksize=4) == numbers
    assert map_in_pool(_square, numbers, workers=2, chunksize=4) == [n * n for n in numbers]
