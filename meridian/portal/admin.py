from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from meridian.portal.models import Article, Attachment, Section


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_zh", "position"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ["content_type", "size"]


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["slug", "section", "kind", "status", "publish_at", "view_count"]
    list_filter = ["section", "kind", "status"]
    search_fields = ["slug", "title_en", "title_zh"]
    readonly_fields = ["view_count", "version"]
    inlines = [AttachmentInline]
