"""The facade's two ways to run the synchronous core off the event loop: one call in a daemon
thread, awaited; and a walk in a daemon thread whose results stream to the loop as they come."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, cast

if TYPE_CHECKING:
    from venvdeck.services.protocol import LineSink

T = TypeVar("T")


async def in_thread(function: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    """function(*args, **kwargs) in a daemon thread (never joined at exit), awaited.

    The core modules a call needs are imported inside function, in the thread: a first import
    (packaging's parsers for a check, the insight code for a tree) took 30-60 ms of the event loop
    just after the dashboard's first frame, and a q waited behind it."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def target() -> None:
        try:
            result = function(*args, **kwargs)
        except BaseException as exc:  # handed to the awaiting task, raised there
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
                loop.call_soon_threadsafe(settle, None, exc)
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(settle, result, None)

    threading.Thread(
        target=target, name=f"venvdeck-{getattr(function, '__name__', 'call')}", daemon=True
    ).start()
    return await future


@dataclass(frozen=True, slots=True)
class _Failed:
    error: BaseException


_END = object()


async def streamed(
    walk: Callable[[Callable[[T], None], threading.Event], None], name: str
) -> AsyncGenerator[T, None]:
    """Each item walk(post, cancelled) posts from a daemon thread, as it is posted; what the walk
    raises is raised here after the items before it. Closing the generator (the consumer stopped
    or was cancelled) sets cancelled, and the walk stops at its next look at it or post."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()
    cancelled = threading.Event()

    def post(item: object) -> None:
        if cancelled.is_set():
            return
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the consumer's loop has closed: stop walking
            cancelled.set()

    def run() -> None:
        try:
            walk(post, cancelled)
        except BaseException as exc:
            post(_Failed(exc))
        finally:
            post(_END)

    threading.Thread(target=run, name=f"venvdeck-{name}", daemon=True).start()
    try:
        while True:
            item = await queue.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield cast("T", item)
    finally:
        cancelled.set()


def to_loop(loop: asyncio.AbstractEventLoop, sink: LineSink) -> LineSink:
    """sink, called on loop's thread whichever thread calls it (nothing once the loop has closed)."""

    def post(line: str) -> None:
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(sink, line)

    return post
