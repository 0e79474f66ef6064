"""drf-spectacular extensions for the API plumbing of communities (imported by CommunitiesConfig.ready)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class JWTScheme(SimpleJWTScheme):
    """The Bearer security scheme of simplejwt, for communities.authentication's subclass of it."""

    target_class = "communities.authentication.JWTAuthentication"
