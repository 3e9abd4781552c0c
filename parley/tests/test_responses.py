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
from parley.testing.web import login, text


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


def test_a_form_refused_by_the_csrf_check_says_what_to_do_in_plain_words(policy, irene):
    """From a data-loss review: Django's own page ("CSRF verification failed. Request aborted.")."""
    from django.test import Client

    from parley.cases.models import Complaint
    from parley.cases.tests.test_views_intake import INTAKE, _data

    browser = Client(enforce_csrf_checks=True)
    login(browser, irene)
    response = browser.post(INTAKE, _data())
    assert response.status_code == 403
    page = text(response)
    assert "This form was not sent" in page and "what you typed is still in the form" in page
    assert "CSRF" not in page and not Complaint.objects.exists()
