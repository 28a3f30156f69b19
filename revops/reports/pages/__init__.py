"""Rendering: each module turns the numbers of one report into a self-contained HTML page and a short
Markdown summary."""
