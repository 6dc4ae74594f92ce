"""Incentive pages (split by audience)."""
