"""Internal notes on a complaint. A note is not a workflow step: it changes no status and writes no
event, so it lives beside the workflow services rather than among them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from parley.accounts.models import User
from parley.accounts.permissions import can, organisation_of
from parley.cases.models import Complaint, Note

MAX_NOTE_LENGTH = 5000


def note_add(*, complaint: Complaint, author: User, body: str) -> Note:
    """Write a note, readable only by the author's organisation."""
    if not can(author, "add_note"):
        raise PermissionDenied
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write the note before saving it.")
    if len(body) > MAX_NOTE_LENGTH:
        raise ValidationError(f"A note can be at most {MAX_NOTE_LENGTH} characters.")
    return Note.objects.create(complaint=complaint, author=author, organisation=organisation_of(author), body=body)


def notes_for(complaint: Complaint, reader: User):
    """The notes of ``complaint`` that ``reader``'s organisation may read, oldest first."""
    if not can(reader, "view_notes"):
        return Note.objects.none()
    return Note.objects.filter(complaint=complaint, organisation=organisation_of(reader)).select_related("author")
