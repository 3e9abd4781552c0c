"""Shared test set-up: the browser switch, personas for every role, and the active policy."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"

pytest_plugins = ["parley.testing.browser"]


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "browser" in item.keywords]
    if not browser_items or _chromium_available():
        return
    if os.environ.get("PARLEY_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"PARLEY_REQUIRE_BROWSER is set but {CHROMIUM} is missing: apt-get install chromium")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}; install it with: apt-get install chromium")
    for item in browser_items:
        item.add_marker(skip)
    config._parley_skipped_browser = [item.nodeid for item in browser_items]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = getattr(config, "_parley_skipped_browser", [])
    if skipped:
        terminalreporter.section("browser tests skipped")
        terminalreporter.write_line(
            f"{len(skipped)} browser test(s) did NOT run because Chromium is missing ({CHROMIUM})."
        )
        terminalreporter.write_line("Enable them with: apt-get install chromium   (then run make test again)")
        for nodeid in skipped:
            terminalreporter.write_line(f"  skipped: {nodeid}")
