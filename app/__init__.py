"""towndesk core (Qt-free)."""

# The one place the version is written: pyproject.toml reads it (setuptools dynamic version), the
# bundle and `towndesk --version` show it. A literal, not importlib.metadata (~20 ms at every start).
__version__ = "0.1.0"
