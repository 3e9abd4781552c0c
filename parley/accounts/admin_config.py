"""``django.contrib.admin`` with Parley's admin site (imported while apps load: no models here)."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "parley.accounts.admin_site.StaffAdminSite"
