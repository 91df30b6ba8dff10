from django.urls import path

from meridian.portal.views import manage, public

app_name = "portal"

urlpatterns = [
    path("", public.home, name="home"),
    path("manage/", manage.article_list, name="manage_list"),
    path("manage/new/", manage.article_create_view, name="manage_create"),
    path("manage/<int:pk>/", manage.article_edit, name="manage_edit"),
    path("manage/<int:pk>/preview/", manage.article_preview, name="manage_preview"),
    path("manage/<int:pk>/publish/", manage.article_publish_view, name="manage_publish"),
    path("manage/<int:pk>/unpublish/", manage.article_unpublish_view, name="manage_unpublish"),
    path("manage/<int:pk>/attachments/", manage.attachment_add_view, name="manage_attachment_add"),
    path(
        "manage/<int:pk>/attachments/<int:attachment_pk>/delete/",
        manage.attachment_delete_view,
        name="manage_attachment_delete",
    ),
    path("news/", public.section, {"slug": "news"}, name="news"),
    path("<slug:slug>/", public.section, name="section"),
    path("<slug:section_slug>/<slug:slug>/", public.article, name="article"),
]
