"""What the API's tests share: a show on the production-mode API (`api`)."""

from __future__ import annotations

import pytest_asyncio

from tests.support.api_fixtures import RunningApi, Show, start_show


@pytest_asyncio.fixture(loop_scope="session")
async def show(api: RunningApi) -> Show:
    """A new room on `api` with its host and a viewer the host's session sees."""
    return await start_show(api)
