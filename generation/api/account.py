"""A user's data: export it (``GET /api/v1/account/export``, a ZIP; ``?files=0`` without the
images) or delete all of it (``DELETE /api/v1/account/data``). Both need a session or the
account's token: an API key, which may be handed to other software, cannot."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import ApiViewMixin, acting_user
from accounts.api import refuse_api_keys
from accounts.selectors import credits_balance
from core.http import file_response
from generation.services import user_content_delete
from generation.services.export import user_export


class AccountDeletedSerializer(serializers.Serializer):
    tasks_deleted = serializers.IntegerField()
    cancelled = serializers.IntegerField(help_text="Pending tasks cancelled first (refunded).")
    failed = serializers.IntegerField(help_text="Running tasks failed first (refunded).")
    files = serializers.IntegerField(help_text="Files removed from storage.")
    credits_remaining = serializers.IntegerField()


class ExportOptionsSerializer(serializers.Serializer):
    files = serializers.BooleanField(default=True, help_text="Include the images.")


class AccountDataApi(ApiViewMixin, APIView):
    @extend_schema(
        summary="Delete every task, prompt, photo and result you own (balance and ledger stay)",
        request=None,
        responses={200: AccountDeletedSerializer},
    )
    def delete(self, request):
        refuse_api_keys(request)
        user = acting_user(request)
        done = user_content_delete(user=user)
        return Response({**done, "credits_remaining": credits_balance(user=user)})


class AccountExportApi(ApiViewMixin, APIView):
    @extend_schema(
        summary="Download your tasks, files and ledger (ZIP)",
        parameters=[ExportOptionsSerializer],
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        refuse_api_keys(request)
        options = ExportOptionsSerializer(data=request.query_params.dict())
        options.is_valid(raise_exception=True)
        user = acting_user(request)
        with_files = options.validated_data["files"]
        handle = user_export(user=user, with_files=with_files)
        name = f"aiceps-export-{user.get_username()}-{timezone.now():%Y%m%d-%H%M%S}.zip"
        response = file_response(request, handle, as_attachment=True, filename=name)
        response["Content-Type"] = "application/zip"
        response["Cache-Control"] = "no-store"
        return response
