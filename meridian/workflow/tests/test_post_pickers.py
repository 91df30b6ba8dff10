"""Unit posts and deputies are chosen with the people picker; a post needs a member of the university."""

from __future__ import annotations

import pytest

from meridian.workflow.forms import DeputyForm, UnitPostForm

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["student", "outsider"])
def test_a_post_is_refused_to_anyone_outside_the_university_staff(org, people, who):
    form = UnitPostForm({"unit": org.engineering.pk, "user": getattr(people, who).username, "post": "leader"})
    assert not form.is_valid()
    assert form.errors["user"] == ["Only an active member of staff can hold a post."]


@pytest.mark.parametrize("who", ["staff", "coordinator", "leadership"])
def test_staff_and_leadership_may_hold_a_post(org, people, who):
    form = UnitPostForm({"unit": org.engineering.pk, "user": getattr(people, who).username, "post": "leader"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["user"] == getattr(people, who)


def test_the_person_fields_search_staff_by_name_and_send_the_user_name(db):
    html = str(DeputyForm()["deputy"])
    assert 'data-search-url="/accounts/people/search/?key=username"' in html
    assert '<input type="text" name="deputy"' in html
    post = str(UnitPostForm()["user"])
    assert "key=username&amp;pool=internal" in post
