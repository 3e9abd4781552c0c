from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from parley.audit.middleware import SECRET_FIELDS
from parley.cases.views import my_queue


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Signed-in staff land on their queue; everyone else sees the public home page."""
    if request.user.is_authenticated:
        return my_queue(request)
    return render(request, "home.html")


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by Django's CSRF check (``CSRF_FAILURE_VIEW``): most often a page left open while
    its person signed out and in again in another tab, so that its token is an old one. Says what to do
    in the page's words, not Django's; nothing of the form was used."""
    return render(request, "403_csrf.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django could not use (``handler400``: a damaged form, an address far too long). Django's
    own handler writes its page without the request; the layout needs it (who is signed in)."""
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A page or action the signed-in person's role does not allow (``handler403``). It names their role:
    when it was changed while a form was open, that is what they need to know. A form refused this way
    saved nothing; what was typed in it (sentences, not the form's choices) is shown to be copied, since an
    action's form opened inside the complaint page is not brought back by the browser's Back button."""
    user = getattr(request, "user", None)
    role = user.get_role_display() if user is not None and user.is_authenticated else ""
    typed: list[str] = []
    if request.method == "POST":
        for name, values in request.POST.lists():
            if name in SECRET_FIELDS or name == "csrfmiddlewaretoken":
                continue
            typed += [text for text in map(str.strip, values) if " " in text and text not in typed]
    response = render(request, "403.html", {"role": role, "typed": typed}, status=403)
    response["X-Parley-Refused"] = "role"  # parley.js: an inline form refused for this, not for an old page
    return response
