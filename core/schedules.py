"""Default Celery beat entries, stored with django-celery-beat so officials can change them in the admin.

Apps declare their defaults in `AppConfig.ready()`:

    register_default_schedule("<app>.refresh", "<app>.refresh", every_minutes=5)  # entry name, registered task name

After `migrate`, each missing entry is created; an entry that exists (perhaps edited by an official)
is left alone.
"""

from dataclasses import dataclass

from django.db.models.signals import post_migrate

_DEFAULTS: dict[str, "Default"] = {}


@dataclass(frozen=True)
class Default:
    name: str
    task: str
    every_minutes: int | None = None
    crontab: str | None = None  # "minute hour day_of_month month_of_year day_of_week"


def register_default_schedule(name: str, task: str, *, every_minutes: int | None = None, crontab: str | None = None) -> None:
    if (every_minutes is None) == (crontab is None):
        raise ValueError("give exactly one of every_minutes or crontab")
    _DEFAULTS[name] = Default(name, task, every_minutes, crontab)


def install_default_schedules(**kwargs) -> None:
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    for item in _DEFAULTS.values():
        if PeriodicTask.objects.filter(name=item.name).exists():
            continue
        if item.every_minutes is not None:
            interval, _ = IntervalSchedule.objects.get_or_create(every=item.every_minutes, period=IntervalSchedule.MINUTES)
            PeriodicTask.objects.create(name=item.name, task=item.task, interval=interval)
        else:
            minute, hour, dom, month, dow = item.crontab.split()
            cron, _ = CrontabSchedule.objects.get_or_create(
                minute=minute, hour=hour, day_of_month=dom, month_of_year=month, day_of_week=dow, timezone="Asia/Shanghai"
            )
            PeriodicTask.objects.create(name=item.name, task=item.task, crontab=cron)


def connect(sender) -> None:
    post_migrate.connect(install_default_schedules, sender=sender, dispatch_uid="linli-default-schedules")
