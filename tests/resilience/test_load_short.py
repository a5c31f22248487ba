"""The load script in a short, bounded form: 64 users for a few seconds against gunicorn;
no 5xx, no lost or doubled effects. The long form is `python benchmarks/load.py`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from load import run  # noqa: E402

pytestmark = [pytest.mark.slow]


def test_64_users_leave_no_server_error_and_no_lost_or_doubled_effect(scratch_db_url):
    url = None if scratch_db_url.startswith("sqlite") else scratch_db_url
    result = run(64, float(os.environ.get("LOAD_SECONDS", "6")), url)
    assert result["requests"] > 64
    assert result["server_errors"] == 0
    assert result["lost_or_doubled"] == []
