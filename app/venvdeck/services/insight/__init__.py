"""Insight: what the installed requirements of environments say (checks, trees, searches, usage)."""
