"""Document batches: generating one template for many cases as a background job with a progress bar."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from meridian.core.errors import DomainError, PermissionDeniedError
from meridian.documents import permissions
from meridian.documents.models import DocumentTemplate
from meridian.documents.services import DocumentError, document_generate
from meridian.documents.sources import sources
from meridian.jobs.models import JobRun
from meridian.jobs.services import JobFailed, job_progress, job_start

MAX_PROBLEMS_KEPT = 200


def document_batch_start(*, template_code: str, language: str, actor: Any) -> JobRun:
    """Start a job that generates ``template_code`` in ``language`` for every case its source's
    ``batch_cases(actor)`` lists. Returns the queued job (it runs after commit; show
    ``job.get_absolute_url()``).

    Raises ``PermissionDeniedError`` for users who may not run batches and ``DocumentError`` for an unknown or
    inactive template, a language it does not offer, or a case type without batches.
    """
    if not permissions.can_run_batches(actor):
        raise PermissionDeniedError(_("Only officers and administrators may run document batches."))
    template = DocumentTemplate.objects.filter(code=template_code, is_active=True).first()
    if template is None or template.source not in sources:
        raise DocumentError(_("There is no active document template %(code)s.") % {"code": template_code})
    if sources.get(template.source).batch_cases is None:
        raise DocumentError(_("Documents of this case type cannot be generated in batches."))
    if language not in template.output_languages():
        raise DocumentError(_("This template is not available in that language."))
    return job_start(
        kind="documents.batch",
        label=_("Generate “%(name)s” for many cases") % {"name": template.name},
        actor=actor,
        runner=generate_batch,
        params={"template_code": template_code, "language": language},
        result_template="documents/batch_result.html",
    )


def generate_batch(job: JobRun, *, template_code: str, language: str) -> dict[str, Any]:
    """Job runner: generate the template for each case of the batch; a case that cannot have the document
    (no longer allowed, its data does not fit the template) is skipped and reported, the others are kept."""
    template = DocumentTemplate.objects.filter(code=template_code, is_active=True).first()
    if template is None or template.source not in sources:
        raise JobFailed(_("There is no active document template %(code)s.") % {"code": template_code})
    source = sources.get(template.source)
    if source.batch_cases is None:
        raise JobFailed(_("Documents of this case type cannot be generated in batches."))
    cases = list(source.batch_cases(job.actor))
    total = len(cases)
    generated: list[str] = []
    problems: list[dict[str, str]] = []
    job_progress(job, done=0, total=total)
    for done, case in enumerate(cases, 1):
        try:
            document = document_generate(
                template_code=template_code, subject=case, actor=job.actor, language=language
            )
        except DomainError as exc:
            if len(problems) < MAX_PROBLEMS_KEPT:
                problems.append({"case": str(case), "reason": exc.message})
        else:
            generated.append(document.serial)
        job_progress(job, done=done, total=total)
    return {
        "total": total,
        "generated": len(generated),
        "serials": generated[:MAX_PROBLEMS_KEPT],
        "problems": problems,
    }


# Each document is generated and committed on its own: a batch of hundreds keeps the documents made before a
# failure, and never holds the database's write lock for the whole run.
generate_batch.job_atomic = False  # type: ignore[attr-defined]
