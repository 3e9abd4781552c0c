"""Shared test set-up: the browser switch, personas for every role, and the active policy."""

from __future__ import annotations

import os

import pytest

CHROMIUM = os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium")

pytest_plugins = ["parley.testing.browser"]


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM)


SKIP_REASON = f"Chromium not found at {CHROMIUM}; install it with: apt-get install chromium"


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "browser" in item.keywords]
    if not browser_items or _chromium_available():
        return
    if os.environ.get("PARLEY_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"PARLEY_REQUIRE_BROWSER is set but {CHROMIUM} is missing: apt-get install chromium")
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say plainly which browser tests did not run, and how to run them (also under pytest-xdist,
    where collection happens in the workers: the skipped reports carry the reason)."""
    skipped = [
        report.nodeid
        for report in terminalreporter.stats.get("skipped", [])
        if SKIP_REASON in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.section("browser tests skipped")
        terminalreporter.write_line(
            f"{len(skipped)} browser test(s) did NOT run because Chromium is missing ({CHROMIUM})."
        )
        terminalreporter.write_line("Enable them with: apt-get install chromium   (then run make test again)")
        for nodeid in sorted(skipped):
            terminalreporter.write_line(f"  skipped: {nodeid}")
