"""Encryption at rest of sensitive personal information (PIPL art. 28 and 51): identity numbers and scans.

Keys come from ``settings.PERSONAL_DATA_KEYS``, a list of secrets, newest first. Each secret is stretched
into a Fernet key (AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package) with HKDF-SHA256, so any
long random string is a valid key. New data is always encrypted with the first key; data written with any
key of the list can be read, which is how a key is rotated: put the new key first, run
``meridian rotate-personal-data-key``, then drop the old key.

``django-fernet-encrypted-fields`` derives its keys from ``SECRET_KEY`` and quietly returns the ciphertext
when no key fits; personal data needs its own key set and a loud failure, hence this small module.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models

_INFO = b"meridian.people.personal-data"


class PersonalDataKeyError(ImproperlyConfigured):
    """No configured key decrypts stored personal data (a key was lost or removed too early)."""


def _fernet_key(secret: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode("utf-8"))
    return base64.urlsafe_b64encode(derived)


@lru_cache(maxsize=8)
def _ring(secrets: tuple[str, ...]) -> MultiFernet:
    if not secrets:
        raise ImproperlyConfigured("PERSONAL_DATA_KEYS is empty: personal data cannot be encrypted.")
    return MultiFernet([Fernet(_fernet_key(secret)) for secret in secrets])


def key_ring() -> MultiFernet:
    """The keys of ``settings.PERSONAL_DATA_KEYS`` (newest first) as one MultiFernet."""
    return _ring(tuple(settings.PERSONAL_DATA_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    """Encrypt with the newest key; the result is a URL-safe Fernet token (bytes)."""
    return key_ring().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    """Decrypt a token written with any configured key; raises PersonalDataKeyError when none fits."""
    try:
        return key_ring().decrypt(token)
    except InvalidToken as exc:
        raise PersonalDataKeyError(
            "None of the keys in PERSONAL_DATA_KEYS decrypts stored personal data. Restore the key it was "
            "written with (keys are kept newest first; remove an old key only after rotating)."
        ) from exc


def rotate_bytes(token: bytes) -> bytes:
    """Re-encrypt a token with the newest key, keeping its original timestamp."""
    try:
        return key_ring().rotate(token)
    except InvalidToken as exc:
        raise PersonalDataKeyError("None of the keys in PERSONAL_DATA_KEYS decrypts this token.") from exc


def encrypt_text(value: str) -> str:
    return encrypt_bytes(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    return decrypt_bytes(token.encode("ascii")).decode("utf-8")


class EncryptedTextField(models.TextField):
    """A text column that holds only a Fernet token; Python code sees the plaintext.

    Encryption is randomised, so the column cannot be searched or compared in SQL: only ``isnull`` works
    as a lookup, and every other lookup raises ``FieldError`` instead of silently matching nothing.
    """

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(f"{self.name} is encrypted and cannot be searched with '{lookup_name}'.")
        return super().get_lookup(lookup_name)


def mask_number(value: str) -> str:
    """A document number for lists: first three and last two characters ("E12*****89").

    Five stars whatever the length, so the mask does not reveal it; numbers of seven characters or fewer
    keep only their first and last character, and four or fewer are hidden entirely.
    """
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) <= 4:
        return "*" * 5
    if len(value) <= 7:
        return f"{value[0]}*****{value[-1]}"
    return f"{value[:3]}*****{value[-2:]}"
