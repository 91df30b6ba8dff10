import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from meridian.agreements.tests.factories import AgreementFactory
from meridian.core.registry import PartnerPanel, registry
from meridian.partners import services
from meridian.partners.models import Partner
from meridian.partners.tests.factories import PartnerContactFactory, PartnerFactory


@pytest.fixture
def heidelberg(germany, org):
    return services.partner_create(
        actor=None, name="Universität Heidelberg", name_en="Heidelberg University", country=germany,
        ror_id="038t36y30", website="https://www.uni-heidelberg.de", owner_unit=org.computing,
        notes="Rector prefers e-mail", tags=["Excellence"],
    )  # fmt: skip


def form_data(**overrides):
    data = dict.fromkeys(
        ["name_zh", "province", "latitude", "longitude", "ror_id", "erasmus_code", "pic", "schac_code",
         "other_identifiers", "parent", "cooperating_since", "owner_unit", "notes", "registry_institution",
         "version"],
        "",
    )  # fmt: skip
    data |= {
        "name": "Karlsruher Institut für Technologie", "name_en": "Karlsruhe Institute of Technology",
        "acronym": "KIT", "kind": "university", "country": "DE", "city": "Karlsruhe",
        "website": "https://www.kit.edu", "status": "prospect", "tags": "Engineering, Europe",
    }  # fmt: skip
    data.update(overrides)
    return data


