"""The reference admin pages open for administrators and offer no add or delete."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meridian.reference.models import Institution


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize("model", ["country", "iscedfield", "eqflevel", "institution", "registryimport"])
def test_admin_lists_render_read_mostly(client, people, model):
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    response = client.get(reverse(f"admin:reference_{model}_changelist"))
    assert response.status_code == 200
    assert reverse(f"admin:reference_{model}_add") not in response.content.decode()
    if model == "institution":
        detail = client.get(
            reverse("admin:reference_institution_change", args=[Institution.objects.first().pk])
        )
        assert detail.status_code == 200
