"""Every response. None is kept in a browser's cache (parley/middleware.py): staff pages and exports,
the sign-in pages and errors alike; a response that says how it may be kept is left as it is. And a
damaged request or a server error gets a page of ours that says what happened, without details."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path, reverse
from django.views.decorators.cache import cache_control

from parley.testing.factories import receive_complaint
from parley.testing.web import login


def _no_store(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "no-cache", "private"} <= directives


@pytest.mark.parametrize("page", ["list", "detail", "print", "export", "queue", "missing"])
def test_staff_pages_and_exports_are_not_kept(page, client, irene, policy):
    complaint = receive_complaint(irene)
    login(client, irene)
    url = {
        "list": reverse("cases:list"),
        "detail": reverse("cases:detail", kwargs={"ref": complaint.reference}),
        "print": reverse("cases:detail", kwargs={"ref": complaint.reference}) + "?print=1",
        "export": reverse("cases:export"),
        "queue": "/",
        "missing": reverse("cases:detail", kwargs={"ref": "1999-9999"}),
    }[page]
    response = client.get(url)
    assert response.status_code == (404 if page == "missing" else 200)
    assert _no_store(response), response.get("Cache-Control")


def test_signed_out_pages_are_not_kept_either(client, db):
    for url in (reverse("accounts:login"), "/healthz", "/"):
        assert _no_store(client.get(url)), url


@cache_control(max_age=3600, public=True)
def _cacheable(request):
    return HttpResponse("the same for everyone")


urlpatterns = [path("cacheable", _cacheable), path("broken", lambda request: _broken(request))]


@override_settings(ROOT_URLCONF=__name__)
def test_a_response_that_says_how_to_keep_it_is_left_alone(client, db):
    response = client.get("/cacheable")
    assert response["Cache-Control"] == "max-age=3600, public"


def test_a_damaged_or_endless_request_gets_a_page_that_says_so(client, db):
    # signed out: the sign-in link would carry the whole address back, which is longer than a link may be
    response = client.get("/complaints/", {"q": "x" * 20000})
    assert response.status_code == 400
    assert "This request could not be used" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_gets_a_page_of_ours_without_details(db):
    from django.test import Client

    client = Client(raise_request_exception=False)
    response = client.get("/broken")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page and "Traceback" not in page and "ZeroDivision" not in page


def _broken(request):
    return HttpResponse(str(1 / 0))
