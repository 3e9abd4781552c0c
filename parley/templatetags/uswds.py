"""``{% field form.name %}`` and ``{% error_summary form formset %}``: USWDS form markup."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.safestring import SafeString

from parley.jinja import render_html
from parley.uswds import ERROR_CLASSES, error_items, widget_class

register = template.Library()


@register.simple_tag
def field(bound: forms.BoundField, hint: str = "", label: str = "") -> SafeString:
    """The field with its label, hint and errors (``uswds/field.html``, a Jinja2 template: some pages
    have dozens of fields, and Django's template language took several times as long to write them)."""
    return render_html("uswds/field.html", field_context(bound, hint, label))


def field_context(bound: forms.BoundField, hint: str = "", label: str = "") -> dict[str, Any]:
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


@register.inclusion_tag("uswds/error_summary.html")
def error_summary(*things: Any, lead: str = "") -> dict[str, Any]:
    """The form's problems in one alert. ``lead`` says what became of the submission ("Nothing was
    saved"): said here, once, not again in a separate message above the form."""
    return {"items": error_items(things), "lead": lead}
