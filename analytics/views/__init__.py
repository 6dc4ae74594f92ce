"""Views of the analytics app (thin: parse, call a selector or service, render)."""
