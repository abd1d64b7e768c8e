from django.urls import path

from .account import AccountDataApi, AccountExportApi
from .events import TaskEventsApi
from .midjourney import MidjourneyNotifyApi
from .openai import (
    ImagesEditsApi,
    ImagesGenerationsApi,
    ModelDetailApi,
    ModelsApi,
    UnknownRouteApi,
)
from .seed import SeedGenerationApi, SeedHealthApi
from .tasks import StatisticsApi, TaskCancelApi, TaskDetailApi, TaskListCreateApi

api_urlpatterns = [
    path("api/custom-image-generation", SeedGenerationApi.as_view(), name="seed-generate"),
    path("api/custom-image-generation/health", SeedHealthApi.as_view(), name="seed-health"),
    path("api/v1/tasks", TaskListCreateApi.as_view(), name="api-tasks"),
    path("api/v1/tasks/<str:task_id>", TaskDetailApi.as_view(), name="api-task"),
    path("api/v1/tasks/<str:task_id>/cancel", TaskCancelApi.as_view(), name="api-task-cancel"),
    path("api/v1/tasks/<str:task_id>/events", TaskEventsApi.as_view(), name="api-task-events"),
    path("api/v1/account/data", AccountDataApi.as_view(), name="api-account-data"),
    path("api/v1/account/export", AccountExportApi.as_view(), name="api-account-export"),
    path(
        "api/providers/midjourney/notify/<uuid:task_id>/<str:token>",
        MidjourneyNotifyApi.as_view(),
        name="midjourney-notify",
    ),
    path("api/v1/statistics", StatisticsApi.as_view(), name="api-statistics"),
    path("v1/images/edits", ImagesEditsApi.as_view(), name="openai-images-edits"),
    path("v1/images/generations", ImagesGenerationsApi.as_view(), name="openai-images-generations"),
    path("v1/models", ModelsApi.as_view(), name="openai-models"),
    path("v1/models/<path:model_id>", ModelDetailApi.as_view(), name="openai-model"),
    path("v1/<path:path>", UnknownRouteApi.as_view(), name="openai-unknown"),
]
