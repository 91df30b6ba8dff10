"""``{% case_documents subject as docs %}``: what the generated-documents panel of a case page shows."""

from typing import Any

from django import template

from meridian.documents.selectors import CaseDocuments
from meridian.documents.selectors import case_documents as _case_documents

register = template.Library()


@register.simple_tag(takes_context=True)
def case_documents(context: dict[str, Any], subject: Any) -> CaseDocuments:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return _case_documents(subject=subject, user=user)
