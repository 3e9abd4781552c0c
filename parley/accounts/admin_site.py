"""The admin site: Django's, reachable only after the second factor (django-otp's ``OTPAdminSite``).

Staff sign in to the admin through Parley's own sign-in pages (password, then code); the admin's
own login form is never shown.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import IntegerField, JSONField, Model, QuerySet
from django.forms import formsets
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django_otp.admin import OTPAdminSite

from parley.accounts.middleware import is_verified


class StaffAdminSite(OTPAdminSite):
    site_header = "Parley administration"
    site_title = "Parley administration"

    def __init__(self, name: str = "admin"):
        super().__init__(name)

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        """Every model admin, Parley's or another app's, with ``ParleyAdmin``."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ParleyAdmin):
            admin_class = type(admin_class.__name__, (ParleyAdmin, admin_class), {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        """Staff status, the second factor (OTPAdminSite) and the program administrator role: the
        permission table's ``admin_site``, so that a staff flag alone never opens the admin."""
        from parley.accounts.permissions import can

        return super().has_permission(request) and can(request.user, "admin_site")

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            return redirect_to_login(next_url, login_url=reverse("accounts:login"))
        if not is_verified(request.user):
            return HttpResponseRedirect(f"{reverse('accounts:verify')}?{urlencode({'next': next_url})}")
        if self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        raise PermissionDenied  # signed in fully, but not an administrator


# What a database key can be: SQLite fails with a server error (OverflowError) when asked for a row by a
# number outside this range, where PostgreSQL would find none.
KEY_RANGE = range(-(2**63), 2**63)


def _storable_json(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, list):
        return all(_storable_json(item) for item in value)
    if isinstance(value, dict):
        return all(_storable_json(key) and _storable_json(item) for key, item in value.items())
    return True


class StorableJSONField(forms.JSONField):
    """JSON that the database can store. Python reads ``1e999`` as an infinite number, which is not
    JSON and no database takes; PostgreSQL refuses a null character (``"\u0000"``) in JSON. Either
    gave a server error when saved."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if not _storable_json(value):
            raise ValidationError(
                "Enter JSON without numbers too large to store and without null characters (\\u0000).",
                code="invalid",
            )
        return value


# The hidden field of an admin change form that holds what the object's stored values were when the
# form was opened (a keyed digest of each, so the page shows none of them, a password hash included).
STORED_VALUES = "_stored_values"


def _comparable(value: Any) -> str:
    if isinstance(value, list) and value and all(isinstance(item, Model) for item in value):
        return repr(sorted(str(item.pk) for item in value))  # related rows (groups, categories): their keys
    return repr(value)


def _digest(*parts: Any) -> str:
    return salted_hmac("parley.admin.stored_values", ":".join(map(str, parts))).hexdigest()[:20]


class StaleFormGuard:
    """Mixed into the admin's change form: refuses a save when what the form would overwrite changed
    in the database since the form was opened (another administrator deactivated the account or
    changed its role meanwhile), instead of silently putting the old values back.

    Only what the form writes counts: its fields whose stored value changed AND whose value as sent
    differs from the new one (two people making the same change do not conflict), and the rows of its
    inlines. The refused form keeps what was typed, and carries the new stored values, so that saving
    again after reviewing the change goes through."""

    object_noun = "record"
    inline_digests: Callable[[Model], dict[str, tuple[str, str]]] = staticmethod(lambda obj: {})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial[STORED_VALUES] = json.dumps(self._stored_digests(self.instance), sort_keys=True)

    def _guarded_fields(self) -> list[str]:
        return [name for name, field in self.fields.items() if name != STORED_VALUES and not field.disabled]

    def _stored_digests(self, obj: Model) -> dict[str, str]:
        values = model_to_dict(obj, fields=self._guarded_fields())
        digests = {name: _digest(obj._meta.label, obj.pk, name, _comparable(value)) for name, value in values.items()}
        digests.update({key: digest for key, (_label, digest) in self.inline_digests(obj).items()})
        return digests

    incomplete = (
        "This form is incomplete (it was opened before an update of the site, or changed by hand), so nothing "
        "was saved. Open the page again."
    )

    def _opened_and_stored(self) -> tuple[dict[str, str], Model, dict[str, str], dict[str, Any]]:
        """The digests the form was opened with; the object read again, locked until the save is done (so
        that no one else's save slips in between); its digests and its values now."""
        opened = self._opened_digests()
        if opened is None:
            raise ValidationError(self.incomplete, code="stale")
        stored = type(self.instance)._base_manager.select_for_update().get(pk=self.instance.pk)
        return opened, stored, self._stored_digests(stored), model_to_dict(stored, fields=self._guarded_fields())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        opened, stored, now, stored_values = self._opened_and_stored()
        inline_labels = {key: label for key, (label, _digest) in self.inline_digests(stored).items()}
        changed: list[str] = []
        for key, digest in now.items():
            if opened.get(key) == digest:
                continue
            if key in inline_labels:
                changed.append(inline_labels[key])
                continue
            field = self.fields[key]
            if not field.has_changed(stored_values.get(key), self[key].data):
                continue  # the form already says what is stored now
            changed.append(str(field.label or key).capitalize())
            self.add_error(key, "Someone changed this since you opened the form.")
        if changed:
            self._remember_digests(now)
            raise ValidationError(
                f"Someone changed this {self.object_noun} since you opened it ({', '.join(changed)}). "
                "Nothing was saved: review their change and save again.",
                code="stale",
            )
        return cleaned

    def _opened_digests(self) -> dict[str, str] | None:
        """The digests the form carried from when it was opened; None when it carried none."""
        try:
            opened = json.loads(self.data.get(STORED_VALUES) or "")
        except (ValueError, RecursionError):  # not JSON, or nested too deep to read (a tampered form)
            return None
        return opened if isinstance(opened, dict) else None

    def _remember_digests(self, now: dict[str, str]) -> None:
        """The refused form, shown again, carries the stored values as they are now."""
        self.data = self.data.copy()
        self.data[STORED_VALUES] = json.dumps(now, sort_keys=True)


class StaleRowGuard(StaleFormGuard):
    """Mixed into each row of a list edited in place (``list_editable``: the allegation categories'
    order and "active"). Django sends every row of the list back, the ones not touched too, and saves
    each whose values differ from the stored ones: an old page put back what another administrator
    had changed meanwhile (a category deactivated came back active).

    The list carries one hidden field of digests for all its rows (``StaleListFormSet``). A value this
    page did not change (what it sends has the digest it was opened with) takes the stored value, so
    another person's change stands; a value both changed, differently, refuses the save and says which
    row. Saving again after review goes through, as on a change form."""

    formset_prefix = "form"
    incomplete = (
        "This row is incomplete (the list was opened before an update of the site, or changed by hand), so "
        "nothing was saved. Open the list again."
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._kept_stored: set[str] = set()

    @property
    def _digests_key(self) -> str:
        return f"{self.formset_prefix}-{STORED_VALUES}"

    def _all_opened(self) -> dict[str, Any]:
        try:
            every = json.loads(self.data.get(self._digests_key) or "")
        except (ValueError, RecursionError):
            return {}
        return every if isinstance(every, dict) else {}

    def _opened_digests(self) -> dict[str, str] | None:
        row = self._all_opened().get(str(self.instance.pk))
        return row if isinstance(row, dict) else None

    def _remember_digests(self, now: dict[str, str]) -> None:
        every = self._all_opened()
        every[str(self.instance.pk)] = now
        self.data[self._digests_key] = json.dumps(every, sort_keys=True)  # the list's data, shared by its rows

    def clean(self) -> dict[str, Any]:
        cleaned = super(StaleFormGuard, self).clean()  # the model form's own
        opened, stored, now, stored_values = self._opened_and_stored()
        changed: list[str] = []
        kept: dict[str, str] = {}
        for key, digest in now.items():
            if opened.get(key) == digest or key not in cleaned:
                continue
            sent = _digest(stored._meta.label, stored.pk, key, _comparable(cleaned[key]))
            if sent == opened.get(key):  # not changed on this page: the other person's change stands
                cleaned[key] = stored_values.get(key)
                self._kept_stored.add(key)
                self._show_stored(key, stored_values.get(key))
                kept[key] = digest
                continue
            if not self.fields[key].has_changed(stored_values.get(key), self[key].data):
                continue  # both made the same change
            changed.append(str(self.fields[key].label or key).capitalize())
            self.add_error(key, "Someone changed this since you opened the list.")
        if kept:  # shown again (another row refused), the row says it was opened with the values kept
            self._remember_digests({**opened, **kept})
        if changed:
            self._remember_digests(now)
            raise ValidationError(
                f"Someone changed {stored} since you opened the list ({', '.join(changed)}). Nothing was "
                "saved: review their change and save again.",
                code="stale",
            )
        return cleaned

    def _show_stored(self, key: str, value: Any) -> None:
        """The row, if the page is shown again (another row refused), shows the value now stored: saved
        again, it keeps it instead of putting back the one this page was opened with."""
        name = self.add_prefix(key)
        if isinstance(self.fields[key].widget, forms.CheckboxInput):
            if value:
                self.data[name] = "on"
            else:
                self.data.pop(name, None)
        else:
            self.data[name] = "" if value is None else str(value)

    @property
    def changed_data(self) -> list[str]:
        """What this page changed: not the values it keeps from another person's save."""
        return [name for name, bf in self._bound_items() if bf._has_changed() and name not in self._kept_stored]


class _ListManagementForm(formsets.ManagementForm):
    """The list's management form, with the digests of every row's stored values as opened."""

    _stored_values = forms.CharField(widget=forms.HiddenInput, required=False)


class StaleListFormSet:
    """Mixed into the formset of a list edited in place; its rows are ``StaleRowGuard`` forms."""

    def __init__(self, data=None, *args, **kwargs) -> None:
        # a copy the rows may write to: a refused row puts the stored values as they are now in it
        super().__init__(data.copy() if data is not None else None, *args, **kwargs)

    @property
    def management_form(self) -> forms.Form:
        base = super().management_form
        if self.is_bound:
            form = _ListManagementForm(self.data, auto_id=self.auto_id, prefix=self.prefix, renderer=self.renderer)
            form.full_clean()
            return form
        digests = {str(row.instance.pk): row._stored_digests(row.instance) for row in self.forms}
        initial = {**base.initial, STORED_VALUES: json.dumps(digests, sort_keys=True)}
        return _ListManagementForm(auto_id=self.auto_id, prefix=self.prefix, initial=initial, renderer=self.renderer)


class ParleyAdmin:
    """What every model admin of Parley's admin site does besides Django's (``StaffAdminSite.register``
    adds it to those of other apps too: Django's groups, django-axes' records).

    A list filtered or searched by text with a null character in it is shown without filters (the
    database cannot compare text with one). An action asked for rows that cannot be (a tampered
    selection: "abc", a key past the largest integer) says so and does nothing, instead of failing
    with a server error when the action reads them; so does a form that names such a row, or JSON
    that no database can store. And the
    object saved knows the request, so that the audit entries its save leads to (a role or a
    permission changed: ``parley.accounts.signals``) name who made the change."""

    # What the stale-form message calls an object ("this account"); the model's name when not set.
    object_noun: str | None = None

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets  # an add form overwrites nothing; a view-only page saves nothing
        return [*fieldsets, (None, {"fields": [STORED_VALUES], "classes": ["hidden"]})]

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        if obj is None or ("fields" in kwargs and kwargs["fields"] is None):  # an add form; or Django's
            return super().get_form(request, obj, change=change, **kwargs)  # look at the model's fields
        fields = kwargs.pop("fields") if "fields" in kwargs else flatten_fieldsets(self.get_fieldsets(request, obj))
        fields = [name for name in fields if name != STORED_VALUES]  # the form's own, not the model's
        form = super().get_form(request, obj, change=change, fields=fields, **kwargs)
        inlines = list(self.get_formsets_with_inlines(request, obj))

        def inline_digests(parent: Model) -> dict[str, tuple[str, str]]:
            digests = {}
            for formset_class, inline in inlines:
                formset = formset_class(instance=parent, queryset=inline.get_queryset(request))
                names = [
                    name
                    for name in formset.form.base_fields
                    if name not in (formset.fk.name, formset.model._meta.pk.name)
                ]
                rows = [(row.pk, sorted(model_to_dict(row, fields=names).items())) for row in formset.get_queryset()]
                label = str(formset.model._meta.verbose_name_plural).capitalize()
                digests[f"inline:{formset.prefix}"] = (label, _digest(parent._meta.label, parent.pk, repr(rows)))
            return digests

        attrs = {
            STORED_VALUES: forms.CharField(widget=forms.HiddenInput, required=False, label="Stored values"),
            "object_noun": self.object_noun or str(self.opts.verbose_name),
            "inline_digests": staticmethod(inline_digests),
        }
        return type(form.__name__, (StaleFormGuard, form), attrs)

    def get_changelist_formset(self, request: HttpRequest, **kwargs):
        formset = super().get_changelist_formset(request, **kwargs)
        row = type(
            formset.form.__name__,
            (StaleRowGuard, formset.form),
            {"formset_prefix": formset.get_default_prefix()},
        )
        return type(formset.__name__, (StaleListFormSet, formset), {"form": row})

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        if isinstance(db_field, JSONField):
            kwargs.setdefault("form_class", StorableJSONField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # PostgreSQL cannot compare a text column with a value holding a NUL character: the filter
        # would fail with a database error. No stored value can hold one, so such a filter could
        # match nothing anyway; the list is shown without filters and the page says why.
        if request.method == "POST" and self._names_a_key_out_of_range(request):
            return self._refuse_keys_out_of_range(request)
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            self.message_user(
                request,
                "The list cannot be filtered or searched by text with a null character in it, "
                "so it is shown without filters.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)
        if request.method == "POST" and "_save" in request.POST and self.list_editable:
            # a list edited in place: its rows are read locked, compared and saved in one transaction
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().changelist_view(request, extra_context)
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request: HttpRequest, object_id=None, form_url="", extra_context=None) -> HttpResponse:
        if request.method == "POST" and self._names_a_key_out_of_range(request):
            return self._refuse_keys_out_of_range(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _names_a_key_out_of_range(self, request: HttpRequest) -> bool:
        """Whether the POST names a row by a number no key can be: in a choice of related rows
        (``permissions``, ``excluded_categories``), or as the id of a row of a list edited in place
        (``form-0-id``) or of an inline (``exclusion_factors-0-id``). Only a tampered form sends one:
        the pages offer real rows only."""
        models = [self.model, *(inline.model for inline in self.inlines)]
        names = {
            field.name
            for model in models
            for field in model._meta.get_fields()
            if (getattr(field, "primary_key", False) or (field.is_relation and field.concrete))
            and isinstance(field.target_field if field.is_relation else field, IntegerField)
        }
        for key, values in request.POST.lists():
            if key.rsplit("-", 1)[-1] not in names:
                continue
            for value in values:
                try:
                    number = int(value)
                except ValueError:
                    continue  # not a number: the form says the choice is not valid
                if number not in KEY_RANGE:
                    return True
        return False

    def _refuse_keys_out_of_range(self, request: HttpRequest) -> HttpResponse:
        self.message_user(
            request,
            "The form named a record that cannot exist (its number is too large), so nothing was saved.",
            messages.ERROR,
        )
        return HttpResponseRedirect(request.get_full_path())

    def get_deleted_objects(self, objs, request: HttpRequest):
        refusals = self.reasons_not_to_delete(objs, request)
        if refusals:  # Django's delete pages list them as what stands in the way, and delete nothing
            return [], {}, set(), refusals
        return super().get_deleted_objects(objs, request)

    def reasons_not_to_delete(self, objs, request: HttpRequest) -> list[str]:
        """What keeps ``objs`` (a list or a queryset) from being deleted, in words for the delete page:
        for records that a delete would rewrite or list at length, found before Django collects
        every related row."""
        return []

    def response_action(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        pk = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                key = pk.to_python(value)
                if isinstance(key, int) and key not in KEY_RANGE:
                    raise ValidationError("out of range")
        except ValidationError:
            self.message_user(request, "The selection was not valid, so nothing was done.", messages.ERROR)
            return None
        return super().response_action(request, queryset)

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        obj._audit_request = request
        super().save_model(request, obj, form, change)


class ModelAdmin(ParleyAdmin, admin.ModelAdmin):
    """Django's ``ModelAdmin`` with ``ParleyAdmin``: the base of Parley's own model admins."""
