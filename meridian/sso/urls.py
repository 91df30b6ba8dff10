"""Single sign-on addresses, present only for the providers configured when the URLs load."""

from django.urls import URLPattern, path

from meridian.sso import views
from meridian.sso.conf import cas_enabled, oidc_enabled

app_name = "sso"

urlpatterns: list[URLPattern] = []
if cas_enabled():
    urlpatterns += [
        path("cas/login/", views.CasLoginView.as_view(), name="cas_login"),
        path("cas/logout/", views.CasLogoutView.as_view(), name="cas_logout"),
    ]
if oidc_enabled():
    urlpatterns += [
        path("oidc/login/", views.OidcLoginView.as_view(), name="oidc_login"),
        path("oidc/callback/", views.OidcCallbackView.as_view(), name="oidc_callback"),
        path("oidc/logout/", views.OidcLogoutView.as_view(), name="oidc_logout"),
    ]
