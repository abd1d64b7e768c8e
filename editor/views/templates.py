"""``/api/templates``: the prompt-template library (``generation.selectors_templates``),
with its cover and example images, in the editor's shapes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import NotFoundError
from generation.api.serializers import absolute_for
from generation.selectors_templates import template_get, template_list

from ..access import EditorApiMixin
from ..presenters import template_view
from ..schema import LIMIT, PAGE, TEXT
from ..schema_library import EditorTemplateAnswerSerializer, EditorTemplatePageSerializer
from .history import _positive

# The editor's sort names: "downloads" is how often a template was used, like "popular".
SORTS = {"popular": "popular", "downloads": "popular", "latest": "latest"}


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
        templates = template_list(
            task_type=params.get("category") or "",
            search=(params.get("search") or "").strip(),
            order=SORTS.get(params.get("sort", ""), ""),
        )
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
        template = template_get(key=template_id)
        if template is None:
            raise NotFoundError("No such template.")
        body = template_view(template, absolute=absolute_for(request))
        return Response({"success": True, "data": {"template": body}})
