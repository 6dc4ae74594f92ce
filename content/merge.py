"""Per-partner HTML one-pagers and email templates: merge fields rendered safely.

Staff write the HTML; partners' data fills the merge fields. Templates may only use the merge
fields listed here, a few formatting filters and `if` blocks: no `{% load %}`, `{% include %}`,
`{% debug %}` or attribute access, and the context holds plain strings only. Autoescaping is on
and `|safe` is refused, so a partner called `<script>…` cannot inject markup.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.utils import formats, timezone
from django.utils.text import smart_split
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MERGE_FIELDS: dict[str, object] = {
    "partner_name": gettext_lazy("Partner organisation name"),
    "partner_website": gettext_lazy("Partner website"),
    "partner_country": gettext_lazy("Partner country"),
    "partner_tier": gettext_lazy("Partner tier"),
    "contact_name": gettext_lazy("Name of the person downloading"),
    "contact_email": gettext_lazy("Email of the person downloading"),
    "program_name": gettext_lazy("Your program (tenant) name"),
    "today": gettext_lazy("Today's date"),
}
ALLOWED_FILTERS = frozenset({"upper", "lower", "title", "capfirst", "default", "linebreaksbr"})
ALLOWED_TAGS = frozenset({"if", "elif", "else", "endif", "comment", "endcomment"})
_IF_OPERATORS = frozenset({"and", "or", "not", "==", "!=", "<", ">", "<=", ">=", "in", "is"})

# A private engine: no template directories or app templates to include, autoescape on.
_engine = Engine(dirs=[], app_dirs=False, loaders=[("django.template.loaders.locmem.Loader", {})], autoescape=True)


def _check_variable(expression: str) -> list[str]:
    name, *filters = [part.strip() for part in expression.split("|")]
    problems = []
    if name not in MERGE_FIELDS:
        problems.append(_("Unknown merge field “%(name)s”.") % {"name": name})
    for flt in filters:
        flt_name = flt.split(":", 1)[0].strip()
        if flt_name not in ALLOWED_FILTERS:
            problems.append(_("The filter “%(name)s” is not allowed.") % {"name": flt_name})
    return problems


def validate_merge_template(body: str) -> None:
    """Raise ValidationError naming what is not allowed in a merge template."""
    problems: list[str] = []
    for token in Lexer(body).tokenize():
        if token.token_type == TokenType.VAR:
            problems.extend(_check_variable(token.contents))
        elif token.token_type == TokenType.BLOCK:
            tag = token.contents.split()[0] if token.contents.split() else ""
            if tag not in ALLOWED_TAGS:
                problems.append(_("The tag “%(name)s” is not allowed.") % {"name": tag})
            elif tag in ("if", "elif"):
                for word in list(smart_split(token.contents))[1:]:
                    if word in _IF_OPERATORS or word[:1] in ("'", '"') or word.lstrip("-").isdigit():
                        continue  # operators and literals
                    problems.extend(_check_variable(word))
    if not problems:
        try:
            _engine.from_string(body)
        except TemplateSyntaxError as exc:
            problems.append(_("The template has a syntax error: %(error)s") % {"error": exc})
    if problems:
        raise ValidationError(sorted(set(problems)))


def merge_context(*, tenant, partner=None, user=None) -> dict[str, str]:
    """Plain strings only: nothing in the template can reach a model method."""
    if partner is None:
        # Staff previews use sample values.
        return {
            "partner_name": _("Example Partner Ltd"), "partner_website": "https://partner.example",
            "partner_country": _("Country"), "partner_tier": _("Tier"),
            "contact_name": _("Alex Example"), "contact_email": "alex@partner.example",
            "program_name": tenant.name, "today": formats.date_format(timezone.localdate()),
        }
    return {
        "partner_name": partner.name,
        "partner_website": partner.website or "",
        "partner_country": str(partner.country.name) if partner.country else "",
        "partner_tier": partner.tier.name if partner.tier_id else "",
        "contact_name": (user.get_full_name() if user is not None else "") or "",
        "contact_email": getattr(user, "email", "") or "",
        "program_name": tenant.name,
        "today": formats.date_format(timezone.localdate()),
    }


def render_merge_template(body: str, context: dict[str, str]) -> str:
    validate_merge_template(body)  # templates are validated on save; checked again for defence in depth
    return _engine.from_string(body).render(Context(context, autoescape=True))
