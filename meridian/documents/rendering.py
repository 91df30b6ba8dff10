"""Rendering document templates: a sandbox that sees only the documented fields; PDF, DOCX and QR codes.

Template bodies are written by administrators in the browser, so they are treated as untrusted code:

- jinja2's ``SandboxedEnvironment`` with autoescape, ``StrictUndefined`` and no globals, no loader (no
  ``include``/``import``/``extends``);
- attribute access is refused on everything: ``a.b`` reads only the key ``b`` of a dict (the documented
  fields are plain dicts and lists), so ``''.__class__`` or ``x.items()`` fail as unknown fields; nothing can
  be called;
- only output, ``if`` and ``for`` over the case's fields (at most three loops deep) are allowed: no ``set``,
  ``with``, macros, ``autoescape`` blocks (data is always escaped) or loading of other templates; filters are
  an allow-list without ``safe``;
- repetition, powers, ``replace`` and the total output are capped so that a template cannot build a gigabyte
  string;
- WeasyPrint may load only ``data:`` URLs, so a template cannot read server files or reach the network.
"""

from __future__ import annotations

import base64
import hashlib
import io
import operator
import re
import unicodedata
from datetime import date
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, UndefinedError, nodes
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from meridian.core.archives import UnsafeArchiveError, check_zip_archive

MAX_REPEAT = 100_000  # longest string or list a template may build with * (characters or items)
MAX_OUTPUT = 5_000_000  # characters a template may produce
MAX_SOURCE = 2_000_000  # characters of template source (a DOCX template's XML is large)
MAX_LOOP_DEPTH = 3
_LOOP_ATTRIBUTES = frozenset({"index", "index0", "first", "last", "length", "revindex", "revindex0"})


class TemplateProblem(Exception):
    """A template cannot be used: ``message`` says why, in the current language, with the line when known."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _date_en(value: Any) -> str:
    parsed = _as_date(value)
    return f"{parsed.day} {parsed:%B %Y}" if parsed else ""


def _date_zh(value: Any) -> str:
    parsed = _as_date(value)
    return f"{parsed.year}年{parsed.month}月{parsed.day}日" if parsed else ""


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _capped_replace(value: Any, old: str, new: str, count: int | None = None) -> str:
    text = str(value)
    if len(new) > len(old) and len(text) + text.count(old) * (len(new) - len(old)) > MAX_OUTPUT:
        raise SecurityError(_("the result would be too long"))
    return text.replace(old, new, -1 if count is None else count)


# Only filters that read values and cannot build unbounded output or reach anything but the value itself.
_ALLOWED_FILTERS = (
    "abs", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "filesizeformat", "first",
    "float", "forceescape", "int", "items", "join", "last", "length", "list", "lower", "reverse", "round",
    "string", "striptags", "title", "trim", "truncate", "upper", "urlencode", "wordcount",
)  # fmt: skip

# Statements a document template does not need and that could store or build values, switch escaping off or
# load other templates.
_FORBIDDEN_STATEMENTS: dict[type[nodes.Node], str] = {
    nodes.Assign: "set",
    nodes.AssignBlock: "set",
    nodes.With: "with",
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "from … import",
    nodes.Extends: "extends",
    nodes.EvalContextModifier: "autoescape",
    nodes.ScopedEvalContextModifier: "autoescape",
}


def _check_structure(ast: nodes.Template) -> None:
    """Refuse statements beyond output, conditions and loops over the case's fields (see module docstring)."""
    for node in ast.find_all(tuple(_FORBIDDEN_STATEMENTS)):
        raise SecurityError(
            _("{%% %(tag)s %%} (line %(line)s)")
            % {"tag": _FORBIDDEN_STATEMENTS[type(node)], "line": node.lineno}
        )
    _check_loops(ast, depth=0)


def _check_loops(node: nodes.Node, *, depth: int) -> None:
    if not isinstance(node, nodes.For):
        for child in node.iter_child_nodes():
            _check_loops(child, depth=depth)
        return
    if depth + 1 > MAX_LOOP_DEPTH:
        raise SecurityError(
            _("more than %(n)s loops inside each other (line %(line)s)")
            % {"n": MAX_LOOP_DEPTH, "line": node.lineno}
        )
    root: nodes.Node | None = node.iter
    while isinstance(root, (nodes.Filter, nodes.Getattr, nodes.Getitem)):
        root = root.node
    if not isinstance(root, nodes.Name):
        raise SecurityError(
            _("a loop must go over a field of the case (line %(line)s)") % {"line": node.lineno}
        )
    _check_loops(node.iter, depth=depth)
    for part in (*node.body, *node.else_, *([node.test] if node.test is not None else [])):
        _check_loops(part, depth=depth + 1)


