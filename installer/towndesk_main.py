"""Entry point of the frozen towndesk (PyInstaller): the same `towndesk` command as the wheel's."""
import multiprocessing
import sys

if __name__ == "__main__":
    # The demo generator uses worker processes ("spawn" on Windows): a frozen child must stop here.
    multiprocessing.freeze_support()
    from app.cli import main

    sys.exit(main())
