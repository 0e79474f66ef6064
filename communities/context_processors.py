from django.http import HttpRequest

from communities.selectors import administered_company_ids, roles_of


def portal(request: HttpRequest) -> dict:
    """Role flags for the navigation. Pages still scope their own data through selectors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    kinds = {r.role for r in roles_of(user)}
    return {
        "nav_roles": kinds,
        "is_official": "official" in kinds or user.is_superuser,
        "is_staff_member": "staff" in kinds,
        "is_committee": "committee" in kinds,
        "is_mediator": "mediator" in kinds,
        "is_company_admin": bool(administered_company_ids(user)),
    }
