"""The editor's 25 calls (and a few neighbours it also makes), under ``/api/``."""

from django.urls import path

from .template_covers import serve_template_cover
from .template_files import serve_template_image
from .views.comics import ExtractScenesApi, GenerateComicApi
from .views.generation import BatchImagesApi, CreativeSuggestionsApi, EditImageApi, GenerateImageApi
from .views.history import CompleteApi, OriginalImageApi, StatisticsApi, TaskApi, TasksApi
from .views.permissions import (
    CheckFeatureApi,
    ConsumeCreditsApi,
    RefreshPermissionsApi,
    UserPermissionsApi,
)
from .views.proxy import ProxyImageApi
from .views.templates import TemplateApi, TemplatesApi

COMIC_ROUTES = [
    ("text-to-comic/deepseek/extract-scenes", ExtractScenesApi, "editor-comic-scenes"),
    ("text-to-comic/nanobanana/generate-comic", GenerateComicApi, "editor-comic-panel"),
]

editor_urlpatterns = [
    path("api/edit-image", EditImageApi.as_view(), name="editor-edit-image"),
    path("api/generate-image", GenerateImageApi.as_view(), name="editor-generate-image"),
    path("api/generate-batch-images", BatchImagesApi.as_view(), name="editor-batch-images"),
    path("api/creative-suggestions", CreativeSuggestionsApi.as_view(), name="editor-suggestions"),
    path("api/user-permissions/<str:uid>", UserPermissionsApi.as_view(), name="editor-perms"),
    path(
        "api/user-permissions/<str:uid>/check-feature",
        CheckFeatureApi.as_view(),
        name="editor-check-feature",
    ),
    path(
        "api/user-permissions/<str:uid>/consume-credits",
        ConsumeCreditsApi.as_view(),
        name="editor-consume-credits",
    ),
    path(
        "api/user-permissions/<str:uid>/refresh",
        RefreshPermissionsApi.as_view(),
        name="editor-refresh-permissions",
    ),
    path("api/task-history/tasks", TasksApi.as_view(), name="editor-history"),
    path("api/task-history/statistics", StatisticsApi.as_view(), name="editor-statistics"),
    path("api/task-history/tasks/<str:task_id>", TaskApi.as_view(), name="editor-history-task"),
    path(
        "api/task-history/tasks/<str:task_id>/original-image",
        OriginalImageApi.as_view(),
        name="editor-history-original",
    ),
    path(
        "api/task-history/tasks/<str:task_id>/complete",
        CompleteApi.as_view(),
        name="editor-history-complete",
    ),
    path("api/templates", TemplatesApi.as_view(), name="editor-templates"),
    path("api/templates/images/<path:name>", serve_template_image, name="editor-template-image"),
    path("api/templates/covers/<str:name>", serve_template_cover, name="editor-template-cover"),
    path("api/templates/<str:template_id>", TemplateApi.as_view(), name="editor-template"),
    path("api/proxy-image", ProxyImageApi.as_view(), name="editor-proxy-image"),
    *(path(f"api/api/{route}", view.as_view(), name=name) for route, view, name in COMIC_ROUTES),
    *(
        path(f"api/{route}", view.as_view(), name=f"{name}-single")
        for route, view, name in COMIC_ROUTES
    ),
]
