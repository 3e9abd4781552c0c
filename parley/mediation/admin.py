from django.contrib import admin, messages
from django.http import HttpRequest

from parley.accounts.admin_site import ModelAdmin
from parley.mediation.models import MediationSession, Mediator, SessionStatus, Venue


class _TellsOfBookings:
    """After a venue or a mediator is saved, the sessions booked with them are checked again (``signals``):
    the administrator is told of those that no longer suit, and where the coordinator will find them."""

    booked_with: str  # the session's field that names the venue or the mediator

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        unsuited = MediationSession.objects.filter(
            **{self.booked_with: obj}, status=SessionStatus.SCHEDULED, no_longer_suits=True
        ).count()
        if change and unsuited:
            self.message_user(
                request,
                f"{unsuited} booked session{' no longer suits' if unsuited == 1 else 's no longer suit'} "
                f"{obj} as saved. The mediation center's coordinator finds "
                f"{'it' if unsuited == 1 else 'them'} in their queue, to book again.",
                messages.WARNING,
            )


@admin.register(Mediator)
class MediatorAdmin(_TellsOfBookings, ModelAdmin):
    booked_with = "mediators"
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
class VenueAdmin(_TellsOfBookings, ModelAdmin):
    booked_with = "venue"
    list_display = ["name", "is_video", "accessible", "capacity", "active"]
