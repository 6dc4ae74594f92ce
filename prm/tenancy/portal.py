"""Registries that let feature apps add navigation entries and home-page widgets.

The core never imports a feature app: each app registers what it contributes in its
AppConfig.ready(), and the shell renders whatever is registered for the member's role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.http import HttpRequest

from prm.tenancy.roles import ALL_ROLES
from prm.tenancy.viewer import Viewer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class NavItem:
    label: StrOrPromise
    url_name: str
    roles: frozenset[str]
    order: int = 50
    # URL prefixes that mark this entry as current (defaults to the entry's own URL).
    active_prefixes: tuple[str, ...] = ()
    # A page about the whole program (prm.tenancy.access.program_wide): hidden from staff confined
    # to a book of partners.
    program_wide: bool = False


@dataclass(frozen=True)
class HomeWidget:
    """A block on a role's home page: a template and a function returning its context."""

    template: str
    context: Callable[[HttpRequest], dict | None]
    roles: frozenset[str] = field(default_factory=lambda: ALL_ROLES)
    order: int = 50
    # A wide widget takes the whole row of the home grid (checklists, lists with long lines).
    wide: bool = False


_nav: list[NavItem] = []
_widgets: list[HomeWidget] = []


def register_nav(item: NavItem) -> None:
    if item not in _nav:
        _nav.append(item)


def register_home_widget(widget: HomeWidget) -> None:
    if all(existing.template != widget.template for existing in _widgets):
        _widgets.append(widget)


def nav_for(viewer: Viewer) -> list[NavItem]:
    items = (i for i in _nav if viewer.role in i.roles and not (i.program_wide and viewer.confined))
    return sorted(items, key=lambda i: i.order)


def widgets_for(role: str) -> list[HomeWidget]:
    return sorted((w for w in _widgets if role in w.roles), key=lambda w: w.order)
