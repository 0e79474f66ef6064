"""Celery entry points of the committees app. Tasks take ids, re-read rows and are idempotent."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from committees import selectors, services
from committees.models import Committee

log = logging.getLogger(__name__)


@shared_task(name="committees.remind_terms_ending")
def remind_terms_ending() -> int:
    """Daily: expire committees whose term has ended, then remind the community of each term ending within 90 days.

    Each committee is reminded once (`reminder_sent_at` is claimed by a conditional update), so a
    duplicate beat tick or a retry sends nothing twice. Returns the number of reminders sent.
    """
    today = timezone.localdate()
    services.committee_expire_due(today=today)
    due = Committee.objects.filter(
        status=Committee.Status.ACTIVE,
        reminder_sent_at__isnull=True,
        term_end__lte=today + timedelta(days=selectors.REMINDER_DAYS),
    ).values_list("id", flat=True)
    return sum(services.committee_remind_term_end(committee_id=pk, today=today) for pk in list(due))


@shared_task(name="committees.recount_members")
def recount_members() -> int:
    """Nightly: repair the seated and Party-member counts of any committee whose kept counts have drifted from
    its members (see CommitteeQuerySet.drifted). Returns how many were off; each is logged, since a drift means
    a writer bypassed the signals."""
    drifted = list(Committee.objects.drifted().values_list("id", flat=True))
    if drifted:
        log.warning("committee member counts had drifted for %d committee(s): %s", len(drifted), drifted[:50])
        Committee.objects.filter(pk__in=drifted).recount()
    return len(drifted)
