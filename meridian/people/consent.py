"""The consent statement a guest ticks on the self-service page, versioned.

The statement is a legal text: the guest agrees to one exact wording, in both languages at once, and the
consent record keeps the version id. It is therefore kept here, not in the translation catalogue (where a
translator could change the words without a new version). A change of wording is a new entry with a new id;
old entries stay so that earlier consents can still be shown as given.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConsentText:
    version: str
    english: str
    chinese: str


TEXTS: dict[str, ConsentText] = {
    "guest-2026-11": ConsentText(
        version="guest-2026-11",
        english=(
            "I agree that the university processes the personal information I enter here, including my "
            "identity document and its scan, which are sensitive personal information, for the purpose "
            "named above only: to prepare invitations, registrations and approvals for my stay. The data is "
            "stored encrypted, seen only by the staff who handle my case, every access is logged, and it is "
            "deleted when the retention period of this purpose ends. I may withdraw my consent and ask for "
            "access, correction or deletion by writing to the International Office."
        ),
        chinese=(
            "本人同意学校为上述目的处理本人在此填写的个人信息（包括身份证件及其扫描件等敏感个人信息），"
            "仅用于办理本人来访所需的邀请、登记和审批手续。上述信息加密存储，仅由经办人员查阅，每次查阅均有记录，"
            "并在该目的的保存期限届满后删除。本人可书面联系国际合作与交流处撤回同意，或要求查阅、更正、删除本人信息。"
        ),
    ),
}

CURRENT_VERSION = "guest-2026-11"


def current_text() -> ConsentText:
    return TEXTS[CURRENT_VERSION]
