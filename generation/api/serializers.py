"""Output serializers of the v1 API (input is read in each view's own serializer)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import CreditTransaction
from generation.models import TaskHistory, TaskStatistics
from generation.selectors import task_image_urls


def absolute(request, url: str) -> str | None:
    if not url:
        return None
    return url if url.startswith(("http://", "https://")) else request.build_absolute_uri(url)


class TaskSerializer(serializers.ModelSerializer):
    original_image_url = serializers.SerializerMethodField()
    generated_image_url = serializers.SerializerMethodField()
    generated_image_urls = serializers.SerializerMethodField()
    source_image_urls = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    timings = serializers.SerializerMethodField()
    status_url = serializers.SerializerMethodField()

    class Meta:
        model = TaskHistory
        fields = [
            "id",
            "status",
            "stage",
            "task_type",
            "prompt",
            "professional_prompt",
            "prompt_cached",
            "aspect_ratio",
            "parameters",
            "prompt_writer",
            "prompt_model",
            "image_provider",
            "model_version",
            "original_image_url",
            "generated_image_url",
            "generated_image_urls",
            "source_image_urls",
            "credits_deducted",
            "tokens_used",
            "attempts",
            "error",
            "timings",
            "created_at",
            "started_at",
            "completed_at",
            "status_url",
        ]
        read_only_fields = fields

    def _urls(self, task: TaskHistory) -> dict:
        cache = self.context.setdefault("_urls", {})
        if task.pk not in cache:
            cache[task.pk] = task_image_urls(task)
        return cache[task.pk]

    def _abs(self, url: str) -> str | None:
        request = self.context.get("request")
        return absolute(request, url) if request else (url or None)

    def get_original_image_url(self, task) -> str | None:
        return self._abs(self._urls(task)["original_image_url"])

    def get_generated_image_url(self, task) -> str | None:
        return self._abs(self._urls(task)["generated_image_url"])

    def get_generated_image_urls(self, task) -> list[str]:
        return [self._abs(url) for url in self._urls(task)["generated_image_urls"]]

    def get_source_image_urls(self, task) -> list[str]:
        return [self._abs(url) for url in self._urls(task)["source_image_urls"]]

    def get_error(self, task) -> dict | None:
        if task.status not in (TaskHistory.Status.FAILED, TaskHistory.Status.CANCELLED):
            return None
        return {"code": task.error_code or task.status, "message": task.error_message}

    def get_timings(self, task) -> dict:
        return {
            "prompt_ms": task.prompt_time_ms,
            "image_ms": task.image_time_ms,
            "storage_ms": task.storage_time_ms,
            "total_ms": task.generation_time_ms,
        }

    def get_status_url(self, task) -> str | None:
        return self._abs(f"/api/v1/tasks/{task.pk}")


class LedgerEntrySerializer(serializers.ModelSerializer):
    task_id = serializers.UUIDField(allow_null=True)

    class Meta:
        model = CreditTransaction
        fields = ["id", "kind", "amount", "balance_after", "task_id", "note", "created_at"]


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
