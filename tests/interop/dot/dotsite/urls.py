from django.contrib.auth import views as auth_views
from django.urls import include, path
from oauth2_provider import urls as oauth2_urls

urlpatterns = [
    # The issuer is http://HOST:PORT/o: authorize/, token/, introspect/, revoke_token/,
    # userinfo/, .well-known/openid-configuration, .well-known/jwks.json.
    path("o/", include("oauth2_provider.urls")),
    # RFC 8414 at the root, the issuer's path after the well-known name:
    # /.well-known/oauth-authorization-server/o (the only document naming the
    # introspection and revocation endpoints).
    path("", include((oauth2_urls.metadata_urlpatterns, "metadata"))),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
