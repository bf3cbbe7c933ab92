import contextlib
import datetime
from unittest import mock

import pytest
from django.utils import timezone


@pytest.fixture
def clock():
    """`with clock(moment):` — the services see `moment` as now (only the clock is replaced)."""

    @contextlib.contextmanager
    def at(moment: datetime.datetime):
        with mock.patch.object(timezone, "now", return_value=moment):
            yield

    return at
