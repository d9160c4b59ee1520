"""Typed errors that carry a calm Chinese message for the user.

Every error a user can cause is an AppError: the CLI prints it as one line and exits 2, the
window shows it next to the field named by ``field`` (or in a dialog when there is none).
"""
from __future__ import annotations


class AppError(Exception):
    """Base of every user-facing error. ``message`` is Simplified Chinese."""

    code = "error"
    english = "error"

    def __init__(self, message: str, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


class ValidationError(AppError):
    code = "invalid"
    english = "invalid input"


class WorkflowError(AppError):
    code = "forbidden_transition"
    english = "action not allowed in this state"


class PermissionDenied(AppError):
    code = "permission_denied"
    english = "permission denied"


class NotFound(AppError):
    code = "not_found"
    english = "not found"


class AuthError(AppError):
    code = "auth_failed"
    english = "authentication failed"


class ConflictError(AppError):
    code = "conflict"
    english = "conflict"
