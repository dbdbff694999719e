"""TaskSet: exceptions are logged, closing waits for every task to stop."""

from __future__ import annotations

import asyncio
import logging

import pytest

from hostdesk.tasks import TaskSet


async def test_a_failing_task_is_logged_with_its_name(caplog: pytest.LogCaptureFixture) -> None:
    tasks = TaskSet(logging.getLogger("hostdesk.test"))

    async def fail() -> None:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, "hostdesk.test"):
        task = tasks.spawn(fail(), name="restore viewer-a")
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(0)
    assert [r.getMessage() for r in caplog.records] == ["restore viewer-a failed"]
    assert caplog.records[0].exc_info is not None
    assert len(tasks) == 0


async def test_aclose_cancels_and_waits_including_cleanup() -> None:
    tasks = TaskSet(logging.getLogger("hostdesk.test"))
    cleaned: list[str] = []

    async def long() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            await asyncio.sleep(0.01)  # cleanup that itself awaits
            cleaned.append("done")

    tasks.spawn(long())
    await asyncio.sleep(0)
    await tasks.aclose()
    assert cleaned == ["done"]
    late = tasks.spawn(asyncio.sleep(3600))
    await asyncio.gather(late, return_exceptions=True)
    assert late.cancelled()
