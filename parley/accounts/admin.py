from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from parley.accounts.admin_site import ModelAdmin
from parley.accounts.models import User
from parley.accounts.services import two_factor_reset
from parley.audit.models import AuditEntry

# Authenticator devices are not edited in the admin: a device is set up by its owner on the set-up
# page, and removed with the audited reset (the action below, or `manage.py reset_2fa`).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(User)
class StaffUserAdmin(UserAdmin, ModelAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active", "has_authenticator"]
    list_filter = ["role", "is_active"]
    fieldsets = (*UserAdmin.fieldsets, ("Program role", {"fields": ["role"]}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Program role", {"fields": ["role"]}))
    actions = ["reset_two_factor", "deactivate"]
    object_noun = "account"
    # What decides what an account may see and do. No one changes these on their own account: another
    # administrator does, and the change is in the audit trail with its values (parley.accounts.signals).
    PRIVILEGE_FIELDS = ("role", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            fields += [name for name in self.PRIVILEGE_FIELDS if name not in fields]
        return fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(_has_authenticator=Exists(confirmed))

    def reasons_not_to_delete(self, objs, request: HttpRequest) -> list[str]:
        # The trail keeps who did what, so an account with entries is never deleted. Django would
        # list every entry on the delete page: the trail is for auditors only, and it can be long.
        entries = AuditEntry.objects.filter(actor__in=objs).count()
        if entries:
            return [f"{entries} audit-trail entries: deactivate the account instead, which signs it out everywhere."]
        return []

    @admin.display(boolean=True, description="Authenticator app set up", ordering="_has_authenticator")
    def has_authenticator(self, user: User) -> bool:
        return user._has_authenticator

    @admin.action(description="Reset two-factor sign-in (they set up an authenticator app again)")
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            two_factor_reset(user=user, request=request, via="admin")
        self.message_user(
            request,
            f"Two-factor sign-in reset for {queryset.count()} account(s). They are signed out, and set up "
            "an authenticator app at their next sign-in.",
            messages.SUCCESS,
        )

    @admin.action(description="Deactivate (and sign out everywhere)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        if queryset.filter(pk=request.user.pk).exists():  # another administrator does (as with a role)
            self.message_user(request, "You cannot deactivate your own account.", messages.ERROR)
            queryset = queryset.exclude(pk=request.user.pk)
        count = 0
        for user in queryset.filter(is_active=True):
            user.is_active = False
            user._audit_request = request
            user.save(update_fields=["is_active"])
            count += 1
        self.message_user(request, f"{count} account(s) deactivated and signed out.", messages.SUCCESS)
