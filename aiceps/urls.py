from django.contrib import admin
from django.urls import include, path

from generation.views.files import serve_task_file

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("files/<path:key>", serve_task_file, name="task-file"),
]
