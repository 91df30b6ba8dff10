"""Who may write the Global Vision site. Reading published articles needs no account.

Editors are the users who change anything at the university level: administrators and international-office
officers. Everyone else (coordinators, staff, students, leadership, partner contacts) only reads the public
site, and the editor pages answer them with 404.
"""

from __future__ import annotations

from meridian.accounts.permissions import can_write_university
from meridian.portal.models import Article


def can_edit_articles(user) -> bool:
    return can_write_university(user)


def can_view_article(user, article: Article) -> bool:
    """Live articles are public; drafts and scheduled ones only to editors (the preview)."""
    return article.is_live or can_edit_articles(user)
