from django.urls import path

from parley.mediation import views

app_name = "mediation"

urlpatterns = [
    path("", views.my_sessions, name="my_sessions"),
    path("<int:pk>/outcome/", views.session_outcome, name="session_outcome"),
    path("<int:pk>/scheduling-notes/", views.scheduling_notes, name="scheduling_notes"),
    path("<int:pk>/survey/", views.survey, name="survey"),
]
