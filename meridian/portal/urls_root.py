"""Addresses outside the language prefix: robots.txt, sitemap.xml and the portal's uploaded files."""

from django.urls import path

from meridian.portal.views import files, seo

app_name = "portal_root"

urlpatterns = [
    path("robots.txt", seo.robots_txt, name="robots"),
    path("sitemap.xml", seo.sitemap_xml, name="sitemap"),
    path("media/portal/cover/<int:pk>/<str:filename>", files.cover, name="cover"),
    path("media/portal/file/<int:pk>/<str:filename>", files.attachment, name="attachment"),
]
