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
from catalogue.task_types import TaskType
from core.errors import DomainError
from core.json_bodies import BoundedJSONParser
from generation.selectors_offers import TaskOffer, task_offer

from ..access import EditorApiMixin
from ..inputs import EditorCheckFeatureSerializer, EditorConsumeCreditsSerializer
from ..kinds import task_type_for
from ..schema import (
    EditorConsumeSerializer,
    EditorFeatureCheckSerializer,
    EditorPermissionsSerializer,
)

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
        try:
            task_type = task_type_of(resource)
        except DomainError as exc:
            task_type, offer = "", TaskOffer(available=False, price=0, reason=exc.message)
        else:
            offer = task_offer(task_type=task_type)
        available, price = offer.available, offer.price
        enough = balance >= price
        if not has_feature:
            reason = f"{feature} is not offered by AicePS."
        elif not available:
            reason = offer.reason
        elif not enough:
            reason = f"Insufficient credits: {price} required, {balance} available."
        else:
            reason = ""
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
