"""Portal content in the admin, for reading: editors write pages and news in the portal's own editor, which
sanitises Markdown, checks placeholders and refuses stale saves."""

from django.contrib import admin

from meridian.core.admin import ReadOnlyHistoryAdmin, ReadOnlyModelAdmin, ReadOnlyTabularInline
from meridian.portal.models import Article, Attachment, Section


@admin.register(Section)
class SectionAdmin(ReadOnlyModelAdmin):
    list_display = ["slug", "name_en", "name_zh", "position"]


class AttachmentInline(ReadOnlyTabularInline):
    model = Attachment
    fields = ["title", "file", "content_type", "size", "uploaded_at"]


@admin.register(Article)
class ArticleAdmin(ReadOnlyHistoryAdmin):
    list_display = ["slug", "section", "kind", "status", "publish_at", "view_count"]
    list_filter = ["section", "kind", "status"]
    search_fields = ["slug", "title_en", "title_zh"]
    list_select_related = ["section"]
    inlines = [AttachmentInline]
