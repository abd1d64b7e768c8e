"""Output serializers of the v1 API (input is read in each view's own serializer).

A task's payload is built by ``generation.presenters.task_payload`` for the API, the pages
and the event streams alike; :class:`TaskSerializer` declares its fields for the OpenAPI
schema and hands the work to it. Adapters take it from here (with :func:`absolute_for`).
"""

from __future__ import annotations

from collections.abc import Callable

from rest_framework import serializers

from generation.models import TaskHistory, TaskStatistics
from generation.presenters import task_payload as task_payload  # re-exported for adapters


def absolute(request, url: str) -> str | None:
    if not url:
        return None
    return url if url.startswith(("http://", "https://")) else request.build_absolute_uri(url)


def absolute_for(request) -> Callable[[str], str]:
    return lambda url: absolute(request, url) or ""


class TaskErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ProgressSerializer(serializers.Serializer):
    phase = serializers.CharField()
    step = serializers.IntegerField(allow_null=True)
    steps = serializers.IntegerField(allow_null=True)
    preview_url = serializers.URLField(allow_null=True)


class TimingsSerializer(serializers.Serializer):
    prompt_ms = serializers.IntegerField(allow_null=True)
    image_ms = serializers.IntegerField(allow_null=True)
    storage_ms = serializers.IntegerField(allow_null=True)
    total_ms = serializers.IntegerField(allow_null=True)


class TaskSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=TaskHistory.Status.choices)
    stage = serializers.ChoiceField(choices=TaskHistory.Stage.choices)
    progress = ProgressSerializer(allow_null=True)
    task_type = serializers.CharField()
    prompt = serializers.CharField()
    professional_prompt = serializers.CharField()
    prompt_cached = serializers.BooleanField()
    aspect_ratio = serializers.CharField()
    parameters = serializers.DictField()
    prompt_writer = serializers.CharField()
    prompt_model = serializers.CharField()
    image_provider = serializers.CharField()
    model_version = serializers.CharField()
    original_image_url = serializers.URLField(allow_null=True)
    generated_image_url = serializers.URLField(allow_null=True)
    generated_image_urls = serializers.ListField(child=serializers.URLField())
    source_image_urls = serializers.ListField(child=serializers.URLField())
    credits_deducted = serializers.IntegerField()
    tokens_used = serializers.IntegerField()
    attempts = serializers.IntegerField()
    error = TaskErrorSerializer(allow_null=True)
    timings = TimingsSerializer()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    files_expired_at = serializers.DateTimeField(
        allow_null=True, help_text="When the retention period deleted the task's files."
    )
    status_url = serializers.URLField()

    def to_representation(self, task: TaskHistory) -> dict:
        request = self.context.get("request")
        if request is None:
            return task_payload(task)
        return task_payload(task, absolute=absolute_for(request))


class TaskAnswerSerializer(TaskSerializer):
    """A task as a submission or a cancel answers it: with the balance left."""

    credits_remaining = serializers.IntegerField()

    def to_representation(self, task):
        return super().to_representation(task)  # the view adds credits_remaining


class TaskPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TaskSerializer(many=True)


class StatisticsSerializer(serializers.ModelSerializer):
    success_rate = serializers.FloatField()

    class Meta:
        model = TaskStatistics
        fields = [
            "period_type",
            "period_date",
            "total_tasks",
            "successful_tasks",
            "failed_tasks",
            "success_rate",
            "total_tokens_used",
            "total_credits_deducted",
            "total_generation_time_ms",
            "avg_generation_time_ms",
        ]


class StatisticsAnswerSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=TaskStatistics.PeriodType.choices)
    results = StatisticsSerializer(many=True)
    periods = serializers.ListField(child=serializers.CharField())


class SeedAnswerSerializer(serializers.Serializer):
    """The seed endpoint's answer (the contract's names); ``status_url`` while still running,
    ``error`` when it failed."""

    success = serializers.BooleanField()
    message = serializers.CharField()
    task_id = serializers.UUIDField()
    status = serializers.CharField()
    original_image_url = serializers.URLField(allow_null=True)
    generated_image_url = serializers.URLField(allow_null=True)
    professional_prompt = serializers.CharField()
    processing_time = serializers.FloatField()
    user_prompt = serializers.CharField()
    credits_remaining = serializers.IntegerField()
    status_url = serializers.URLField(required=False)


class HealthSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    status = serializers.ChoiceField(choices=["healthy", "degraded"])
    service = serializers.CharField()
    database = serializers.ChoiceField(choices=["ok", "unavailable"])
