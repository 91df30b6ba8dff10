from django.urls import path

from meridian.partners import views

app_name = "partners"

urlpatterns = [
    path("", views.partner_list_view, name="list"),
    path("export/", views.partner_export, name="export"),
    path("new/", views.partner_create_view, name="create"),
    path("search/", views.partner_search_view, name="search"),
    path("registry-match/", views.partner_registry_match_view, name="registry_match"),
    path("<int:pk>/", views.partner_detail_view, name="detail"),
    path("<int:pk>/edit/", views.partner_edit_view, name="edit"),
    path("<int:pk>/merge/", views.partner_merge_view, name="merge"),
    path("<int:pk>/contacts/add/", views.contact_add, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_pk>/delete/", views.contact_delete, name="contact_delete"),
    path("<int:pk>/units/add/", views.unit_add, name="unit_add"),
    path("<int:pk>/units/<int:unit_pk>/edit/", views.unit_edit, name="unit_edit"),
    path("<int:pk>/units/<int:unit_pk>/delete/", views.unit_delete, name="unit_delete"),
]
