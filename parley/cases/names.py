"""``Complaint.search_names``: a copy of the names a complaint can be found by, on its own row.

The complaint list's search finds a complaint by a word in the first or last name of one of its named
(not anonymous) parties or of one of its officers. Those live in other tables, so for a common name
the database walked the complaints in the page's order and looked up each one's people: some 1,400
lookups, 9 ms, for a page of "Garcia" among the mediated complaints of a million. With the names on
the complaint's row, the walk reads them as it goes, and a rare name is found through a trigram index
of the copy (migration 0009).

The copy is a line "first last" for each such person. A search word has no spaces, so it is in one of
a person's names exactly when it is in the copy: a one-word search reads the copy alone
(``selectors.search_alternatives``; searches of several words, which must all be in one person's
names, and of one or two letters, which match the start of a name, still read the people). So the
copy must be right wherever names are written: at intake (``services.complaint_receive``), by
retention when it removes the civilians' names (or the old name would still find the complaint), and
by the demo loader. DSNs and badges are not in it: they are matched whole, through their own indexes.
"""

from __future__ import annotations

from collections.abc import Iterable

from parley.cases.models import Complaint, ComplaintOfficer, Party


def search_names_text(people: Iterable[Iterable[str]]) -> str:
    """The copy for a complaint's people, each given as the words they can be found by."""
    lines = (" ".join(word for word in person if word) for person in people)
    return "\n".join(line for line in lines if line)


def refresh_search_names(complaint_ids: Iterable[int]) -> int:
    """Write the copy of these complaints again from their people, where it differs; returns how many
    were written. In the caller's transaction: the complaints are locked first (on PostgreSQL), so that
    names another transaction has just removed (retention) are read as removed, never written back."""
    ids = list(complaint_ids)
    current = dict(
        Complaint.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", "search_names")
    )
    people: dict[int, list[tuple[str, ...]]] = {pk: [] for pk in current}
    parties = Party.objects.filter(complaint_id__in=current, anonymous=False).order_by("id")
    for complaint_id, *names in parties.values_list("complaint_id", "first_name", "last_name"):
        people[complaint_id].append(tuple(names))
    officers = ComplaintOfficer.objects.filter(complaint_id__in=current).order_by("id")
    for complaint_id, *names in officers.values_list("complaint_id", "first_name", "last_name"):
        people[complaint_id].append(tuple(names))
    changed = []
    for pk, names in people.items():
        text = search_names_text(names)
        if text != current[pk]:
            changed.append(Complaint(pk=pk, search_names=text))
    Complaint.objects.bulk_update(changed, ["search_names"], batch_size=500)
    return len(changed)
