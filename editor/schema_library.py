"""The editor's task-history and template answers as the OpenAPI schema documents them
(the shapes of :mod:`editor.presenters`); see :mod:`editor.schema`."""

from __future__ import annotations

from rest_framework import serializers

from generation.api.serializers import StatisticsSerializer

from .schema import maybe_int, maybe_text, moment, string

S = serializers


class EditorHistoryTaskSerializer(S.Serializer):
    """One task of the 任务记录 page (AicePS's own record of it)."""

    id = string()
    task_type = string(help_text="`image_generation` (from text) or `image_edit`.")
    aiceps_task_type = string()
    task_type_label = string()
    prompt = string(allow_blank=True)
    professional_prompt = string(allow_blank=True)
    status = string()
    original_image_url = maybe_text()
    generated_image_url = maybe_text()
    tokens_used = S.IntegerField()
    credits_deducted = S.IntegerField(help_text="What was paid in the end (0 once refunded).")
    credits_refunded = S.IntegerField()
    generation_time_ms = maybe_int()
    error_message = maybe_text()
    aspect_ratio = maybe_text()
    model_version = maybe_text()
    created_at = moment()
    updated_at = moment()
    completed_at = moment()


class EditorReportedSerializer(S.Serializer):
    status = string()
    tokens_used = maybe_int()
    credits_deducted = maybe_int()
    generation_time_ms = maybe_int()
    error_message = maybe_text()


class EditorRecordSerializer(S.Serializer):
    """A record the editor made: AicePS's task once it was found (``verified``), with the
    task's fields; otherwise what the editor reported, charged nothing."""

    id = S.UUIDField()
    aiceps_task_id = S.UUIDField(allow_null=True)
    verified = S.BooleanField()
    task_type = string(allow_blank=True)
    prompt = string(allow_blank=True)
    status = string()
    aspect_ratio = maybe_text()
    model_version = maybe_text()
    original_image_url = maybe_text()
    generated_image_url = maybe_text()
    credits_deducted = S.IntegerField()
    tokens_used = S.IntegerField()
    generation_time_ms = maybe_int()
    error_message = maybe_text()
    created_at = moment()
    completed_at = moment()
    reported = EditorReportedSerializer()


class EditorTaskDetailSerializer(EditorRecordSerializer):
    """A task (AicePS's id) or a record (the id the editor got when it made it)."""

    aiceps_task_id = S.UUIDField(allow_null=True, required=False, help_text="Records only.")
    verified = S.BooleanField(required=False, help_text="Records only.")
    reported = EditorReportedSerializer(required=False, help_text="Records only.")


class EditorRecordAnswerSerializer(S.Serializer):
    success = S.BooleanField()
    data = EditorRecordSerializer()


class EditorTaskDetailAnswerSerializer(S.Serializer):
    success = S.BooleanField()
    data = EditorTaskDetailSerializer()


class EditorPaginationSerializer(S.Serializer):
    current_page = S.IntegerField()
    per_page = S.IntegerField()
    total_items = S.IntegerField()
    total_pages = S.IntegerField()
    has_more = S.BooleanField()


class EditorHistoryPageDataSerializer(S.Serializer):
    tasks = EditorHistoryTaskSerializer(many=True)
    pagination = EditorPaginationSerializer()


class EditorHistoryPageSerializer(S.Serializer):
    success = S.BooleanField()
    data = EditorHistoryPageDataSerializer()


class EditorTotalsSerializer(S.Serializer):
    total_tasks = S.IntegerField()
    successful_tasks = S.IntegerField()
    failed_tasks = S.IntegerField()
    total_tokens_used = S.IntegerField()
    total_credits_deducted = S.IntegerField()
    total_generation_time_ms = S.IntegerField()
    success_rate = S.FloatField(help_text="Percent.")
    avg_generation_time_ms = S.IntegerField()


class EditorStatisticsDataSerializer(S.Serializer):
    statistics = StatisticsSerializer(many=True)
    totals = EditorTotalsSerializer()


class EditorStatisticsSerializer(S.Serializer):
    success = S.BooleanField()
    data = EditorStatisticsDataSerializer()


class EditorDeletedSerializer(S.Serializer):
    success = S.BooleanField()
    message = string()


class EditorTemplateCategorySerializer(S.Serializer):
    id = string()
    name = string()
    name_en = string()


class EditorTemplateSerializer(S.Serializer):
    id = string()
    slug = string()
    title = string()
    name = string()
    icon = string(allow_blank=True)
    description = string(allow_blank=True)
    prompt = string(allow_blank=True)
    task_type = string()
    aspect_ratio = maybe_text()
    cover_image_url = maybe_text()
    example_images = S.ListField(child=string())
    category = EditorTemplateCategorySerializer()
    tags = S.ListField(child=string())
    status = string()
    is_featured = S.BooleanField()
    is_premium = S.BooleanField()
    download_count = S.IntegerField()
    view_count = S.IntegerField()
    like_count = S.IntegerField()
    created_at = moment()
    updated_at = moment()
    published_at = moment()


class EditorTemplatePageDataSerializer(S.Serializer):
    templates = EditorTemplateSerializer(many=True)
    total = S.IntegerField()
    page = S.IntegerField()
    limit = S.IntegerField()
    hasMore = S.BooleanField()


class EditorTemplatePageSerializer(S.Serializer):
    success = S.BooleanField()
    data = EditorTemplatePageDataSerializer()


class EditorTemplateDataSerializer(S.Serializer):
    template = EditorTemplateSerializer()


class EditorTemplateAnswerSerializer(S.Serializer):
    success = S.BooleanField()
    data = EditorTemplateDataSerializer()
