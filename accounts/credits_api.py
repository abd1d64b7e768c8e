"""The credits API: ``GET /api/v1/credits``, the caller's balance and latest ledger rows."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .access import ApiViewMixin, acting_user
from .models import CreditTransaction
from .selectors import credits_balance, credits_ledger


class LedgerEntrySerializer(serializers.ModelSerializer):
    task_id = serializers.UUIDField(allow_null=True)

    class Meta:
        model = CreditTransaction
        fields = ["id", "kind", "amount", "balance_after", "task_id", "note", "created_at"]


class CreditsApi(ApiViewMixin, APIView):  # type: ignore[misc]  # the stubs type the mixin apart
    class OutputSerializer(serializers.Serializer):
        balance = serializers.IntegerField()
        ledger = LedgerEntrySerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        user = acting_user(request)
        ledger = credits_ledger(user=user)[:50]
        return Response(
            {
                "balance": credits_balance(user=user),
                "ledger": LedgerEntrySerializer(ledger, many=True).data,
            }
        )
