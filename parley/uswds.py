"""US Web Design System markup for Django forms.

``USWDSForm`` gives every widget its USWDS class; the templates' ``field`` and ``error_summary``
(``parley/jinja.py``, with ``field_context`` and ``error_items`` below) write the label, hint, error
message and the error summary of the USWDS validation pattern. The error ids follow Django's own
``aria-describedby`` convention (``<id>_helptext``, ``<id>_error``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
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


def _visible_only(to_python: Callable[[Any], Any], empty_value: Any, *, one_line: bool) -> Callable[[Any], Any]:
    @functools.wraps(to_python)
    def wrapper(value: Any) -> Any:
        value = to_python(value)
        if isinstance(value, str) and value:
            value = strip_invisible(value)
            if value and one_line:
                value = _BREAKS_AND_TABS.sub(" ", value)
            elif value:
                value = _OTHER_BREAKS.sub("\n", value)
            return value or empty_value
        return value

    return wrapper


# Line breaks of every kind (those ``str.splitlines`` breaks at) and tabs: in a one-line field (a name, a
# badge, an address line) each run of them becomes one space. A browser sends none from such a field
# (it takes line breaks out of a pasted text, though not tabs); a request written by hand, or a paste of
# spreadsheet cells, can.
_BREAKS_AND_TABS = re.compile("[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
# In a text of several lines, each line break that is a control character other than a line feed or a
# carriage return (a soft break pasted from a word processor, a page break) is a line feed.
_OTHER_BREAKS = re.compile("[\v\f\x1c-\x1f\x85]")
# What no text field keeps: control characters (Unicode category Cc), apart from the line breaks and tabs
# of a text that has several lines. They show nothing, or garble a terminal, a CSV file, a printed letter.
# NUL is refused by Django's own validator, with its own message.
_KEPT_IN_LINES = frozenset("\t\n\r")


def no_control_characters(*, multi_line: bool) -> Callable[[str], None]:
    """A validator: the text holds no control character (in a text of several lines, a line break or a
    tab is not one). The message names the first one found, as U+ and its number: it shows nothing."""
    kept = _KEPT_IN_LINES if multi_line else frozenset()

    def validate(value: Any) -> None:
        if not isinstance(value, str):  # a field made of text that stands for something else (a UUID)
            return
        for char in value:
            if char != "\x00" and char not in kept and unicodedata.category(char) == "Cc":
                raise ValidationError(
                    "Remove the control character from this text: it is invisible, and no text here can "
                    f"hold it (U+{ord(char):04X}).",
                    code="control_character",
                )

    return validate


# Dates that no complaint, incident, person or session of a program can have: a year typed as 0202 or
# 20266 is a typing mistake to point out, not a date to store (or to build a reference number from).
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)


class USWDSForm:
    """Mixin for ``forms.Form``: USWDS widget classes, and a ``quiet`` switch.

    A quiet form shows what was typed without validating it: used when a no-JavaScript form posts
    only to add another row to a formset, which should not greet the user with errors.

    And rules for every field of every staff form. Text that shows nothing (only spaces, or format
    characters such as a byte-order mark) is no text: a required field says so, an optional one stores
    nothing; a text field that keeps its spaces (a password) is left as it is. A one-line field (any
    but a text area) keeps no line break or tab: each run of them is a space; in a text area, a line
    break other than a line feed or carriage return (a vertical tab, a form feed) is a line feed. No
    text keeps a control character; one is refused with a message. A date falls between 1900 and 2199.
    And text longer than its field's limit is refused, not cut by the browser.
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
                one_line = not isinstance(field.widget, forms.Textarea)
                field.to_python = _visible_only(field.to_python, field.empty_value, one_line=one_line)
                field.validators = [*field.validators, no_control_characters(multi_line=not one_line)]
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


def field_context(bound: forms.BoundField, hint: str = "", label: str = "") -> dict[str, Any]:
    """What ``uswds/field.html`` writes of a bound field (``jinja.field``): its label, hint, errors and
    widget, or for radios and checkbox lists, each option."""
    widget = bound.field.widget
    css = widget_class(widget)
    if css and css not in widget.attrs.get("class", ""):  # a field added after the form's __init__
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    errors = bound.errors
    # Lazy texts resolved here: Jinja2 escapes a lazy object even when what it stands for is marked safe
    # (Django's password rules are a list in HTML), and leaves the resolved safe string as it is.
    hint = str(hint or bound.help_text)
    label = str(label or bound.label)
    if widget.is_hidden:
        kind = "hidden"
    elif isinstance(widget, forms.RadioSelect):  # radios and checkbox lists: a fieldset with a legend
        kind = "choices"
    elif isinstance(widget, forms.CheckboxInput):
        kind = "checkbox"
    else:
        kind = "input"
    context: dict[str, Any] = {
        "field": bound,
        "kind": kind,
        "label": label,
        "hint": hint,
        "errors": errors,
        # a field that other answers make necessary (``depends_on_answers``) is not marked "(optional)"
        "optional": not bound.field.required
        and kind in {"input", "choices"}
        and not getattr(bound.field, "depends_on_answers", False),
        "id": bound.auto_id,
    }
    if kind in {"input", "checkbox", "hidden"}:
        attrs: dict[str, str] = {}
        if errors and css in ERROR_CLASSES:
            attrs["class"] = f"{widget.attrs.get('class', css)} {ERROR_CLASSES[css]}"
        described = [f"{bound.auto_id}_helptext"] if hint else []
        described += [f"{bound.auto_id}_error"] if errors else []
        if described:
            attrs["aria-describedby"] = " ".join(described)
        context["widget"] = bound.as_widget(attrs=attrs)
    else:
        described = [f"{bound.auto_id}_helptext"] if hint else []
        context["described"] = " ".join(described + ([f"{bound.auto_id}_error"] if errors else []))
        context["options"] = [  # labels resolved, as the hint and label above
            {"tag": option.tag(), "id_for_label": option.id_for_label, "choice_label": str(option.choice_label)}
            for option in bound.subwidgets
        ]
        context["input_class"] = widget_class(widget)
        context["item_class"] = "usa-checkbox" if isinstance(widget, forms.CheckboxSelectMultiple) else "usa-radio"
        context["label_class"] = f"{context['item_class']}__label"
    return context
