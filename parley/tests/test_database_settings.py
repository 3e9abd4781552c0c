"""PostgreSQL sessions run without JIT compilation and without parallel workers (parley/settings.py),
unless DATABASE_URL asks for them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.db import connection


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="reads a PostgreSQL session's own settings, which SQLite has not (CI runs it on PostgreSQL; the "
    "options that set them are checked on every database by the tests below)",
)
def test_postgresql_sessions_run_without_jit_or_parallel_workers():
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


@pytest.mark.parametrize(
    ("url_options", "wanted", "unwanted"),
    [
        ("", ["-c jit=off", "-c max_parallel_workers_per_gather=0"], []),
        ("-c max_parallel_workers_per_gather=2", ["per_gather=2", "jit=off"], ["per_gather=0"]),
        ("-c Max_Parallel_Workers_Per_Gather=2", ["Per_Gather=2"], ["per_gather=0"]),  # names ignore case
        ("--max_parallel_workers_per_gather=2", ["per_gather=2"], ["per_gather=0"]),
        ("-c jit=on", ["jit=on", "per_gather=0"], ["jit=off"]),
        ("-c JIT=on", ["JIT=on"], ["jit=off"]),
        # another setting whose name begins the same is not the one
        ("-c max_parallel_workers=8 -c jit_above_cost=10", ["max_parallel_workers=8", "per_gather=0", "jit=off"], []),
    ],
)
def test_the_database_url_can_set_them_otherwise(url_options, wanted, unwanted):
    url = "postgres://parley@db.example/parley"
    if url_options:
        url += "?options=" + quote(url_options)
    options = _options(url)
    assert all(part in options for part in wanted), options
    assert not any(part in options for part in unwanted), options
