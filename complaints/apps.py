from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from complaints import desk, exports
        from core import registry
        from core.schedules import register_default_schedule

        desk.register()
        exports.register()

        register_default_schedule("complaints.refresh_overdue", "complaints.refresh_overdue", every_minutes=5)
        register_default_schedule("complaints.deadlines_near", "complaints.deadlines_near", every_minutes=10)
        register_default_schedule("complaints.auto_close", "complaints.auto_close", crontab="15 * * * *")
        # Hourly, so a surge is flagged the day it builds up; a warning is notified once however often it runs.
        register_default_schedule("complaints.detect_surges", "complaints.detect_surges", crontab="40 * * * *")

        # The reporter's complaints: shown in their data; on erasure the name and phone go, the substance stays.
        registry.register_personal_data(
            registry.PersonalData(
                section="complaints",
                model="complaints.Complaint",
                user="reporter",
                fields=(
                    "number",
                    ("compound", "compound.name"),
                    ("category", "category.__str__"),
                    "status",
                    "description",
                    "location",
                    "reporter_name",
                    "reporter_phone",
                    "is_anonymous",
                    "made_at",
                    "rating",
                ),
                erase={"reporter_name": "", "reporter_phone": ""},
                order_by=("-made_at",),
            )
        )
        # A resident's supporter rows (我也遇到) appear under "other" in their data (core.privacy finds them by `user`).
        registry.register_actor_fields("complaints.ComplaintSupporter", "recorded_by")
        registry.register_actor_fields("complaints.ComplaintEvent", "actor")
        registry.register_actor_fields("complaints.ComplaintPhoto", "uploaded_by")
        registry.register_actor_fields("complaints.HotlineImport", "uploaded_by")
        registry.register_audit_events(
            registry.AuditEvents(model="complaints.ComplaintEvent", time="at", actor="actor", action="kind", path="complaint__compound")
        )
