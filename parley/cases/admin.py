"""The admin is for reference data only. Complaints change through the workflow pages, never here."""

from django.contrib import admin

from parley.accounts.admin_site import ModelAdmin
from parley.cases.models import AllegationCategory, Officer


@admin.register(AllegationCategory)
class AllegationCategoryAdmin(ModelAdmin):
    list_display = ["name", "code", "order", "active"]
    list_editable = ["order", "active"]


@admin.register(Officer)
class OfficerAdmin(ModelAdmin):
    list_display = ["last_name", "first_name", "dsn", "badge", "unit", "active"]
    search_fields = ["last_name", "first_name", "dsn", "badge"]
    list_filter = ["active", "unit"]
