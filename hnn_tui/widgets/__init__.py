"""Widgets of the hnn-tui app."""
