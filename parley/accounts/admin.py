from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from parley.accounts.models import User


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (*UserAdmin.fieldsets, ("Program role", {"fields": ["role"]}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Program role", {"fields": ["role"]}))
