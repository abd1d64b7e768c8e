"""Staff edit the template library here (the web pages' and the photo editor's), with its
cover and example images."""

from __future__ import annotations

from django.contrib import admin

from .models_templates import PromptTemplate, PromptTemplateImage


class ExampleImageInline(admin.TabularInline):
    model = PromptTemplateImage
    extra = 1
    fields = ["image", "position"]


@admin.register(PromptTemplate)
class PromptTemplateAdmin(admin.ModelAdmin):
    inlines = [ExampleImageInline]
    list_display = [
        "name_en",
        "name_zh",
        "icon",
        "task_type",
        "aspect_ratio",
        "position",
        "is_active",
        "use_count",
        "updated_at",
    ]
    list_editable = ["position", "is_active"]
    list_filter = ["task_type", "is_active"]
    search_fields = ["slug", "name_en", "name_zh", "prompt_en", "prompt_zh"]
    prepopulated_fields = {"slug": ["name_en"]}
    ordering = ["position", "name_en"]
    readonly_fields = ["use_count", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["slug", "icon", "task_type", "aspect_ratio", "position", "is_active"]}),
        (None, {"fields": ["cover_image", "use_count"]}),
        ("English", {"fields": ["name_en", "description_en", "prompt_en"]}),
        ("中文", {"fields": ["name_zh", "description_zh", "prompt_zh"]}),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]
