from django.contrib import admin
from django.urls import include, path

from parley import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("parley.accounts.urls")),
    path("complaints/", include("parley.cases.urls")),
    path("sessions/", include("parley.mediation.urls")),
    path("audit/", include("parley.audit.urls")),
]

handler400 = views.bad_request
handler403 = views.permission_denied
