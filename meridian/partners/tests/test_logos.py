"""Partner logos: checked by content, re-encoded without metadata, uploaded in the form, served publicly."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from meridian.partners import services
from meridian.partners.logos import LOGO_MAX_SIDE, logo_clean
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerFactory
from meridian.partners.tests.test_views import form_data


def picture(fmt: str = "PNG", size=(120, 60), exif: bool = False, trailer: bytes = b"") -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010E] = "secret description"  # ImageDescription
        data[0x013B] = "Photographer Name"  # Artist
        kwargs["exif"] = data.tobytes()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue() + trailer


def upload(data: bytes, name: str = "logo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def test_a_jpeg_becomes_a_png_without_its_metadata():
    cleaned = logo_clean(upload(picture("JPEG", exif=True), "photo.jpg"))
    data = cleaned.read()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"secret description" not in data and b"Photographer" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.size == (120, 60)
        assert not image.getexif()


def test_large_logos_are_scaled_down_and_trailing_data_is_dropped():
    cleaned = logo_clean(upload(picture(size=(2000, 1000), trailer=b"<script>alert(1)</script>")))
    data = cleaned.read()
    assert b"<script>" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (LOGO_MAX_SIDE, LOGO_MAX_SIDE // 2)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "PNG, JPEG or WebP"),
        (b"GIF89a" + b"\0" * 40, "PNG, JPEG or WebP"),
        (picture()[:60], "PNG, JPEG or WebP"),  # truncated
        (picture("GIF"), "PNG, JPEG or WebP"),  # a real picture of a format we do not take
        (picture(size=(8, 8)), "at least 16 pixels"),
    ],
)
def test_what_is_not_an_acceptable_picture_is_refused(data, message):
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        logo_clean(upload(data))


def test_too_large_files_and_too_many_pixels_are_refused(settings):
    big = SimpleUploadedFile("big.png", b"\0" * (2 * 1024 * 1024 + 1))
    with translation.override("en"), pytest.raises(ValidationError, match="at most 2 MB"):
        logo_clean(big)
    # A small file that claims a huge canvas (a decompression bomb) is refused before it is decoded.
    out = io.BytesIO()
    Image.new("1", (6000, 6000)).save(out, format="PNG")
    with translation.override("en"), pytest.raises(ValidationError, match="too many pixels"):
        logo_clean(upload(out.getvalue()))


def test_upload_in_the_partner_form_then_shown_and_served_on_the_public_page(people, login, germany, client):
    staff = login(people.officer)
    data = form_data(is_public="on", logo=upload(picture("JPEG", exif=True), "kit.jpg"))
    response = staff.post(reverse("partners:create"), data)
    assert response.status_code == 302
    partner = Partner.objects.get()
    assert partner.logo.name.startswith("partners/logos/") and partner.logo.name.endswith(".png")
    with translation.override("en"):
        page = client.get(reverse("directory:partner", args=[partner.pk])).content.decode()
    assert 'class="partner-logo"' in page and 'alt="Logo of Karlsruhe Institute of Technology"' in page
    with translation.override("en"):
        url = reverse("directory:partner_logo", args=[partner.pk, partner.logo.name.rsplit("/", 1)[-1]])
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    body = b"".join(served.streaming_content)
    assert body.startswith(b"\x89PNG") and b"Photographer" not in body
    # A wrong name, or a partner that is not public, gives nothing.
    with translation.override("en"):
        assert client.get(url.replace(".png", "x.png")).status_code == 404
    Partner.objects.filter(pk=partner.pk).update(is_public=False)
    assert client.get(url).status_code == 404


def test_a_bad_upload_keeps_the_form_and_saves_nothing(people, login, germany):
    response = login(people.officer).post(
        reverse("partners:create"), form_data(logo=upload(b"not a picture at all", "logo.png"))
    )
    assert response.status_code == 200
    assert "The logo must be a PNG, JPEG or WebP picture." in response.content.decode()
    assert not Partner.objects.exists()


def test_the_logo_can_be_replaced_and_removed(people, germany, org):
    partner = PartnerFactory(country=germany, owner_unit=org.computing)
    services.partner_logo_set(partner=partner, actor=people.admin, logo=logo_clean(upload(picture())))
    first = Partner.objects.get(pk=partner.pk).logo.name
    services.partner_logo_set(partner=partner, actor=people.admin, logo=logo_clean(upload(picture())))
    second = Partner.objects.get(pk=partner.pk).logo.name
    assert second != first
    services.partner_logo_set(partner=partner, actor=people.admin, logo=None)
    assert not Partner.objects.get(pk=partner.pk).logo


def test_only_those_who_may_edit_the_partner_set_its_logo(people, germany, org):
    from meridian.core.errors import PermissionDeniedError

    partner = PartnerFactory(country=germany, owner_unit=org.computing)
    with pytest.raises(PermissionDeniedError):
        services.partner_logo_set(partner=partner, actor=people.staff, logo=None)
