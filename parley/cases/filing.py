"""Who may file a complaint: the program policy's rules, checked on the people a complaint lists.

Both the intake form (an error at the person's field) and ``services.complaint_receive`` (the last
word, for every way a complaint comes in) ask ``problems``, so the rules and their words are written
once. DOMAIN.md section 3, the St. Louis form: the person it happened to files, 18 or older; a parent
or guardian files for a minor and is listed on the complaint; no third-party or anonymous complaints.
Other programs differ, so each rule is a field of the policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from parley.cases.models import PartyKind
from parley.policies.models import ProgramPolicy

ADULT_AGE = 18

ANONYMOUS_REFUSED = "This program does not accept anonymous complaints: the complainant gives their name."
THIRD_PARTY_REFUSED = (
    "This program does not accept complaints filed for someone else. The person it happened to files, or a "
    "parent or guardian for someone under 18."
)
GUARDIAN_NEEDED = (
    "A complainant under 18 files through a parent or guardian: add the parent or guardian as another person."
)
GUARDIAN_UNDER_18 = "A parent or guardian who files for a complainant under 18 must be 18 or older."
GUARDIAN_OF_AN_ADULT = (
    "A parent or guardian files for a complainant under 18, and no complainant is marked under 18. Someone who "
    "comes with an adult complainant is a support person; this program does not accept complaints filed for "
    "someone else."
)


class Person(Protocol):
    kind: str
    anonymous: bool
    is_minor: bool
    date_of_birth: dt.date | None


def age_on(born: dt.date, day: dt.date) -> int:
    """Age in whole years on ``day`` (a birthday on 29 February counts on 1 March in other years)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_minor(person: Person, on: dt.date) -> bool:
    """Under 18 on ``on``: ticked "Under 18" at intake, or a date of birth that says so."""
    return person.is_minor or (person.date_of_birth is not None and age_on(person.date_of_birth, on) < ADULT_AGE)


@dataclass(frozen=True)
class Problem:
    person: int  # the index of the person in the list given
    field: str  # the intake form's field the message belongs to
    message: str


def problems(policy: ProgramPolicy, people: Sequence[Person], on: dt.date) -> list[Problem]:
    """Each way the people listed on a complaint received on ``on`` break the policy's rules of who may file."""
    found: list[Problem] = []
    has_guardian = any(p.kind == PartyKind.GUARDIAN and not is_minor(p, on) for p in people)
    minor_complainant = any(p.kind == PartyKind.COMPLAINANT and is_minor(p, on) for p in people)
    for i, p in enumerate(people):
        if p.kind == PartyKind.COMPLAINANT and p.anonymous and not policy.anonymous_complaints_accepted:
            found.append(Problem(i, "anonymous", ANONYMOUS_REFUSED))
        if p.kind == PartyKind.THIRD_PARTY and not policy.third_party_complaints_accepted:
            found.append(Problem(i, "kind", THIRD_PARTY_REFUSED))
        if p.kind == PartyKind.GUARDIAN and policy.guardian_required_for_minors and is_minor(p, on):
            found.append(Problem(i, "is_minor" if p.is_minor else "date_of_birth", GUARDIAN_UNDER_18))
        if p.kind == PartyKind.GUARDIAN and not minor_complainant and not policy.third_party_complaints_accepted:
            found.append(Problem(i, "kind", GUARDIAN_OF_AN_ADULT))
        if (
            p.kind == PartyKind.COMPLAINANT
            and policy.guardian_required_for_minors
            and not has_guardian
            and is_minor(p, on)
        ):
            found.append(Problem(i, "is_minor" if p.is_minor else "date_of_birth", GUARDIAN_NEEDED))
    return found
