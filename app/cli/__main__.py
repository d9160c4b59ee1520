"""``python -m app.cli``: the same as the ``towndesk`` command."""
import sys

from app.cli import main

if __name__ == "__main__":  # guarded: tests import every app module, and spawned workers import __main__
    sys.exit(main())
