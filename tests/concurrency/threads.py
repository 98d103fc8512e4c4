"""Run calls at the same moment, each in its own thread with its own database connection."""

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connections

T = TypeVar("T")


def at_once(calls: list[Callable[[], T]], *, timeout: float = 120) -> list[T]:
    """Start every call in its own thread, release them together, return their results in
    order; re-raise the first exception a thread met.

    The data the calls read must be committed (`django_db(transaction=True)`): each thread
    opens its own connection, closed when its call ends.
    """
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = call()
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    assert not any(thread.is_alive() for thread in threads), "a call never returned"
    return results
