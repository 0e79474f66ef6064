from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communities")

    def ready(self) -> None:
        from communities import desk, schema  # noqa: F401  (schema registers its OpenAPI extensions)
        from core import registry
        from core.registry import PersonalData

        # What core.privacy shows of a user's data and what erasing the account does to it.
        registry.register_personal_data(
            PersonalData(
                section="roles",
                model="communities.RoleAssignment",
                user="user",
                active={"is_active": True},
                fields=("role", ("scope", "scope_label.__str__")),
                erase={"is_active": False},
                order_by=("pk",),
                in_account=True,
            )
        )
        registry.register_personal_data(
            PersonalData(
                section="units",
                model="communities.Unit",
                user="owners__user",
                fields=("id", ("compound", "compound.name"), ("unit", "__str__"), "area"),
                order_by=("pk",),
            )
        )
        # The register's owner record stays (votes must remain countable); it is unlinked from the account.
        registry.register_personal_data(
            PersonalData(section="owner_records", model="communities.Owner", user="user", erase={"user": None}, owner_record=True)
        )
        registry.register_personal_data(
            PersonalData(section="ownership_claims", model="communities.OwnershipClaim", user="user", delete=True)
        )
        registry.register_actor_fields("communities.OwnershipClaim", "decided_by")
        desk.register()
