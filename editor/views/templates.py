"""``/api/templates``: the prompt-template library (``generation.models.PromptTemplate``),
with its cover and example images, in the editor's shapes."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue import task_types
from core.errors import NotFoundError
from generation.api.serializers import absolute_for
from generation.models import PromptTemplate, PromptTemplateImage

from ..access import EditorApiMixin
from ..presenters import template_view
from ..schema import LIMIT, PAGE, TEXT
from ..schema_library import EditorTemplateAnswerSerializer, EditorTemplatePageSerializer
from .history import _positive

SORTS = {
    "popular": ["-use_count", "position", "name_en"],
    "downloads": ["-use_count", "position", "name_en"],
    "latest": ["-created_at"],
}


def _templates():
    examples = Prefetch(
        "example_images", queryset=PromptTemplateImage.objects.order_by("position", "pk")
    )
    return PromptTemplate.objects.filter(is_active=True).prefetch_related(examples)


class TemplatesApi(EditorApiMixin, APIView):
    """Anyone may read the library (the editor sends its token when signed in)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="api_templates_list",
        parameters=[
            PAGE,
            LIMIT,
            OpenApiParameter(
                "sort", TEXT, description="`popular`, `downloads` or `latest`; else by position."
            ),
            OpenApiParameter("category", TEXT, description="A task type (`filter`, `style`…)."),
            OpenApiParameter("search", TEXT, description="Words in the name, text or prompt."),
        ],
        responses=EditorTemplatePageSerializer,
    )
    def get(self, request):
        params = request.query_params
        page = _positive(params.get("page"), 1, param="page")
        limit = _positive(params.get("limit"), 20, most=100, param="limit")
        templates = _templates()
        category = params.get("category")
        if category:
            known = {value for value, _label in task_types.choices()}
            templates = (
                templates.filter(task_type=category) if category in known else templates.none()
            )
        search = (params.get("search") or "").strip()
        if search:
            templates = templates.filter(
                Q(name_en__icontains=search)
                | Q(name_zh__icontains=search)
                | Q(description_en__icontains=search)
                | Q(description_zh__icontains=search)
                | Q(prompt_en__icontains=search)
                | Q(prompt_zh__icontains=search)
            )
        templates = templates.order_by(*SORTS.get(params.get("sort", ""), ["position", "name_en"]))
        total = templates.count()
        rows = templates[(page - 1) * limit : page * limit] if (page - 1) * limit < total else []
        absolute = absolute_for(request)
        return Response(
            {
                "success": True,
                "data": {
                    "templates": [template_view(t, absolute=absolute) for t in rows],
                    "total": total,
                    "page": page,
                    "limit": limit,
                    "hasMore": page * limit < total,
                },
            }
        )


class TemplateApi(EditorApiMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="api_template_retrieve",
        parameters=[
            OpenApiParameter(
                "template_id", str, OpenApiParameter.PATH, description="Its id or its slug."
            )
        ],
        responses=EditorTemplateAnswerSerializer,
    )
    def get(self, request, template_id: str):
        template = None
        if template_id.isdigit():
            template = _templates().filter(pk=int(template_id)).first()
        template = template or _templates().filter(slug=template_id).first()
        if template is None:
            raise NotFoundError("No such template.")
        body = template_view(template, absolute=absolute_for(request))
        return Response({"success": True, "data": {"template": body}})
