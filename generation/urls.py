"""The web pages (server-rendered, session login). Included at the site root."""

from django.urls import path

from .views import account, compose, live, pages

app_name = "web"

urlpatterns = [
    path("", compose.new_generation, name="home"),
    path("new/", compose.new_generation, name="new"),
    path("new/staged/<str:name>", compose.staged_image, name="staged-image"),
    path("history/", pages.history, name="history"),
    path("history/<uuid:task_id>/", pages.task_detail, name="task"),
    path("history/<uuid:task_id>/status.json", pages.task_status, name="task-status"),
    path("history/<uuid:task_id>/events", live.task_events, name="task-events"),
    path("history/<uuid:task_id>/rerun/", compose.task_rerun, name="task-rerun"),
    path("history/<uuid:task_id>/cancel/", pages.task_cancel_view, name="task-cancel"),
    path("history/<uuid:task_id>/delete/", account.task_delete_view, name="task-delete"),
    path("settings/", account.settings_page, name="settings"),
    path("settings/export/", account.export_download, name="export"),
    path("settings/delete-everything/", account.delete_everything, name="delete-everything"),
    path("statistics/", pages.statistics, name="statistics"),
    path("accounts/signup/", pages.signup, name="signup"),
]
