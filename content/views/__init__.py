"""Views of the content app (thin: check access through the selectors, call a service, render)."""
