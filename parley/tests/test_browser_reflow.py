"""At 200% zoom (a 1280-pixel screen shows a 640-pixel page) the wide tables do not fit: each scrolls
sideways in its own box, by keyboard too, and the page itself does not (WCAG 2.1, 1.4.10 Reflow)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parley.testing.browser import assert_accessible, sign_in
from parley.testing.factories import receive_complaint


@pytest.mark.parametrize(("path", "table"), [("/complaints/", "#complaints"), ("/", "#queue")])
def test_a_wide_table_at_200_percent_zoom_scrolls_in_its_box_to_its_last_column(
    path, table, browser, live_server, policy, irene
):
    for _ in range(3):
        receive_complaint(irene, officers=2)
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 640, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, irene)
        page.goto(path)
        box = page.locator(f".parley-table-scroll:has({table})")
        last = page.locator(f"{table} thead th").last
        assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "the table fits: this test no longer tests it"
        expect(last).not_to_be_in_viewport(ratio=1)
        box.focus()
        for _ in range(40):
            page.keyboard.press("ArrowRight")
        expect(last).to_be_in_viewport(ratio=1)
        assert page.evaluate("window.scrollX") == 0
        assert_accessible(page, context=f"{path} at 640 pixels")
    finally:
        context.close()
