"""Every URL of the project, for every role and for anonymous visitors, GET and POST, answers as the
permission table (parley.accounts.permissions) says. A new URL without an entry fails here."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from parley.accounts.permissions import ADMIN_SITE, PERMISSIONS, PUBLIC, SIGNED_IN, URL_ACCESS
from parley.accounts.roles import Role
from parley.cases.tests.helpers import reach
from parley.cases.workflow import Status
from parley.mediation.models import Mediator
from parley.testing.factories import Journey, UserFactory
from parley.testing.web import login

DENIED = {403, 404, 405}  # 405: the method is not offered at all, to anyone


def _patterns(resolver: URLResolver, namespace: str = "", prefix: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from _patterns(p, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else (p.name or "")
            yield name, prefix + str(p.pattern)


ALL_PATTERNS = sorted(set(_patterns(get_resolver())))


def _access(name: str) -> str:
    if name == "admin:logout":
        return PUBLIC  # signing out of the admin is harmless for anyone
    if name.startswith("admin:"):
        return ADMIN_SITE
    return URL_ACCESS[name]


def test_every_url_has_an_entry_in_the_permission_table():
    missing = [
        name or pattern for name, pattern in ALL_PATTERNS if not name.startswith("admin:") and name not in URL_ACCESS
    ]
    assert not missing, f"add these URLs to URL_ACCESS in parley/accounts/permissions.py: {missing}"
    stale = set(URL_ACCESS) - {name for name, _ in ALL_PATTERNS}
    assert not stale, f"URL_ACCESS names URLs that do not exist: {stale}"
    for capability in set(URL_ACCESS.values()) - {PUBLIC, SIGNED_IN}:
        assert capability in PERMISSIONS


def _fill(pattern: str, values: dict[str, str]) -> str:
    """A concrete path for a pattern: route converters and regex groups get values that exist."""

    def group(m: re.Match) -> str:
        name, body = m.group(1), m.group(2)
        return values.get(name) or body.split("|")[0].strip("^$")

    path = re.sub(r"\(\?P<(\w+)>([^)]*)\)", group, pattern)  # regex patterns (the admin's)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), path)  # route converters
    path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    return "/" + path.lstrip("/")


@pytest.fixture
def world(policy, irene, ray, carla, alma, maya):
    """One complaint every role can reach: scheduled, with maya on the session."""
    journey = Journey(intake=irene, iad=ray, coordinator=carla, admin=alma)
    complaint = reach(Status.SCHEDULED, journey)
    session = complaint.sessions.get()
    Mediator.objects.filter(pk=session.mediators.first().pk).update(user=maya)
    return {
        "ref": complaint.reference,
        "officer_pk": str(complaint.officers.first().pk),
        "pk": str(session.pk),
        "uidb64": "MQ",
        "token": "set-password",
        "app_label": "cases",
        "object_id": "1",
        "content_type_id": "1",
        "url": "nowhere/",
        "policy": policy,
    }


@pytest.mark.parametrize("who", ["anonymous", *Role.values])
def test_every_url_answers_every_visitor_as_the_table_says(client, world, who):
    # a program administrator's account is a staff superuser, as the admin needs (and as the demo's is)
    admin = {"is_staff": True, "is_superuser": True} if who == Role.ADMIN else {}
    user = None if who == "anonymous" else UserFactory(username=f"visitor-{who}", role=who, **admin)
    problems = []
    for name, pattern in ALL_PATTERNS:
        path = _fill(pattern, world)
        access = _access(name)
        allowed = access == PUBLIC or (user is not None and (access == SIGNED_IN or who in PERMISSIONS[access]))
        if access == "complaint_decide_suitability":  # the complaint's policy names who decides
            allowed = allowed and who in world["policy"].suitability_deciders
        # inside the admin, each model's own permissions decide further (some models are read-only)
        admin_detail = access == ADMIN_SITE and allowed
        for method in ("get", "post"):
            if user is not None and "_auth_user_id" not in client.session:
                login(client, user)  # again, after a sign-out URL signed the visitor out
            response = getattr(client, method)(path)
            status = response.status_code
            location = response.get("Location", "")
            sent_to_sign_in = status == 302 and ("/accounts/login" in location or "/admin/login" in location)
            refused = status in DENIED or sent_to_sign_in
            if name == "accounts:stay_signed_in" and status == 401:  # the idle warning's JSON "signed out"
                refused = True
            if status >= 500:
                problems.append(f"{method.upper()} {path} as {who}: {status}")
            elif not allowed and not refused:
                problems.append(f"{method.upper()} {path} as {who}: {status} {location}, the table says no")
            elif allowed and not admin_detail and (status == 403 or (sent_to_sign_in and user is not None)):
                problems.append(f"{method.upper()} {path} as {who}: {status} {location}, the table says yes")
    assert not problems, "\n".join(problems)
