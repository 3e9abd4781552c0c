"""US Web Design System markup for Django forms.

``USWDSForm`` gives every widget its USWDS class; the ``field`` and ``error_summary`` template tags
(``parley.templatetags.uswds``, loaded in every template) render the label, hint, error message and
the error summary of the USWDS validation pattern. The error ids follow Django's own
``aria-describedby`` convention (``<id>_helptext``, ``<id>_error``).
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.utils import ErrorDict

# Most specific first: CheckboxSelectMultiple is a RadioSelect, NullBooleanSelect a Select.
WIDGET_CLASSES: list[tuple[type[forms.Widget], str]] = [
    (forms.CheckboxSelectMultiple, "usa-checkbox__input"),
    (forms.RadioSelect, "usa-radio__input"),
    (forms.CheckboxInput, "usa-checkbox__input"),
    (forms.Select, "usa-select"),
    (forms.Textarea, "usa-textarea"),
    (forms.widgets.Input, "usa-input"),
]
ERROR_CLASSES = {"usa-select": "usa-input--error", "usa-textarea": "usa-input--error", "usa-input": "usa-input--error"}


def widget_class(widget: forms.Widget) -> str:
    for kind, css in WIDGET_CLASSES:
        if isinstance(widget, kind):
            return css
    return ""


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs=attrs, format="%H:%M")


# Characters that show nothing: spaces of every kind, line and paragraph separators, control and format
# characters (a byte-order mark, a right-to-left override, a zero-width space).
_INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})


def strip_invisible(text: str) -> str:
    """``text`` without what shows nothing at either end (inside it, a zero-width joiner may be part of a
    name or an emoji, and stays)."""
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or unicodedata.category(text[start]) in _INVISIBLE):
        start += 1
    while end > start and (text[end - 1].isspace() or unicodedata.category(text[end - 1]) in _INVISIBLE):
        end -= 1
    return text[start:end]


def _visible_only(to_python: Callable[[Any], Any], empty_value: Any) -> Callable[[Any], Any]:
    @functools.wraps(to_python)
    def wrapper(value: Any) -> Any:
        value = to_python(value)
        if isinstance(value, str) and value:
            value = strip_invisible(value)
            return value or empty_value
        return value

    return wrapper


# Dates that no complaint, incident, person or session of a program can have: a year typed as 0202 or
# 20266 is a typing mistake to point out, not a date to store (or to build a reference number from).
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)


class USWDSForm:
    """Mixin for ``forms.Form``: USWDS widget classes, and a ``quiet`` switch.

    A quiet form shows what was typed without validating it: used when a no-JavaScript form posts
    only to add another row to a formset, which should not greet the user with errors.

    And two rules for every field of every staff form. Text that shows nothing (only spaces, or format
    characters such as a byte-order mark) is no text: a required field says so, an optional one stores
    nothing; a text field that keeps its spaces (a password) is left as it is. A date falls between
    1900 and 2199. And text longer than its field's limit is refused, not cut by the browser.
    """

    quiet: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            css = widget_class(field.widget)
            if css and css not in field.widget.attrs.get("class", ""):
                field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()
            if isinstance(field, forms.CharField):
                # No ``maxlength`` in the page: a browser cuts pasted text to it without a word (a letter
                # pasted into the narrative lost its end). The limit stays the form's: text that is too
                # long is refused with a message that says by how much, and stays in the field.
                field.widget.attrs.pop("maxlength", None)
            if isinstance(field, forms.CharField) and field.strip:  # the form's own copy of the field
                field.to_python = _visible_only(field.to_python, field.empty_value)
            elif isinstance(field, forms.DateField):
                field.validators = [
                    *field.validators,
                    MinValueValidator(EARLIEST_DATE, message="Enter a date in 1900 or later."),
                    MaxValueValidator(LATEST_DATE, message="Enter a date before 2200."),
                ]

    @property
    def errors(self) -> ErrorDict:
        if self.quiet:
            return ErrorDict(renderer=self.renderer)  # type: ignore[attr-defined]
        return super().errors  # type: ignore[misc]


@dataclass
class ErrorItem:
    anchor: str
    text: str


def _anchor(bound: forms.BoundField) -> str:
    widget = bound.field.widget
    if isinstance(widget, forms.RadioSelect):  # and CheckboxSelectMultiple: the first option's id
        return f"{bound.auto_id}_0"
    return bound.auto_id or ""


@dataclass(frozen=True)
class FormPart:
    """Some of a form's fields, for an error summary that follows a page where other things (formsets)
    come between parts of one form: the summary lists the problems in the order the page shows them.
    The form's own (non-field) errors go with the part that has ``lead``."""

    form: forms.BaseForm
    names: tuple[str, ...]
    lead: bool = False


def form_error_items(form: forms.BaseForm, label: str = "", part: FormPart | None = None) -> list[ErrorItem]:
    """The form's errors as (anchor, text) pairs, in field order; non-field errors first. ``part``:
    only those of its fields (and the non-field errors if it leads)."""
    if getattr(form, "quiet", False) or not form.is_bound:
        return []
    prefix = f"{label}: " if label else ""
    first = next((_anchor(b) for b in form if not b.is_hidden), "")
    items = [ErrorItem(first, f"{prefix}{e}") for e in form.non_field_errors()] if part is None or part.lead else []
    for bound in form if part is None else (form[name] for name in part.names):
        label = str(bound.label)
        joiner = " " if label.endswith(("?", ".", ":")) else ": "  # "Was anyone hurt? Answer this question."
        for error in bound.errors:
            items.append(ErrorItem(_anchor(bound), f"{prefix}{label}{joiner}{error}"))
    return items


def error_items(things: Iterable[Any]) -> list[ErrorItem]:
    """Errors of forms, parts of forms and formsets (a formset's forms are named by
    ``formset.item_label`` and number), in the order given."""
    items: list[ErrorItem] = []
    for thing in things:
        if thing is None:
            continue
        if isinstance(thing, forms.BaseFormSet):
            if not thing.is_bound or getattr(thing, "quiet", False):
                continue
            first = next((_anchor(b) for b in thing.forms[0] if not b.is_hidden), "") if thing.forms else ""
            items += [ErrorItem(first, e) for e in thing.non_form_errors()]
            name = getattr(thing, "item_label", "Item")
            for i, form in enumerate(thing.forms, start=1):
                items += form_error_items(form, f"{name} {i}")
        elif isinstance(thing, FormPart):
            items += form_error_items(thing.form, part=thing)
        else:
            items += form_error_items(thing)
    return items
