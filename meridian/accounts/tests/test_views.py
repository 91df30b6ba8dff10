import re

import pytest
from django.core import mail
from django.urls import reverse

from conftest import PASSWORD


def test_login_page_renders_in_both_languages(client, people):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200


def test_login_and_logout(client, people):
    response = client.post(reverse("accounts:login"), {"username": "officer", "password": PASSWORD})
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated


def test_logout_refuses_get(client, people):
    client.force_login(people.officer)
    assert client.get(reverse("accounts:logout")).status_code == 405


def test_wrong_password_shows_error(client, people):
    response = client.post(reverse("accounts:login"), {"username": "officer", "password": "nope"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert b"errorlist" in response.content


def test_repeated_failures_lock_the_account_from_that_address(client, people, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "officer", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "officer", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content


def test_passwords_are_hashed_with_argon2_in_production():
    from meridian import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_password_change_requires_login_and_changes_password(client, people):
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 302
    client.force_login(people.staff)
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-better-secret-42",
            "new_password2": "a-much-better-secret-42",
        },
    )
    assert response.status_code == 302
    people.staff.refresh_from_db()
    assert people.staff.check_password("a-much-better-secret-42")


def test_password_change_rejects_weak_password(client, people):
    client.force_login(people.staff)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    people.staff.refresh_from_db()
    assert people.staff.check_password(PASSWORD)


def test_password_reset_by_email(client, people):
    response = client.post(reverse("accounts:password_reset"), {"email": "student@meridian.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "fresh-password-for-me", "new_password2": "fresh-password-for-me"},
    )
    assert response.status_code == 302
    people.student.refresh_from_db()
    assert people.student.check_password("fresh-password-for-me")


def test_password_reset_does_not_reveal_unknown_addresses(client, people):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("officer", 302),
        ("coordinator", 302),
        ("staff", 302),
        ("student", 302),
        ("leadership", 302),
    ],
)
def test_django_admin_is_for_administrators_only(client, people, role, status):
    client.force_login(getattr(people, role))
    assert client.get("/admin/").status_code == status
