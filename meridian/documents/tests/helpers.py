"""Reading generated files back in tests: PDF text, fonts and link targets; DOCX text."""

from __future__ import annotations

import io
from typing import Any

import pypdf
from docx import Document


def pdf_reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    """The text of every page, with runs of white space (justified lines, line breaks) as one space."""
    return " ".join(" ".join(page.extract_text() for page in pdf_reader(data).pages).split())


def pdf_fonts(data: bytes) -> set[str]:
    fonts = set()
    for page in pdf_reader(data).pages:
        resources: Any = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


def pdf_link_targets(data: bytes) -> list[list[str]]:
    """The link targets (URIs) of each page."""
    pages = []
    for page in pdf_reader(data).pages:
        pages.append(
            [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", []) if "/A" in a.get_object()]
        )
    return pages


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def read(document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()
