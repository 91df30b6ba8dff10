from django.urls import path

from meridian.twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("app/add/", views.TOTPAddView.as_view(), name="totp_add"),
    path("passkey/added/", views.PasskeyAddedView.as_view(), name="passkey_added"),
    path("recovery-codes/", views.RecoveryCodesView.as_view(), name="recovery_codes"),
    path("<slug:kind>/<int:pk>/remove/", views.DeviceRemoveView.as_view(), name="device_remove"),
]
