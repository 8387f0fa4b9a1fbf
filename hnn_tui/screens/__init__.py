"""Screens of the hnn-tui app."""
