"""Views of the visitors context; each area keeps its views and its ``urlpatterns`` in a module here."""
