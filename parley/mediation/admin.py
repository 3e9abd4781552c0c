from django.contrib import admin

from parley.accounts.admin_site import ModelAdmin
from parley.mediation.models import Mediator, Venue


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


@admin.register(Venue)
class VenueAdmin(ModelAdmin):
    list_display = ["name", "is_video", "accessible", "capacity", "active"]
