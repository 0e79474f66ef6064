"""Celery entry points of the mediation app."""

from celery import shared_task

from core.locks import exclusive
from mediation import services
from mediation.models import DeliberationRule


@shared_task(name="mediation.tasks.generate_sessions")
def generate_sessions() -> int:
    """Daily: extend every active deliberation-day rule's sessions to the horizon.

    Idempotent (sessions are unique per rule and start); a lock keeps two runs from overlapping.
    Returns the number of sessions created.
    """
    with exclusive("mediation.generate_sessions") as held:
        if not held:
            return 0
        created = 0
        for rule_id in DeliberationRule.objects.filter(is_active=True).values_list("pk", flat=True):
            created += generate_rule_sessions(rule_id)
        return created


@shared_task(name="mediation.tasks.generate_rule_sessions")
def generate_rule_sessions(rule_id: int) -> int:
    """Regenerate one rule's sessions; quietly does nothing if the rule is gone."""
    created, _removed = services.rule_generate_sessions(rule_id=rule_id)
    return created
