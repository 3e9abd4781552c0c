"""The admin as Parley configures it, page by page: only program administrators with the second factor
reach it, it holds reference data only, and odd links, tampered forms and bad input get a page or a
form error, never a server error (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from parley.accounts.roles import Role
from parley.audit.models import AuditEntry
from parley.testing.factories import MediatorFactory, OfficerFactory, UserFactory, VenueFactory
from parley.testing.web import admin_change_data, login

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


def _admin_urls(obj_ids):
    urls = [reverse("admin:index"), reverse("admin:password_change"), reverse("admin:jsi18n")]
    for model in MODELS:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
        pk = obj_ids.get(model, 1)
        for view in ("change", "delete", "history"):
            urls.append(reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[pk]))
    return urls


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
@pytest.mark.parametrize("flags", [{}, {"is_staff": True}, {"is_staff": True, "is_superuser": True}])
def test_no_other_role_reaches_any_admin_page_even_as_staff_superuser(client, db, role, flags):
    user = UserFactory(username=f"x-{role}", role=role, **flags)
    login(client, user)
    problems = []
    for url in _admin_urls({}):
        for method in ("get", "post"):
            r = getattr(client, method)(url)
            if r.status_code not in (302, 403, 404, 405) or (
                r.status_code == 302 and "/admin/login" not in r["Location"] and "/accounts/" not in r["Location"]
            ):
                problems.append(f"{method} {url}: {r.status_code} {r.get('Location', '')}")
    assert not problems, problems


def test_an_administrator_without_the_second_factor_is_refused(client, root, db):
    client.force_login(root)  # password only
    for url in _admin_urls({}):
        r = client.get(url)
        assert r.status_code in (302, 403), (url, r.status_code)
        if r.status_code == 302:
            assert "/admin/" not in r["Location"].split("?")[0] or "login" in r["Location"], url


def test_registered_models_are_reference_data_only():
    labels = {m._meta.label for m in MODELS}
    forbidden = {
        "cases.Complaint",
        "cases.Party",
        "cases.ComplaintOfficer",
        "cases.Allegation",
        "cases.Note",
        "cases.ComplaintEvent",
        "mediation.MediationSession",
        "mediation.Agreement",
        "mediation.SurveyResponse",
        "mediation.SessionAttendance",
        "audit.AuditEntry",
        "audit.AuditHead",
        "accounts.UserSession",
        "admin.LogEntry",
        "otp_totp.TOTPDevice",
    }
    assert not labels & forbidden, labels & forbidden


# ---------------------------------------------------------------- bad input (both databases)

ODD_IDS = ["abc", "%00", "a%00b", "-1", "0", "99999999999999999999", "1.5", "%C2%B2", "1%20", "_5F", "%2F..%2F"]
ODD_PARAMS = [
    "foo__bar=1",
    "o=99",
    "o=abc",
    "o=1.-2.0",
    "o=%00",
    "p=-1",
    "p=abc",
    "p=99999999999999999999",
    "p=%00",
    "q=%00",
    "q=a%00b",
    "q=%27%22%5C%25_",
    "q=" + "x" * 5000,
    "q=%F0%9F%92%A9",
    "q=%ff",
    "all=",
    "e=1",
    "_to_field=password",
    "_popup=1&_to_field=foo",
    "id__in=1,abc",
    "id=%00",
    "pk=abc",
    "active__exact=maybe",
    "active__exact=%00",
    "role__exact=%00",
    "is_active__exact=2",
    "unit=%00",
    "status__exact=%00",
    "attempt_time__gte=notadate",
    "attempt_time__gte=99999-01-01",
    "attempt_time__gte=0000-01-01",
    "attempt_time__lt=2026-02-30",
    "locked_out__exact=%00",
    "enqueued_at__gte=99999-01-01",
    "priority__exact=99999999999999999999",
    "priority__exact=%00",
    "former_law_enforcement__exact=%00",
    "queue_name=%00",
    "path_info=%00",
    "_changelist_filters=%00",
]


def _fuzz_urls():
    for model in MODELS:
        info = (model._meta.app_label, model._meta.model_name)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        for params in ODD_PARAMS:
            yield f"{changelist}?{params}"
        for oid in ODD_IDS:
            for view in ("change", "delete", "history"):
                yield f"{changelist}{oid}/{view}/"
        yield f"{changelist}add/?_changelist_filters=%00&role=%00&last_name=a%00b"
    yield reverse("admin:index") + "r/99999999999999999999/1/"
    yield reverse("admin:index") + "r/1/%00/"
    yield reverse("admin:index") + "autocomplete/?app_label=%00&model_name=x&field_name=y&term=%00"
    yield reverse("admin:index") + "accounts/user/%00/password/"
    yield reverse("admin:index") + "accounts/user/99999999999999999999/password/"
    yield reverse("admin:index") + "cases/%00/"


def test_odd_urls_and_changelist_params_never_give_a_server_error(client, root, policy):
    OfficerFactory()
    MediatorFactory()
    VenueFactory()
    login(client, root)
    client.raise_request_exception = False
    errors = []
    for url in _fuzz_urls():
        response = client.get(url)
        if response.status_code >= 500:
            errors.append(f"GET {url}: {response.status_code}")
    assert not errors, "\n".join(errors)


def _valid_forms(policy):
    from django.contrib.auth.models import Group

    from parley.cases.models import AllegationCategory

    cat = AllegationCategory.objects.first()
    mgmt = {
        "exclusion_factors-TOTAL_FORMS": "1",
        "exclusion_factors-INITIAL_FORMS": "0",
        "exclusion_factors-MIN_NUM_FORMS": "0",
        "exclusion_factors-MAX_NUM_FORMS": "1000",
        "exclusion_factors-0-code": "weapon",
        "exclusion_factors-0-question": "A weapon?",
        "exclusion_factors-0-order": "1",
    }
    policy_data = {
        "slug": "newprog",
        "name": "New program",
        "description": "d",
        "suitability_deciders": '["iad"]',
        "excluded_categories": [str(cat.pk)],
        "officer_repeat_window_days": "180",
        "consent_order": "complainant_first",
        "multi_officer_rule": "all_must_agree",
        "mediators_per_session": "2",
        "session_minutes": "60",
        "written_agreement": "none",
        "no_show_limit": "",
        "no_show_closure": "mediation_attempted",
        "deadline_calendar": "calendar",
        "acknowledge_days": "5",
        "retention_years": "7",
        **mgmt,
    }
    return {
        "cases/officer": {
            "first_name": "Ann",
            "last_name": "Lee",
            "dsn": "77777",
            "badge": "1",
            "unit": "N",
            "rank": "",
            "active": "on",
        },
        "cases/allegationcategory": {"code": "newcat", "name": "New", "order": "3", "active": "on"},
        "mediation/mediator": {
            "first_name": "M",
            "last_name": "N",
            "languages": '["en"]',
            "certified_until": "2027-01-01",
            "monthly_case_limit": "4",
            "active": "on",
        },
        "mediation/venue": {"name": "Hall", "address": "1 Main", "capacity": "8", "accessible": "on", "active": "on"},
        "policies/programpolicy": policy_data,
        "auth/group": {"name": "grp", "permissions": []},
        "accounts/user": {
            "username": "newuser",
            "password1": "a-Long-passphrase-9",
            "password2": "a-Long-passphrase-9",
            "usable_password": "true",
            "role": "intake",
        },
    }, Group


MUTATIONS = {
    "text": ["a\x00b", "x" * 20000, "\u202e\u0000", "   "],
    "int": ["99999999999999999999", "-5", "1e3", "\x00", "2147483648", "32768"],
    "date": ["99999-12-31", "0000-01-01", "2026-02-30", "\x00", "-1"],
    "json": ["5", "[1, 2]", "{", "\x00", '"\\u0000"', "null", '["en", ["x"]]', "1e999"],
    "m2m": [["abc"], ["99999999999999999999"], ["\x00"]],
}


def _kind(key, value):
    if key in ("languages", "suitability_deciders"):
        return "json"
    if key in ("excluded_categories", "permissions"):
        return "m2m"
    if (
        key.endswith("TOTAL_FORMS")
        or key.endswith("INITIAL_FORMS")
        or "order" in key
        or key.endswith("_days")
        or key
        in (
            "capacity",
            "monthly_case_limit",
            "mediators_per_session",
            "session_minutes",
            "retention_years",
            "no_show_limit",
        )
    ):
        return "int"
    if key in ("certified_until",):
        return "date"
    return "text"


def test_add_forms_with_bad_input_never_give_a_server_error(client, root, policy):
    forms, _ = _valid_forms(policy)
    login(client, root)
    client.raise_request_exception = False
    errors = []
    for path, data in forms.items():
        url = f"/admin/{path}/add/"
        ok = client.post(url, data)
        assert ok.status_code == 302, (url, ok.context and ok.context["adminform"].form.errors)
        for key, value in data.items():
            for bad in MUTATIONS[_kind(key, value)]:
                # a fresh unique value for unique fields so that only the mutation matters
                base = {
                    k: (f"{v}{len(errors)}z" if k in ("slug", "code", "dsn", "username", "name") and k != key else v)
                    for k, v in data.items()
                }
                base[key] = bad
                r = client.post(url, base)
                if r.status_code >= 500:
                    errors.append(f"POST {url} {key}={bad!r:.40}: {r.status_code}")
    assert not errors, "\n".join(errors)


# ---------------------------------------------------------------- the audit trail and tampered forms


def test_refused_admin_requests_are_in_the_audit_trail(client, irene):
    login(client, irene)
    client.get("/admin/cases/officer/")
    entry = AuditEntry.objects.filter(actor=irene, detail__path="/admin/cases/officer/").get()
    assert entry.detail["status"] in (302, 403)


def test_the_audit_trail_has_no_admin_page_and_no_way_to_change_it(client, root, db):
    login(client, root)
    for url in (
        "/admin/audit/",
        "/admin/audit/auditentry/",
        "/admin/audit/auditentry/1/change/",
        "/admin/audit/auditentry/1/delete/",
        "/admin/audit/audithead/",
        "/admin/admin/logentry/",
        "/admin/cases/complaint/",
        "/admin/cases/complaintevent/",
        "/admin/mediation/mediationsession/",
    ):
        assert client.get(url).status_code == 404, url


def test_list_editable_and_inlines_with_tampered_data_never_give_a_server_error(client, root, policy):
    from parley.cases.models import AllegationCategory

    cat = AllegationCategory.objects.first()
    login(client, root)
    client.raise_request_exception = False
    base = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(cat.pk),
        "form-0-order": "1",
        "form-0-active": "on",
        "_save": "Save",
    }
    errors = []
    for key, bad in [
        ("form-0-id", "99999999999999999999"),
        ("form-0-id", "abc"),
        ("form-0-id", "\x00"),
        ("form-0-order", "99999999"),
        ("form-0-order", "\x00"),
        ("form-TOTAL_FORMS", "abc"),
        ("form-TOTAL_FORMS", "99999999999"),
        ("form-INITIAL_FORMS", "5"),
        ("form-0-id", "-1"),
    ]:
        r = client.post("/admin/cases/allegationcategory/", {**base, key: bad})
        if r.status_code >= 500:
            errors.append(f"changelist {key}={bad!r}: {r.status_code}")
    url = f"/admin/policies/programpolicy/{policy.pk}/change/"
    data = admin_change_data(client, url)
    n = int(data["exclusion_factors-TOTAL_FORMS"])
    dup = {
        **data,
        "exclusion_factors-TOTAL_FORMS": str(n + 1),
        f"exclusion_factors-{n}-code": data["exclusion_factors-0-code"],
        f"exclusion_factors-{n}-question": "again?",
        f"exclusion_factors-{n}-order": "9",
    }
    for key, bad in [
        (None, None),
        ("exclusion_factors-0-id", "99999999999999999999"),
        ("exclusion_factors-0-id", "\x00"),
        ("exclusion_factors-0-policy", "abc"),
    ]:
        payload = dup if key is None else {**data, key: bad}
        r = client.post(url, payload)
        if r.status_code >= 500:
            errors.append(f"policy inline {key}={bad!r}: {r.status_code}")
    assert not errors, "\n".join(errors)


def test_a_password_set_in_the_admin_signs_the_user_out_elsewhere(client, root, irene):
    from django.test import Client

    theirs = Client()
    login(theirs, irene)
    assert theirs.get(reverse("cases:list")).status_code == 200
    login(client, root)
    url = reverse("admin:auth_user_password_change", args=[irene.pk])
    response = client.post(
        url, {"password1": "Another-long-pass-42", "password2": "Another-long-pass-42", "usable_password": "true"}
    )
    assert response.status_code == 302
    assert theirs.get(reverse("cases:list")).status_code == 302  # to sign-in