def nav_queries(user) -> int:
    """Queries the navigation costs for `user` (each entry's visibility and count), read after a warm-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meridian.core.templatetags.meridian import nav_items

    nav_items(user)
    with CaptureQueriesContext(connection) as ctx:
        nav_items(user)
    return len(ctx.captured_queries)


class TestList:
    def test_lists_filters_counts_and_links(self, people, login, heidelberg, japan):
        PartnerFactory(name="東京大学", name_en="University of Tokyo", country=japan)
        response = login(people.officer).get(reverse("partners:list"), {"country": "DE"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Heidelberg University" in html and "University of Tokyo" not in html
        assert "1 partner" in html and "(of 2)" in html
        assert f"{reverse('partners:export')}?country=DE&amp;format=csv" in html
        assert "?country=DE&amp;ordering=name" in html  # sortable header keeps the filters
        assert 'id="partner-form"' not in html

    def test_htmx_request_gets_only_the_results(self, people, login, heidelberg):
        response = login(people.officer).get(
            reverse("partners:list"),
            {"q": "heidel"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="partner-results",
        )
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="partner-results"')
        assert "Heidelberg University" in html and "<html" not in html

    def test_pagination(self, people, login, germany):
        PartnerFactory.create_batch(27, country=germany)
        client = login(people.officer)
        first = client.get(reverse("partners:list")).content.decode()
        assert "Page 1 of 2" in first and "27 partners" in first
        second = client.get(reverse("partners:list"), {"page": 2}).content.decode()
        assert second.count('href="/partners/') - second.count('href="/partners/new/') >= 2

    def test_query_count_does_not_grow_with_rows(
        self, people, login, org, germany, django_assert_max_num_queries
    ):
        client = login(people.officer)

        def queries_for_page() -> int:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse("partners:list")).status_code == 200
            return len(ctx.captured_queries)

        for partner in PartnerFactory.create_batch(3, country=germany):
            AgreementFactory(responsible_unit=org.computing, partners=[partner], state="active")
        few = queries_for_page()
        for partner in PartnerFactory.create_batch(27, country=germany):
            AgreementFactory(responsible_unit=org.computing, partners=[partner], state="active")
        assert queries_for_page() == few
        # Navigation entries of other contexts may read a count each (open tasks, overdue deadlines).
        with django_assert_max_num_queries(12 + nav_queries(people.officer)):
            client.get(reverse("partners:list"), {"channel": "research", "active": "yes", "q": "x"})

    def test_anonymous_is_sent_to_login(self, client, db):
        response = client.get(reverse("partners:list"))
        assert response.status_code == 302 and "login" in response["Location"]


class TestExport:
    def test_csv_follows_the_filters_and_neutralises_formulas(self, people, login, heidelberg, germany):
        PartnerFactory(name='=HYPERLINK("http://evil.example")', name_en="+cmd", country=germany, city="Bonn")
        PartnerFactory(name="Elsewhere", country=germany, city="Köln")
        response = login(people.staff).get(reverse("partners:export"), {"q": "bonn", "format": "csv"})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["ID", "Official name", "English name"]
        assert len(rows) == 2
        assert rows[1][1] == '\'=HYPERLINK("http://evil.example")' and rows[1][2] == "'+cmd"

    def test_xlsx(self, people, login, heidelberg, germany):
        PartnerFactory(name="@SUM(1,2)", country=germany)
        response = login(people.officer).get(
            reverse("partners:export"), {"format": "xlsx", "ordering": "name"}
        )
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        assert values[0][1] == "Official name"
        assert [row[1] for row in values[1:]] == ["'@SUM(1,2)", "Universität Heidelberg"]
        assert values[2][11] == "038t36y30"


class TestDetail:
    def test_officer_sees_the_360_view(self, people, login, org, heidelberg):
        PartnerContactFactory(partner=heidelberg, name="Dr. Weber", email="weber@uni-heidelberg.de")
        agreement = AgreementFactory(responsible_unit=org.computing, partners=[heidelberg], state="active")
        html = login(people.officer).get(reverse("partners:detail", args=[heidelberg.pk])).content.decode()
        assert "Dr. Weber" in html and "Rector prefers e-mail" in html
        assert agreement.number in html and "badge state-active" in html
        assert f"{reverse('agreements:create')}?partner={heidelberg.pk}" in html
        assert reverse("partners:edit", args=[heidelberg.pk]) in html
        assert reverse("partners:merge", args=[heidelberg.pk]) in html
        assert "Created partner Heidelberg University" in html  # activity, by the name shown
        assert 'id="history"' in html and "https://ror.org/038t36y30" in html

    def test_student_sees_public_profile_without_internal_information(self, people, login, heidelberg):
        Partner.objects.filter(pk=heidelberg.pk).update(is_public=True)
        PartnerContactFactory(partner=heidelberg, name="Dr. Weber")
        response = login(people.student).get(reverse("partners:detail", args=[heidelberg.pk]))
        html = response.content.decode()
        assert response.status_code == 200 and "Heidelberg University" in html
        for secret in (
            "Dr. Weber",
            "Rector prefers e-mail",
            'id="history"',
            'id="activity"',
            "New agreement",
        ):
            assert secret not in html
        assert reverse("partners:edit", args=[heidelberg.pk]) not in html

    def test_staff_sees_no_edit_buttons(self, people, login, heidelberg):
        html = login(people.staff).get(reverse("partners:detail", args=[heidelberg.pk])).content.decode()
        assert reverse("partners:edit", args=[heidelberg.pk]) not in html
        assert reverse("partners:merge", args=[heidelberg.pk]) not in html

    def test_invisible_partner_is_404(self, people, login, heidelberg):
        assert login(people.student).get(reverse("partners:detail", args=[heidelberg.pk])).status_code == 404
        assert login(people.officer).get(reverse("partners:detail", args=[99999])).status_code == 404


def section_ids(html: str) -> list[str]:
    return re.findall(r'<section class="card" id="([a-z_-]+)"', html)


class TestPanels:
    """The 360° page is assembled from the panels each context registers, in registry order."""

    def test_officer_gets_every_panel_in_order(self, people, login, heidelberg):
        html = login(people.officer).get(reverse("partners:detail", args=[heidelberg.pk])).content.decode()
        assert section_ids(html) == [
            "profile",
            "contacts",
            "units",
            "agreements",
            "trips",
            "visits",
            "mobility",
            "activity",
            "history",
        ]

    @pytest.mark.parametrize(
        ("role", "expected"),
        [
            ("staff", ["profile", "contacts", "units", "agreements", "activity", "history"]),
            ("student", ["profile", "units"]),
        ],
    )
    def test_panels_a_role_may_not_see_are_left_out(self, people, login, heidelberg, role, expected):
        Partner.objects.filter(pk=heidelberg.pk).update(is_public=True)
        html = (
            login(getattr(people, role))
            .get(reverse("partners:detail", args=[heidelberg.pk]))
            .content.decode()
        )
        assert section_ids(html) == expected

    def test_a_registered_panel_is_rendered_with_its_context_for_those_it_is_visible_to(
        self, people, login, heidelberg, tmp_path, settings
    ):
        (tmp_path / "example_panel.html").write_text(
            '<section class="card" id="example"><h2>Example</h2>'
            "<p>{{ count }} examples of {{ partner.name }}</p></section>"
        )
        settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
        registry.partner_panels.add(
            PartnerPanel(
                key="example",
                title="Example",
                template="example_panel.html",
                context=lambda partner, user: {"count": 4},
                visible=lambda partner, user: user.username == "officer",
                order=50,
            )
        )
        try:
            html = (
                login(people.officer).get(reverse("partners:detail", args=[heidelberg.pk])).content.decode()
            )
            assert "4 examples of Universität Heidelberg" in html
            assert section_ids(html).index("example") == 3  # after the narrow partners panels
            other = login(people.staff).get(reverse("partners:detail", args=[heidelberg.pk])).content.decode()
            assert 'id="example"' not in other
        finally:
            registry.partner_panels.remove("example")

    def test_actions_other_contexts_register_show_to_those_allowed(self, people, login, heidelberg):
        create = f"{reverse('agreements:create')}?partner={heidelberg.pk}"
        url = reverse("partners:detail", args=[heidelberg.pk])
        assert create in login(people.coordinator).get(url).content.decode()
        assert create not in login(people.staff).get(url).content.decode()


class TestCreate:
    def test_form_has_the_registry_lookup(self, people, login, db):
        html = login(people.officer).get(reverse("partners:create")).content.decode()
        assert 'id="partner-form"' in html
        assert f'hx-get="{reverse("reference:lookup")}?target=partner-form"' in html

    def test_prefilled_from_a_registry_institution(self, people, login, germany):
        from meridian.reference.models import Institution

        institution = Institution.objects.create(
            name="Karlsruher Institut für Technologie", country=germany, city="Karlsruhe",
            website="https://www.kit.edu", ror_id="04t3en479",
        )  # fmt: skip
        html = (
            login(people.officer)
            .get(reverse("partners:create"), {"institution": institution.pk})
            .content.decode()
        )
        assert 'value="Karlsruher Institut für Technologie"' in html
        assert 'value="04t3en479"' in html and 'value="Karlsruhe"' in html
        assert '<option value="DE" selected>' in html
        assert f'name="registry_institution" value="{institution.pk}"' in html

    def test_create_by_hand(self, people, login, germany):
        response = login(people.officer).post(reverse("partners:create"), form_data())
        partner = Partner.objects.get()
        assert response.status_code == 302 and response["Location"] == partner.get_absolute_url()
        assert partner.website_domain == "kit.edu" and partner.created_by == people.officer
        assert sorted(partner.tags.values_list("name", flat=True)) == ["Engineering", "Europe"]

    def test_coordinator_creates_for_their_unit(self, people, login, org, germany):
        client = login(people.coordinator)
        assert (
            f'<option value="{org.engineering.pk}" selected>'
            in client.get(reverse("partners:create")).content.decode()
        )
        client.post(reverse("partners:create"), form_data(owner_unit=org.engineering.pk))
        assert Partner.objects.get().owner_unit == org.engineering
        html = client.post(
            reverse("partners:create"), form_data(owner_unit=org.humanities.pk)
        ).content.decode()
        assert "Select a valid choice" in html and Partner.objects.count() == 1

    def test_duplicate_shows_the_form_again_with_a_link(self, people, login, heidelberg):
        response = login(people.officer).post(
            reverse("partners:create"), form_data(website="http://uni-heidelberg.de/en/")
        )
        html = response.content.decode()
        assert response.status_code == 200 and 'id="duplicate-warning"' in html
        assert f'href="{heidelberg.get_absolute_url()}"' in html
        assert 'value="Karlsruher Institut für Technologie"' in html
        assert Partner.objects.count() == 1

    def test_inline_validation_messages(self, people, login, germany):
        html = (
            login(people.officer)
            .post(reverse("partners:create"), form_data(name="", pic="123", latitude="95"))
            .content.decode()
        )
        assert "This field is required." in html
        assert not Partner.objects.exists()
        html = login(people.officer).post(reverse("partners:create"), form_data(pic="123")).content.decode()
        assert 'id="field-pic"' in html and "A PIC has nine digits." in html

    def test_refused_for_staff(self, people, login, db):
        assert login(people.staff).get(reverse("partners:create")).status_code == 403


class TestEdit:
    def test_edit_saves_with_the_version(self, people, login, heidelberg):
        client = login(people.coordinator)
        html = client.get(reverse("partners:edit", args=[heidelberg.pk])).content.decode()
        assert 'name="version" value="1"' in html
        data = form_data(name=heidelberg.name, website=heidelberg.website, ror_id="https://ror.org/038t36y30",
                         owner_unit=heidelberg.owner_unit_id, city="Mannheim", version="1")  # fmt: skip
        response = client.post(reverse("partners:edit", args=[heidelberg.pk]), data)
        assert response.status_code == 302
        heidelberg.refresh_from_db()
        assert (heidelberg.city, heidelberg.version, heidelberg.ror_id) == ("Mannheim", 2, "038t36y30")

    def test_stale_edit_keeps_the_users_values_and_lists_changes(self, people, login, heidelberg):
        services.partner_update(partner=heidelberg, actor=people.admin, expected_version=1, acronym="UHD")
        data = form_data(
            name=heidelberg.name, city="Mannheim", version="1", owner_unit=heidelberg.owner_unit_id
        )
        response = login(people.officer).post(reverse("partners:edit", args=[heidelberg.pk]), data)
        html = response.content.decode()
        assert response.status_code == 200 and 'class="stale-edit"' in html
        assert "Acronym" in html and "UHD" in html
        assert 'value="Mannheim"' in html and 'name="version" value="2"' in html
        heidelberg.refresh_from_db()
        assert (heidelberg.city, heidelberg.acronym) == ("", "UHD")

    def test_other_coordinator_is_refused_and_student_gets_404(self, people, login, heidelberg):
        assert (
            login(people.other_coordinator).get(reverse("partners:edit", args=[heidelberg.pk])).status_code
            == 403
        )
        assert login(people.student).get(reverse("partners:edit", args=[heidelberg.pk])).status_code == 404


class TestMerge:
    def test_officer_searches_compares_and_merges(self, people, login, heidelberg, germany):
        duplicate = PartnerFactory(name="Heidelberg Univ", name_en="", country=germany, pic="999976190")
        client = login(people.officer)
        url = reverse("partners:merge", args=[heidelberg.pk])
        found = client.get(url, {"q": "heidelberg univ"}).content.decode()
        assert f"?duplicate={duplicate.pk}" in found
        compared = client.get(url, {"duplicate": duplicate.pk}).content.decode()
        assert 'id="comparison"' in compared and "999976190" in compared
        response = client.post(url, {"duplicate": duplicate.pk})
        assert response.status_code == 302
        assert not Partner.objects.filter(pk=duplicate.pk).exists()
        heidelberg.refresh_from_db()
        assert heidelberg.pic == "999976190"

    def test_cannot_merge_into_itself(self, people, login, heidelberg):
        response = login(people.officer).post(
            reverse("partners:merge", args=[heidelberg.pk]), {"duplicate": heidelberg.pk}
        )
        assert response.status_code == 200 and "cannot be merged into itself" in response.content.decode()

    def test_coordinator_may_not_merge(self, people, login, heidelberg, germany):
        duplicate = PartnerFactory(country=germany)
        url = reverse("partners:merge", args=[heidelberg.pk])
        assert login(people.coordinator).post(url, {"duplicate": duplicate.pk}).status_code == 403
        assert Partner.objects.filter(pk=duplicate.pk).exists()


class TestContactsAndUnits:
    def test_add_edit_and_remove_a_contact(self, people, login, heidelberg):
        client = login(people.coordinator)
        response = client.post(
            reverse("partners:contact_add", args=[heidelberg.pk]),
            {"name": "Anna Weber", "email": "anna@uni-heidelberg.de", "preferred_language": "de"},
        )
        assert response.status_code == 302
        contact = heidelberg.contacts.get()
        bad = client.post(
            reverse("partners:contact_edit", args=[heidelberg.pk, contact.pk]),
            {"name": "Anna Weber", "email": "nope", "preferred_language": "de"},
        )
        assert "Enter a valid email address." in bad.content.decode()
        client.post(reverse("partners:contact_delete", args=[heidelberg.pk, contact.pk]))
        assert not heidelberg.contacts.exists()

    def test_add_and_remove_a_unit(self, people, login, heidelberg):
        client = login(people.officer)
        client.post(
            reverse("partners:unit_add", args=[heidelberg.pk]),
            {"name_en": "Faculty of Law", "kind": "faculty"},
        )
        unit = heidelberg.units.get()
        assert (
            "Faculty of Law" in client.get(reverse("partners:detail", args=[heidelberg.pk])).content.decode()
        )
        assert client.get(reverse("partners:unit_delete", args=[heidelberg.pk, unit.pk])).status_code == 200
        client.post(reverse("partners:unit_delete", args=[heidelberg.pk, unit.pk]))
        assert not heidelberg.units.exists()

    def test_staff_may_not_add_contacts(self, people, login, heidelberg):
        assert (
            login(people.staff).get(reverse("partners:contact_add", args=[heidelberg.pk])).status_code == 403
        )
