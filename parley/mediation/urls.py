from django.urls import path

from parley.mediation import views

app_name = "mediation"

urlpatterns = [
    path("", views.my_sessions, name="my_sessions"),
    path("<int:pk>/outcome/", views.session_outcome, name="session_outcome"),
]
