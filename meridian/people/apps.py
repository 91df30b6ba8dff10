from datetime import time

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "meridian.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from meridian.core.registry import ActivityRule, NavEntry, ScheduledJob, registry
        from meridian.people import permissions
        from meridian.people.models import Person

        # A person's activity is read by whoever may see the record (the person too: it is about them);
        # entries written internal only by those who see the record as staff, not as its subject.
        registry.activity_rules.add(
            ActivityRule(
                key="people",
                model=lambda: Person,
                visible_ids=lambda user: (
                    None
                    if permissions.person_visibility_filter(user) is None
                    else Person.objects.visible_to(user).values("pk")
                ),
                internal_ids=permissions.person_internal_ids,
                order=60,
            )
        )

        registry.nav.add(
            NavEntry(
                key="people",
                label=_("People"),
                url_name="people:list",
                visible=permissions.can_list_people,
                order=60,
                active_apps=("people",),
            )
        )
        registry.nav.add(
            NavEntry(
                key="people_me",
                label=_("My personal data"),
                url_name="people:me",
                visible=permissions.sees_only_own_record,
                order=61,
                active_apps=("people",),
            )
        )
        registry.nav.add(
            NavEntry(
                key="people_access_log",
                label=_("Access log"),
                url_name="people:access_log",
                visible=permissions.can_review_access_log,
                order=95,
            )
        )

        def purge_task():
            from meridian.people.tasks import purge_personal_data

            return purge_personal_data

        # Once a day at night; running it twice in a day changes nothing the second time.
        registry.scheduled_jobs.add(
            ScheduledJob(key="people.purge_personal_data", task=purge_task, at=time(3, 15))
        )
