"""``POST /api/v1/identities``: the explicit step that links a Supabase identity to the
signed-in account (a token of that identity whose email is verified and the account's own).

Until it is linked, a Supabase token whose email is an existing account's is refused
(``accounts.identities``); after, it signs in to that account. Signed in by a session or the
account's token, never by an API key.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .api import refuse_api_keys
from .authentication import claimed_email, verify_supabase_token
from .identities import IdentityLinkRefused, Provider, identity_link
from .throttling import UserRateThrottle


class IdentityLinkInputSerializer(serializers.Serializer):
    access_token = serializers.CharField(
        max_length=20_000, help_text="An access token of the Supabase identity to link."
    )


class IdentityOutputSerializer(serializers.Serializer):
    provider = serializers.CharField()
    id = serializers.CharField(help_text="The identity's subject (the token's sub).")
    linked_at = serializers.DateTimeField()


class IdentityLinkApi(APIView):
    throttle_classes = [UserRateThrottle]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_api_keys(request)

    @extend_schema(
        operation_id="identities_link",
        request=IdentityLinkInputSerializer,
        responses={200: IdentityOutputSerializer, 201: IdentityOutputSerializer},
        summary="Link a Supabase identity (verified email, the account's own) to this account",
    )
    def post(self, request):
        serializer = IdentityLinkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            claims = verify_supabase_token(serializer.validated_data["access_token"])
        except exceptions.AuthenticationFailed as exc:
            # The caller is signed in; it is the token in the body that is bad.
            raise IdentityLinkRefused(str(exc.detail), code="invalid_identity_token") from None
        email, verified = claimed_email(claims)
        identity, created = identity_link(
            user=request.user,
            provider=Provider.SUPABASE,
            subject=str(claims["sub"]),
            email=email,
            email_verified=verified,
        )
        body = {
            "provider": identity.provider,
            "id": identity.subject,
            "linked_at": identity.created_at,
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
