"""PostgreSQL sessions run without JIT compilation and without parallel workers (parley/settings.py),
unless DATABASE_URL asks for them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_sessions_run_without_jit_or_parallel_workers():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's settings (CI runs it there)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"


def _options(database_url: str) -> str:
    code = "from django.conf import settings; import json; print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "parley.settings"}
    env.setdefault("SECRET_KEY", "parley-test-only")
    done = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-c", f"import django; django.setup(); {code}"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])["options"]


def test_the_database_url_can_turn_parallel_workers_back_on():
    options = _options("postgres://parley@db.example/parley?options=-c%20max_parallel_workers_per_gather%3D2")
    assert "max_parallel_workers_per_gather=2" in options
    assert "max_parallel_workers_per_gather=0" not in options
    assert "jit=off" in options
    plain = _options("postgres://parley@db.example/parley")
    assert "max_parallel_workers_per_gather=0" in plain and "jit=off" in plain
