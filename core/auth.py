"""Authentication plumbing: the login lockout (django-axes) and the JWT endpoint that honours it."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework_simplejwt.views import TokenObtainPairView


class LockoutBackend(AxesStandaloneBackend):
    """Refuses every login of a locked-out username+address pair (it authenticates nobody itself).

    Logins over HTTP (the portal form, the token endpoint) always pass the request and are checked.
    Calls without a request (the test client's `login()`, management commands) are not logins from
    an address, so there is nothing to lock out: they go straight on to the model backend.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


LOCKED_OUT = _("Too many failed sign-in attempts. This account is locked for this address; try again later.")


class TokenObtainView(TokenObtainPairView):
    """`POST /api/v1/auth/token/`: simplejwt's view, answering 429 while the username+address is locked out.

    simplejwt's serializer calls `authenticate(request=...)`, so the lockout backend sees every
    attempt; axes marks the DRF request when it refuses one, and we turn that into a clear 429
    instead of the generic 401 ("no active account").
    """

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):
                return Response({"detail": str(LOCKED_OUT)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
            raise
