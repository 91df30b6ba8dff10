from django.urls import path

from meridian.workflow.views import cases, chains, inbox, rulepack

app_name = "workflow"
urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("start/", inbox.landing, name="landing"),
    path("office/", inbox.office, name="office"),
    path("notifications/", inbox.notifications, name="notifications"),
    path("notifications/mark/", inbox.notifications_mark, name="notifications_mark"),
    path("preferences/", inbox.preferences, name="preferences"),
    path("deputies/<int:pk>/delete/", inbox.deputy_delete, name="deputy_delete"),
    path("case/<slug:code>/<int:pk>/move/<slug:move>/", cases.case_move_view, name="move"),
    path("case/<slug:code>/<int:pk>/watch/", cases.watch_view, name="watch"),
    path("step/<int:pk>/<slug:action>/", cases.step_action_view, name="step_action"),
    path("file/<int:pk>/", cases.log_file_view, name="log_file"),
    path("chains/", chains.chain_list, name="chains"),
    path("chains/new/", chains.chain_edit, name="chain_create"),
    path("chains/<int:pk>/", chains.chain_detail, name="chain_detail"),
    path("chains/<int:pk>/edit/", chains.chain_edit, name="chain_edit"),
    path("chains/<int:pk>/active/", chains.chain_toggle, name="chain_toggle"),
    path("organisation/", chains.organisation, name="organisation"),
    path("rules/<slug:context>/", rulepack.rulepack_edit, name="rulepack"),
]
