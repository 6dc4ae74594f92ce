from django import template

from prm.audit.display import describe_changes, raw_json

register = template.Library()


@register.filter
def described(changes) -> list[tuple[str, str]]:
    """{% for label, text in entry.changes|described %} — see prm.audit.display."""
    return describe_changes(changes)


@register.filter
def as_json(changes) -> str:
    return raw_json(changes)
