from django.urls import path

from .views import LogoutView, RecoverView, SettingsView, SignupView, TokenView, UserView

gotrue_urlpatterns = [
    path("auth/v1/token", TokenView.as_view(), name="gotrue-token"),
    path("auth/v1/user", UserView.as_view(), name="gotrue-user"),
    path("auth/v1/signup", SignupView.as_view(), name="gotrue-signup"),
    path("auth/v1/logout", LogoutView.as_view(), name="gotrue-logout"),
    path("auth/v1/recover", RecoverView.as_view(), name="gotrue-recover"),
    path("auth/v1/settings", SettingsView.as_view(), name="gotrue-settings"),
]
