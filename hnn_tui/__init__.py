"""hnn-tui: a terminal playground for the Hacker's guide to Neural Networks."""
__version__ = "0.1.0"
