"""The transition table itself: complete, consistent, and documented from itself."""

from __future__ import annotations

from django.core.management import call_command

from parley.cases import services
from parley.cases.management.commands.workflow_diagram import TARGET, render
from parley.cases.workflow import OPEN, TERMINAL, TRANSITIONS, Status


def test_every_action_has_one_service_function():
    for t in TRANSITIONS:
        assert callable(getattr(services, t.action, None)), f"no service function for {t.action}"


def test_terminal_statuses_have_no_way_out():
    for t in TRANSITIONS:
        assert not (t.sources & TERMINAL), t.action


def test_every_status_can_be_reached_from_received():
    reached = {Status.RECEIVED.value}
    changed = True
    while changed:
        changed = False
        for t in TRANSITIONS:
            if t.sources & reached:
                new = set(t.targets) - reached
                if new:
                    reached |= new
                    changed = True
    assert reached == set(Status.values)


def test_every_open_status_has_a_way_to_leave_the_path():
    for status in OPEN:
        assert any(status in t.sources and set(t.targets) & TERMINAL for t in TRANSITIONS), status


def test_the_committed_diagram_is_current():
    assert TARGET.read_text() == render(), "docs/workflow.md is stale: run `python manage.py workflow_diagram`"


def test_the_check_option_passes_on_a_current_diagram(capsys):
    call_command("workflow_diagram", check=True)
    assert "up to date" in capsys.readouterr().out
