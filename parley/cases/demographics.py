"""The demographic questions of the complaint form: each voluntary, "mark all that apply".

As the St. Louis form asks them (gender, race, disability; DOMAIN.md), with the race and ethnicity
categories of the US federal standard (OMB SPD 15, 2024). Stored as lists of these codes on the
person (``Party.gender``, ``race``, ``disability``) for the program's yearly figures. A code never
changes meaning once stored; a new answer gets a new code.
"""

from __future__ import annotations

GENDER: list[tuple[str, str]] = [
    ("woman", "Woman"),
    ("man", "Man"),
    ("nonbinary", "Non-binary"),
    ("transgender", "Transgender"),
    ("another", "Another gender"),
    ("declined", "Prefers not to say"),
]

RACE: list[tuple[str, str]] = [
    ("american_indian", "American Indian or Alaska Native"),
    ("asian", "Asian"),
    ("black", "Black or African American"),
    ("hispanic", "Hispanic or Latino"),
    ("mena", "Middle Eastern or North African"),
    ("pacific_islander", "Native Hawaiian or Pacific Islander"),
    ("white", "White"),
    ("another", "Another race or ethnicity"),
    ("declined", "Prefers not to say"),
]

DISABILITY: list[tuple[str, str]] = [
    ("hearing", "Deaf or hard of hearing"),
    ("vision", "Blind or low vision"),
    ("mobility", "Mobility"),
    ("cognitive", "Cognitive or learning"),
    ("mental_health", "Mental health"),
    ("another", "Another disability"),
    ("none", "No disability"),
    ("declined", "Prefers not to say"),
]

QUESTIONS: dict[str, list[tuple[str, str]]] = {"gender": GENDER, "race": RACE, "disability": DISABILITY}


def labels(question: str, codes: list[str]) -> str:
    """The answers as text ("Asian, White"), in the form's order; "" when none was given."""
    names = dict(QUESTIONS[question])
    return ", ".join(names[c] for c, _ in QUESTIONS[question] if c in codes and c in names)


# answers that cannot be ticked with any other of the same question
ALONE = {"declined": "Prefers not to say", "none": "No disability"}


def conflict(codes: list[str]) -> str:
    """Why these answers to one question cannot go together ("" when they can)."""
    for code, label in ALONE.items():
        if code in codes and len(set(codes)) > 1:
            return f"“{label}” goes alone: untick it or the other answers."
    return ""
