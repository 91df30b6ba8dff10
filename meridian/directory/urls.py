from django.urls import path

from meridian.directory.views import embed, pages

app_name = "directory"

urlpatterns = [
    path("", pages.directory_list, name="list"),
    path("<int:pk>/", pages.partner_detail, name="partner"),
    path("map.svg", pages.world_map, name="map"),
    path("<int:pk>/logo/<str:filename>", pages.partner_logo, name="partner_logo"),
    path("embed/", embed.embed, name="embed"),
    path("embed/snippet/", embed.snippet, name="snippet"),
]
