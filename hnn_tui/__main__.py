"""`python -m hnn_tui` is the `hnn-tui` command."""
import sys

from .cli import main

sys.exit(main())
