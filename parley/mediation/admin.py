from django.contrib import admin, messages
from django.http import HttpRequest

from parley.accounts.admin_site import ModelAdmin
from parley.mediation.models import MediationSession, Mediator, Venue


class _TellsOfBookings:
    """After a venue or a mediator is saved, the sessions booked with them are checked again (``signals``):
    the administrator is told of those still to come that this save made unsuitable, and where the
    coordinator will find them."""

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        unsuited = getattr(obj, "_bookings_no_longer_suiting", 0)
        if change and unsuited:
            sessions = (
                "1 booked session no longer suits" if unsuited == 1 else f"{unsuited} booked sessions no longer suit"
            )
            self.message_user(
                request,
                f"With this change, {sessions}. The mediation center's coordinator finds "
                f"{'it' if unsuited == 1 else 'them'} in their queue, to book again.",
                messages.WARNING,
            )


@admin.register(Mediator)
class MediatorAdmin(_TellsOfBookings, ModelAdmin):
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
    list_display = ["name", "is_video", "accessible", "capacity", "active"]
