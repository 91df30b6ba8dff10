"""Small helpers of the storage tests."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meridian.agreements.tests.conftest import pdf_bytes

MESSAGE = "the document storage is not available"


def upload(client, agreement, content: bytes | None = None, name: str = "signed.pdf"):
    """POST a signed copy to the agreement's upload view, as the client's user."""
    return client.post(
        reverse("agreements:document_upload", args=[agreement.pk]),
        {"kind": "signed", "file": SimpleUploadedFile(name, content or pdf_bytes())},
    )


def download(client, document):
    return client.get(reverse("agreements:document_download", args=[document.agreement_id, document.pk]))
