"""The printed public notice: print it, read its QR code back from the print, follow it to the public page."""

import io
import re

import pytest
import zxingcpp
from PIL import Image

from communities.models import Compound
from ratings import engine
from ratings.tests.factories import complaint, local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_printed_notice_qr_code_leads_to_the_public_page(world, page, live_server):
    complaint(world.fulian, local(2026, 10, 5), reporter_name="诸葛春燕", reporter_phone="13698760001")
    Compound.objects.filter(pk=world.fulian.pk).update(public_page=True, published_stars=4)
    fulian = Compound.objects.get(pk=world.fulian.pk)
    engine.compute(full=True)

    page.goto(f"/p/{fulian.public_id}/notice/")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1  # one A4 sheet for the notice board
    assert page.locator(".langswitch").is_hidden()  # the print shows the notice only

    shot = page.screenshot(full_page=True)
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)).convert("L"))
    qr = [c for c in codes if c.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(qr) == 1
    url = qr[0].text
    assert url == f"{live_server.url}/p/{fulian.public_id}/"

    page.emulate_media(media="screen")
    page.goto(url)
    assert "福炼小区" in page.locator("h1").inner_text()
    body = page.content()
    assert "一方物业" in body and "如何投诉" in body
    assert "诸葛春燕" not in body and "13698760001" not in body
