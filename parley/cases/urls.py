from django.urls import path

from parley.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("export.csv", views.complaint_export, name="export"),
    path("new/", views.complaint_intake, name="intake"),
    path("find/", views.complaint_find, name="find"),
    path("<str:ref>/", views.complaint_detail, name="detail"),
    path("<str:ref>/notes/", views.note_create, name="note_create"),
    # One URL per workflow action: GET shows the form (a partial for htmx), POST takes the action.
    path("<str:ref>/acknowledge/", views.complaint_acknowledge, name="acknowledge"),
    path("<str:ref>/screen/", views.complaint_screen, name="screen"),
    path("<str:ref>/suitability/", views.complaint_decide_suitability, name="suitability"),
    path("<str:ref>/choice/", views.complaint_record_choice, name="choice"),
    path("<str:ref>/officers/<int:officer_pk>/consent/", views.officer_record_consent, name="officer_consent"),
    path("<str:ref>/officers/<int:officer_pk>/identify/", views.officer_identify, name="officer_identify"),
    path("<str:ref>/officers/<int:officer_pk>/allegations/", views.allegations_correct, name="allegations_correct"),
    path("<str:ref>/people/<int:party_pk>/correct/", views.party_correct, name="party_correct"),
    path("<str:ref>/correct/", views.complaint_correct, name="correct"),
    path("<str:ref>/refer/", views.complaint_refer, name="refer"),
    path("<str:ref>/schedule-session/", views.session_schedule, name="schedule_session"),
    path("<str:ref>/cancel-session/", views.session_cancel, name="cancel_session"),
    path("<str:ref>/outcome/", views.session_record_outcome, name="outcome"),
    path("<str:ref>/send-back/", views.complaint_send_back_good_faith, name="send_back"),
    path("<str:ref>/withdraw/", views.complaint_withdraw, name="withdraw"),
]
