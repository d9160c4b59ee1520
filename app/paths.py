"""Where things live: the data directory and the bundled resources."""
from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "towndesk"


def resource_path(*parts: str) -> Path:
    """A file under resources/, in a source checkout, an installed wheel or a frozen bundle."""
    base = getattr(sys, "_MEIPASS", None)
    root = Path(base) if base else Path(__file__).resolve().parent.parent
    return root.joinpath("resources", *parts)


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """``--data-dir``, else ``TOWNDESK_HOME``, else the platform's user data dir."""
    if explicit:
        path = Path(explicit)
    elif os.environ.get("TOWNDESK_HOME"):
        path = Path(os.environ["TOWNDESK_HOME"])
    else:
        import platformdirs  # only without --data-dir / TOWNDESK_HOME (~10 ms of a command's start)

        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return path.expanduser().resolve()
