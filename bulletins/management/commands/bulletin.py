"""`manage.py bulletin 泉港区 2026-11`: generate the month's bulletin of a district or town (or refresh its
draft; a published one is printed as it was published) and print it as text. `--pdf FILE` / `--xlsx FILE`
also write the documents."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from bulletins import documents, services
from bulletins.models import Bulletin
from core.errors import DomainError


class Command(BaseCommand):
    help = "Generate the monthly bulletin of a district or town (e.g. 泉港区 2026-11) and print it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("area", help="name of the district or town")
        parser.add_argument("month", help="YYYY-MM, a finished month")
        parser.add_argument("--pdf", help="also write the PDF to this file")
        parser.add_argument("--xlsx", help="also write the Excel workbook to this file")

    def handle(self, *args, **options) -> None:
        try:
            year, month = (int(p) for p in options["month"].split("-")[:2])
            first = date(year, month, 1)
        except ValueError as exc:
            raise CommandError("month must be YYYY-MM") from exc
        try:
            area = services.area_named(options["area"])
            tree = area.tree()
            published = Bulletin.objects.filter(
                level=area.level,
                district_id=tree["district_id"],
                subdistrict_id=tree["subdistrict_id"],
                month=first,
                status=Bulletin.Status.PUBLISHED,
            ).first()
            bulletin = published or services.bulletin_generate(area=area, month=first)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(documents.as_text(bulletin))
        for option, render in (("pdf", documents.as_pdf), ("xlsx", documents.as_xlsx)):
            if options[option]:
                with open(options[option], "wb") as fh:
                    fh.write(render(bulletin))
