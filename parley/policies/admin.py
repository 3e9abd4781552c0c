from django.contrib import admin

from parley.accounts.admin_site import ModelAdmin
from parley.policies.models import ExclusionFactor, ProgramPolicy


class ExclusionFactorInline(admin.TabularInline):
    model = ExclusionFactor
    extra = 0


@admin.register(ProgramPolicy)
class ProgramPolicyAdmin(ModelAdmin):
    list_display = ["name", "slug", "is_active", "mediators_per_session", "consent_order"]
    inlines = [ExclusionFactorInline]
    filter_horizontal = ["excluded_categories"]
    readonly_fields = ["is_active"]  # switch with `manage.py activate_policy`, which keeps one active
