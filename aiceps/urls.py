from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.gotrue.urls import gotrue_urlpatterns
from accounts.password_reset import HonestPasswordResetView
from accounts.urls import api_urlpatterns as key_api_urlpatterns
from editor.spa import spa_urlpatterns
from editor.urls import editor_urlpatterns
from generation.api.urls import api_urlpatterns
from generation.views.files import serve_task_file
from webhooks.urls import api_urlpatterns as webhook_api_urlpatterns

urlpatterns = [
    path("", include("operations.urls")),
    path("admin/", admin.site.urls),
    path("accounts/password_reset/", HonestPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("files/<path:key>", serve_task_file, name="task-file"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    *key_api_urlpatterns,
    *webhook_api_urlpatterns,
    *api_urlpatterns,
    *editor_urlpatterns,
    *gotrue_urlpatterns,
    path("", include("accounts.urls")),
    path("", include("webhooks.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("generation.urls")),
    *spa_urlpatterns(),  # last: mounted at "/" it takes only what nothing else answers
]

handler404 = "operations.errors.page_not_found"
handler500 = "operations.errors.server_error"
