from django.urls import path

from . import views
from .api import ApiKeyDetailApi, ApiKeyListCreateApi
from .credits_api import CreditsApi
from .identity_api import IdentityLinkApi

app_name = "accounts"

api_urlpatterns = [
    path("api/v1/keys", ApiKeyListCreateApi.as_view(), name="api-keys"),
    path("api/v1/keys/<int:key_id>", ApiKeyDetailApi.as_view(), name="api-key"),
    path("api/v1/identities", IdentityLinkApi.as_view(), name="identities"),
    path("api/v1/credits", CreditsApi.as_view(), name="api-credits"),
]

urlpatterns = [
    path("settings/keys/", views.api_keys, name="api-keys"),
    path("settings/keys/<int:key_id>/revoke/", views.api_key_revoke_view, name="api-key-revoke"),
    path("credits/", views.credits_page, name="credits"),
]
