from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

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
