"""Internal notes on a complaint. A note is not a workflow step: it changes no status and writes no
event, so it lives beside the workflow services rather than among them."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from parley.accounts.models import User
from parley.accounts.permissions import can, organisation_of
from parley.cases.models import Complaint, Note
from parley.cases.retention import NOTHING_ADDED

MAX_NOTE_LENGTH = 5000
# The same note by the same person on the same complaint within this time is the same form sent twice
# (a double click, a page sent again after a slow answer): it is saved once. Short, so that the same
# words written again later ("Left a voicemail.") are a note of their own.
SENT_TWICE_WITHIN = dt.timedelta(seconds=60)


class NoteSentTwice(Exception):
    """This note was saved a moment ago."""


def note_add(*, complaint: Complaint, author: User, body: str) -> Note:
    """Write a note, readable only by the author's organisation. Raises ``NoteSentTwice`` when the same
    person wrote the same note on the complaint a moment ago."""
    if not can(author, "add_note"):
        raise PermissionDenied
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write the note before saving it.")
    if len(body) > MAX_NOTE_LENGTH:
        raise ValidationError(f"A note can be at most {MAX_NOTE_LENGTH} characters.")
    with transaction.atomic():
        # two sendings, one after the other; and never onto a complaint that retention has anonymised
        # (it does not come back for notes written later), even from a page opened before it ran
        locked = Complaint.objects.select_for_update().filter(pk=complaint.pk).values("anonymised_at").first()
        if locked is not None and locked["anonymised_at"] is not None:
            raise ValidationError(NOTHING_ADDED)
        earlier = Note.objects.filter(
            complaint=complaint, author=author, body=body, created_at__gte=timezone.now() - SENT_TWICE_WITHIN
        ).first()
        if earlier is not None:
            raise NoteSentTwice("This note was saved already.")
        return Note.objects.create(complaint=complaint, author=author, organisation=organisation_of(author), body=body)


def notes_for(complaint: Complaint, reader: User):
    """The notes of ``complaint`` that ``reader``'s organisation may read, oldest first."""
    if not can(reader, "view_notes"):
        return Note.objects.none()
    return Note.objects.filter(complaint=complaint, organisation=organisation_of(reader)).select_related("author")
