"""The admin is for reference data only. Complaints change through the workflow pages, never here."""

from django.contrib import admin

from parley.cases.models import AllegationCategory, Officer


@admin.register(AllegationCategory)
class AllegationCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "active"]
    list_editable = ["order", "active"]


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "dsn", "badge", "unit", "active"]
    search_fields = ["last_name", "first_name", "dsn", "badge"]
    list_filter = ["active", "unit"]
