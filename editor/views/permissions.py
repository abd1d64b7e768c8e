"""``/api/user-permissions/{uid}``: the caller's real balance and AicePS's real prices.

A caller may ask about itself only (``uid`` must be one of its own identities: the id
AicePS's sign-in gave it, or its Supabase ``sub``); any other ``uid`` is 403.
``consume-credits`` charges nothing: AicePS charges when the task is created, at its own
price, whatever ``creditsToConsume`` says.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import acting_user
from accounts.identities import user_is_known_as
from accounts.selectors import credits_balance, credits_totals
from catalogue.providers.registry import (
    alternatives,
    capabilities_of,
    chain_capabilities,
    resolve_chain,
)
from catalogue.task_types import provider_can
from core.errors import DomainError
from core.json_bodies import BoundedJSONParser
from generation.models import TaskHistory
from generation.services import chain_price
from generation.services.workers import NoWorkerError, provider_served

from ..access import EditorApiMixin
from ..inputs import EditorCheckFeatureSerializer, EditorConsumeCreditsSerializer
from ..kinds import task_type_for
from ..schema import (
    EditorConsumeSerializer,
    EditorFeatureCheckSerializer,
    EditorPermissionsSerializer,
)

TaskType = TaskHistory.TaskType
# What the editor gates by "feature"; AicePS makes images only.
FEATURES = {
    "nano_banana": True,
    "sticker": True,
    "batch_processing": True,
    "professional_canvas": False,
    "veo3_video": False,
}
PLAN = {"planCode": "credits", "planName": "AicePS credits"}
UID = OpenApiParameter(
    "uid",
    str,
    OpenApiParameter.PATH,
    description="The caller's own user id (AicePS's, or its Supabase `sub`); any other: 403.",
)


class PermissionsApiMixin(EditorApiMixin):
    parser_classes = [BoundedJSONParser]

    def checked(self, serializer_class, request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def caller(self, request, uid: str):
        user = acting_user(request)
        if not (request.user and request.user.is_authenticated) or not user_is_known_as(
            user=user, subject=uid
        ):
            raise exceptions.PermissionDenied("You may only ask about your own account.")
        return user


def permissions_payload(user) -> dict:
    totals = credits_totals(user=user)
    return {
        "permissions": {
            **PLAN,
            "features": {**FEATURES, "templates": "all"},
            "monthlyQuota": 0,
            "creditsRemaining": totals["balance"],
            "isSubscribed": False,
            "subscriptionStatus": "none",
        },
        "subscription": None,
        "credits": {
            "total_credits": totals["received"],
            "used_credits": totals["spent"],
            "available_credits": totals["balance"],
        },
    }


def task_type_of(resource: dict) -> str:
    """The task the editor is about to start, from its ``resourceData``."""
    kind = resource.get("type")
    if isinstance(kind, str) and kind:
        # The editor's "edit" is always at a point (its retouch tool).
        return task_type_for(kind, hotspot=kind == "edit")
    return TaskType.TEXT_TO_IMAGE.value


class UserPermissionsApi(PermissionsApiMixin, APIView):
    @extend_schema(parameters=[UID], responses=EditorPermissionsSerializer)
    def get(self, request, uid: str):
        user = self.caller(request, uid)
        return Response({"success": True, "data": permissions_payload(user)})


class RefreshPermissionsApi(UserPermissionsApi):
    @extend_schema(parameters=[UID], request=None, responses=EditorPermissionsSerializer)
    def post(self, request, uid: str):
        return self.get(request, uid)


class CheckFeatureApi(PermissionsApiMixin, APIView):
    @extend_schema(
        parameters=[UID],
        request=EditorCheckFeatureSerializer,
        responses=EditorFeatureCheckSerializer,
    )
    def post(self, request, uid: str):
        user = self.caller(request, uid)
        data = self.checked(EditorCheckFeatureSerializer, request)
        feature = data["feature"]
        resource = data.get("resourceData") or {}
        balance = credits_balance(user=user)
        has_feature = FEATURES.get(feature, False)
        reason, chain = "", ()
        try:
            task_type = task_type_of(resource)
            chain = resolve_chain(None, kind="image_provider")
            served = [name for name in chain if provider_served(name)]
            if not served:
                reason = NoWorkerError().message
            chain = tuple(served) or chain
            available = bool(served) and provider_can(chain_capabilities(chain), task_type)
            able = [name for name in chain if provider_can(capabilities_of(name), task_type)]
            price = chain_price(task_type=task_type, image_providers=able or chain)
        except DomainError as exc:
            task_type, available, price, reason = "", False, 0, exc.message
        enough = balance >= price
        if not has_feature:
            reason = f"{feature} is not offered by AicePS."
        elif not available:
            able, _ = alternatives(task_type, exclude=chain)
            reason = reason or (
                f"This server's image model cannot do that: it needs {able}."
                if able
                else "This server's image model cannot do that."
            )
        elif not enough:
            reason = f"Insufficient credits: {price} required, {balance} available."
        can_use = has_feature and available and enough
        return Response(
            {
                "success": True,
                "data": {
                    "canUse": can_use,
                    "hasFeatureAccess": has_feature and available,
                    "hasEnoughCredits": enough,
                    "creditsRequired": price,
                    "creditsRemaining": balance,
                    "reason": reason,
                    "planCode": PLAN["planCode"],
                    "feature": feature,
                    "taskType": task_type,
                },
            }
        )


class ConsumeCreditsApi(PermissionsApiMixin, APIView):
    @extend_schema(
        parameters=[UID],
        request=EditorConsumeCreditsSerializer,
        responses=EditorConsumeSerializer,
    )
    def post(self, request, uid: str):
        user = self.caller(request, uid)
        claimed = self.checked(EditorConsumeCreditsSerializer, request).get("creditsToConsume")
        return Response(
            {
                "success": True,
                "data": {
                    "creditsConsumed": 0,
                    "creditsRemaining": credits_balance(user=user),
                    "charged": False,
                    "creditsRequested": claimed if isinstance(claimed, int) else None,
                    "message": "Nothing was charged here: AicePS charges each task when it is "
                    "created, at its own price.",
                },
            }
        )