class _CappedTemplate(Template):
    """A template whose output stops with an error past ``MAX_OUTPUT`` characters."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        context = self.new_context(dict(*args, **kwargs))
        total = 0
        parts = []
        try:
            for chunk in self.root_render_func(context):
                total += len(chunk)
                if total > MAX_OUTPUT:
                    raise SecurityError(_("the document would be too long"))
                parts.append(chunk)
        except Exception:
            self.environment.handle_exception()
        return self.environment.concat(parts)  # type: ignore[attr-defined]


class DocumentSandbox(SandboxedEnvironment):
    """The sandbox every document template runs in (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**"})
    template_class = _CappedTemplate

    def __init__(self, *, autoescape: bool = True) -> None:
        super().__init__(autoescape=autoescape, undefined=StrictUndefined, loader=None)
        self.globals.clear()
        self.filters = {name: self.filters[name] for name in _ALLOWED_FILTERS}
        self.filters.update({"date_en": _date_en, "date_zh": _date_zh, "replace": _capped_replace})
        self.tests.pop("callable", None)

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:
        if isinstance(source, str):
            if len(source) > MAX_SOURCE:
                raise SecurityError(_("the template is too long"))
            source = self.parse(source)
        _check_structure(source)
        return super().from_string(source, globals, template_class)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict):
            return self.getitem(obj, attribute)
        if isinstance(obj, LoopContext) and attribute in _LOOP_ATTRIBUTES:
            return getattr(obj, attribute)
        return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, dict) and isinstance(argument, str):
            if argument in obj:
                return obj[argument]
            return self.undefined(obj=obj, name=argument)
        if isinstance(obj, (list, tuple, str)) and isinstance(argument, (int, slice)):
            try:
                return obj[argument]
            except IndexError:
                return self.undefined(obj=obj, name=str(argument))
        return self.undefined(obj=obj, name=str(argument))

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "*":
            for seq, count in ((left, right), (right, left)):
                too_long = (
                    isinstance(seq, (str, list, tuple))
                    and isinstance(count, int)
                    and len(seq) * count > MAX_REPEAT
                )
                if too_long:
                    raise SecurityError(_("the result would be too long"))
            return operator.mul(left, right)
        if operator_name == "**":
            if isinstance(right, (int, float)) and abs(right) > 64:
                raise SecurityError(_("the exponent is too large"))
            return operator.pow(left, right)
        return super().call_binop(context, operator_name, left, right)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # Only macros written in the template itself may be called; there is nothing else to call.
        if isinstance(__obj, Macro):
            return super().call(__context, __obj, *args, **kwargs)
        raise SecurityError(_("calling functions is not allowed in document templates"))


_SANDBOX = DocumentSandbox(autoescape=True)
_SANDBOX_XML = DocumentSandbox(autoescape=True)


def _problem(exc: Exception) -> TemplateProblem:
    line = getattr(exc, "lineno", None)
    if isinstance(exc, TemplateSyntaxError):
        text = _("Syntax error: %(error)s") % {"error": exc.message}
    elif isinstance(exc, UndefinedError):
        text = _("Unknown field: %(error)s. Use only the fields listed for this template.") % {
            "error": exc.message
        }
    elif isinstance(exc, SecurityError):
        text = _("Not allowed in a document template: %(error)s.") % {"error": str(exc)}
    else:
        text = _("The template cannot be rendered: %(error)s") % {"error": str(exc)}
    if line:
        text = _("Line %(line)s: %(text)s") % {"line": line, "text": text}
    return TemplateProblem(text)


def render_body(body: str, context: dict[str, Any]) -> str:
    """Render an HTML template body in the sandbox; raises ``TemplateProblem`` with a clear message."""
    try:
        return _SANDBOX.from_string(body).render(context)
    except (TemplateError, SecurityError, TypeError, ValueError, ArithmeticError, RecursionError) as exc:
        raise _problem(exc) from exc


