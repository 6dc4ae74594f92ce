"""Views of the partners app, split by audience: public, partner, staff, applications, imports."""

from __future__ import annotations


def bound(request, *, files: bool = False) -> tuple:
    """Form data for a POST (even an empty one, so missing fields are reported), nothing for a GET."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)
