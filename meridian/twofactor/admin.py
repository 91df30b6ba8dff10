"""Django admin: passkeys, next to django-otp's own TOTP and recovery-code (static) device admins.

django-otp-webauthn ships an admin class but leaves registering it to the project. An administrator removes a
person's passkey here when the person has lost it (and every other device).
"""

from django.contrib import admin
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

admin.site.register(WebAuthnCredential, WebAuthnCredentialAdmin)