def check_body(body: str, sample: dict[str, Any]) -> None:
    """Refuse a body that does not parse, uses a forbidden construct, names a field the sample lacks, or fails
    against the sample. Raises ``TemplateProblem``."""
    if not body.strip():
        raise TemplateProblem(_("The template text is empty."))
    try:
        ast = _SANDBOX.parse(body)
        _check_structure(ast)
    except (TemplateSyntaxError, SecurityError) as exc:
        raise _problem(exc) from exc
    names = {n.name for n in ast.find_all(nodes.Name) if n.ctx == "load"}
    bound = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    unknown = sorted(names - set(sample) - bound - {"loop"})
    if unknown:
        raise TemplateProblem(
            _("Unknown field: %(names)s. Use only the fields listed for this template.")
            % {"names": ", ".join(unknown)}
        )
    render_body(body, sample)


# --- QR codes and name masking --------------------------------------------------------------------


def qr_svg_data_uri(url: str) -> str:
    """An SVG data URI of a QR code (error correction M) that encodes ``url``."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2)


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=6, border=2)
    return out.getvalue()


def _is_cjk(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY"))


def mask_name(name: str) -> str:
    """Mask a name for the public verification page: "Zhang Wei" → "Zh*** W**", "张小明" → "张*明".

    Chinese names keep their first and last characters (two-character names only the first); every word of a
    name in Latin script keeps its first third (at least one letter). Spaces, hyphens and dots are kept.
    """
    name = " ".join(name.split())
    if not name:
        return ""
    if all(_is_cjk(c) or c in "·・ " for c in name):
        chars = [c for c in name if c != " "]
        if len(chars) == 1:
            return chars[0]
        if len(chars) == 2:
            return chars[0] + "*"
        return chars[0] + "*" * (len(chars) - 2) + chars[-1]
    return re.sub(r"[^\s\-.·,()]+", _mask_word, name)


def _mask_word(match: re.Match[str]) -> str:
    word = match.group(0)
    keep = max(1, -(-len(word) // 3))
    return word[:keep] + "*" * (len(word) - keep)


# --- PDF ------------------------------------------------------------------------------------------


def html_to_pdf(*, body_html: str, meta: dict[str, Any]) -> bytes:
    """Wrap a rendered body into the document page (CJK fonts, footer with serial and QR code) and render it.

    ``meta`` carries ``title``, ``language``, ``serial``, ``verify_url``, ``qr`` (data URI), ``issuing_unit``.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    page = render_to_string("documents/pdf/document.html", {"body": body_html, **meta})
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=page, url_fetcher=fetcher).write_pdf()


# --- DOCX -----------------------------------------------------------------------------------------


def looks_like_docx(data: bytes) -> bool:
    """A DOCX file judged by its content: a ZIP archive with the parts Word needs."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        names = check_zip_archive(io.BytesIO(data))  # a zip bomb raises UnsafeArchiveError (a DomainError)
    except UnsafeArchiveError as exc:
        if exc.code == "damaged_archive":
            return False
        raise
    return "[Content_Types].xml" in names and "word/document.xml" in names


def render_docx(*, template: bytes, context: dict[str, Any], verify_line: str = "", url: str = "") -> bytes:
    """Fill a DOCX template in the sandbox; append the verification line and QR code when ``url`` is given.

    Raises ``TemplateProblem`` for a file that is not a usable DOCX template or that fails to render.
    """
    from docx.shared import Cm
    from docxtpl import DocxTemplate

    if not looks_like_docx(template):
        raise TemplateProblem(_("The file is not a Word document (DOCX)."))
    try:
        doc = DocxTemplate(io.BytesIO(template))
        doc.render(context, jinja_env=_SANDBOX_XML, autoescape=True)
    except (TemplateError, SecurityError, TypeError, ValueError, ArithmeticError) as exc:
        raise _problem(exc) from exc
    except Exception as exc:  # a damaged archive or XML raises many kinds of errors inside docx
        raise TemplateProblem(
            _("The file is not a usable DOCX template: %(error)s") % {"error": exc}
        ) from exc
    if url:
        document = doc.docx
        paragraph = document.add_paragraph()
        paragraph.add_run().add_picture(io.BytesIO(qr_png(url)), width=Cm(2.5))
        document.add_paragraph(verify_line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def data_uri_png(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
