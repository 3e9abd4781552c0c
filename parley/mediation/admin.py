from django.contrib import admin
from django.http import HttpRequest

from parley.accounts.admin_site import ModelAdmin
from parley.mediation.models import MediationSession, Mediator, Venue


@admin.register(Mediator)
class MediatorAdmin(ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "active",
        "former_law_enforcement",
        "certified_until",
        "monthly_case_limit",
    ]
    list_filter = ["active", "former_law_enforcement"]
    search_fields = ["last_name", "first_name"]

    def reasons_not_to_delete(self, objs, request: HttpRequest) -> list[str]:
        # A session's team is its record (who mediated, who was in the room): deleting a mediator
        # would take them off every session they were on.
        sessions = MediationSession.objects.filter(mediators__in=objs).distinct().count()
        if sessions:
            return [
                f"{sessions} mediation session(s) with this mediator on the team: deactivate the mediator "
                "instead (untick Active), so that the sessions' records stay as they were."
            ]
        return []


@admin.register(Venue)
class VenueAdmin(ModelAdmin):
    list_display = ["name", "is_video", "accessible", "capacity", "active"]
