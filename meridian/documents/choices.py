from django.db import models
from django.utils.translation import gettext_lazy as _


class TemplateKind(models.TextChoices):
    LETTER = "letter", _("Letter")
    APPROVAL_FORM = "approval_form", _("Approval form")
    NOTICE = "notice", _("Notice")
    AGREEMENT_DRAFT = "agreement_draft", _("Agreement draft")
    SIGNATURE_PAGE = "signature_page", _("Signature page")


class TemplateLanguages(models.TextChoices):
    """Which documents a template produces: one language, both as twins, or one bilingual document."""

    EN = "en", _("English")
    ZH = "zh", _("Chinese")
    TWINS = "en_zh", _("English and Chinese versions (generated separately)")
    BILINGUAL = "bilingual", _("Bilingual (both languages in one document)")


class OutputLanguage(models.TextChoices):
    EN = "en", _("English")
    ZH = "zh", _("Chinese")
    BILINGUAL = "bilingual", _("Bilingual")


class DocumentFormat(models.TextChoices):
    PDF = "pdf", _("PDF (from an HTML template)")
    DOCX = "docx", _("Word document (DOCX template)")


class DocumentEventKind(models.TextChoices):
    GENERATED = "generated", _("Generated")
    DOWNLOADED = "downloaded", _("Downloaded")
    REVOKED = "revoked", _("Revoked")


OUTPUT_LANGUAGES: dict[str, tuple[str, ...]] = {
    TemplateLanguages.EN: (OutputLanguage.EN,),
    TemplateLanguages.ZH: (OutputLanguage.ZH,),
    TemplateLanguages.TWINS: (OutputLanguage.EN, OutputLanguage.ZH),
    TemplateLanguages.BILINGUAL: (OutputLanguage.BILINGUAL,),
}
