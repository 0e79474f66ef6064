"""drf-spectacular extensions for core's API plumbing (imported by CoreConfig.ready)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class JWTScheme(SimpleJWTScheme):
    """The Bearer security scheme of simplejwt, for core.authentication's subclass of it."""

    target_class = "core.authentication.JWTAuthentication"
