"""Domain errors raised by services; the API layer maps them to HTTP once (core.api)."""


class DomainError(Exception):
    """Base class; `message` is shown to the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class WorkflowError(DomainError):
    """A step the workflow does not allow now (HTTP 409)."""


class ScopeError(DomainError):
    """An object outside the user's scope (HTTP 404, never 403)."""


class ValidationError(DomainError):
    """Input a service refuses (HTTP 400, naming the field when known)."""


class PermissionDenied(DomainError):
    """A role that may see the object but not do this (HTTP 403)."""
