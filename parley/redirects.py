"""Back to a list from its CSV download when the filters are not valid (nothing is downloaded)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# A link longer than this is not made: browsers and Django's redirects refuse very long ones (a search
# box filled with a pasted page of text, say), and the page could not show such a filter anyway.
LONGEST_LINK = 2000


def back_to_the_list(request: HttpRequest, form: forms.BaseForm, list_url: str) -> HttpResponse:
    """The list with the same filters, whose form then says what is wrong with them; when they would
    make too long a link, the list with the valid ones only, and a message that names the others."""
    asked = {name: request.GET.getlist(name) for name in form.fields if name in request.GET}
    query = urlencode(asked, doseq=True)
    if len(list_url) + len(query) < LONGEST_LINK:
        messages.error(request, "Nothing was downloaded: correct the filters that could not be used, then try again.")
        return redirect(f"{list_url}?{query}" if query else list_url)
    problems = "; ".join(
        f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items() if name in form.fields
    )
    messages.error(request, f"Nothing was downloaded, and these filters were left out: {problems}")
    kept = urlencode({name: values for name, values in asked.items() if name not in form.errors}, doseq=True)
    return redirect(f"{list_url}?{kept}" if kept else list_url)
