"""“Find on the roster”: what a complainant knows of an officer (a name, a badge number) looked up among
the department's officers, and what the page says of it. Used where staff name an officer: intake's
officer rows, and the form that identifies an officer described at intake."""

from __future__ import annotations

from dataclasses import dataclass, field

from parley.cases import selectors
from parley.cases.models import Officer

MAX_WORDS_LENGTH = 100


@dataclass
class RosterFound:
    """What one search found, shown under its search box: ``note`` says it; ``matches`` are the officers
    to choose from (several found); ``dsn`` is the one officer's DSN (one found), for the DSN box."""

    note: str
    matches: list[Officer] = field(default_factory=list)
    dsn: str = ""
    nothing: bool = False  # searched, and no officer matched: the search box may be cleared


def words_of(typed: str | None) -> str:
    """The search box's words, one space between them, at most ``MAX_WORDS_LENGTH`` characters."""
    return " ".join((typed or "").split())[:MAX_WORDS_LENGTH]


def find(typed: str | None, *, dsn_kept: str, if_none: str, if_several: str = "") -> RosterFound:
    """Search the roster for ``typed``. ``dsn_kept``: what the DSN box holds now (a search that finds
    no one says it is still there); ``if_none`` and ``if_several``: what the form offers to do when no
    officer matches, or several do ("Check the spelling, or describe the officer below.")."""
    words = words_of(typed)
    if not words or not words.isprintable():
        return RosterFound("Type a last name, a first and last name, or a badge number, then find.")
    matches, total = selectors.roster_search(words)
    if not matches:
        kept = f" The DSN box still holds {dsn_kept}: clear it if that is not the officer." if dsn_kept else ""
        return RosterFound(f"No officer on the roster matches “{words}”. {if_none}{kept}", nothing=True)
    if len(matches) == 1:
        gone = "" if matches[0].active else " (no longer active)"
        return RosterFound(
            f"One officer on the roster matches “{words}”: {matches[0]}{gone}. Check that it is the officer meant.",
            dsn=matches[0].dsn,
        )
    if total > len(matches):
        found = (
            f"{total} officers on the roster match “{words}”; the first {len(matches)} are listed. Add a first name "
            "or the badge number, or choose the one meant."
        )
    else:
        found = f"{total} officers on the roster match “{words}”: choose the one meant."
    return RosterFound(" ".join(filter(None, [found, if_several])), matches)


def chosen(dsn: str) -> Officer | None:
    """The officer of a "Use this officer" button, if the roster has one with that DSN."""
    return Officer.objects.filter(dsn=dsn).first() if dsn and dsn.isprintable() else None
