"""The seeded demo shows the seed article's lead figures exactly, at the article's precision.

泉港区: 业委会组建率 70%, 红色业委会比例 62.2%; 星级评定 五星级 5 家、四星级 18 家、三星级 21 家 (every
other compound 未评定); 天马华耀城 月均投诉比下降 33.21%. One `seed_demo` run (all apps, as `make run`
does), then every surface that shows a figure is read.
"""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from committees.models import Committee
from committees.selectors import formation
from communities.models import Compound, District
from core.models import User
from ratings import calc, engine, selectors
from ratings.models import Level, MetricSnapshot, StarRating, StarRatingRound, Target

pytestmark = pytest.mark.django_db


def card(html: str, key: str) -> str:
    """The text of one dashboard card (`id="kpi-<key>"`), tags stripped."""
    assert f'id="kpi-{key}"' in html, f"no card kpi-{key}"
    chunk = html.split(f'id="kpi-{key}"', 1)[1].split('<div class="card"', 1)[0]
    return re.sub(r"<[^>]+>", " ", chunk)


def test_demo_matches_the_articles_lead_figures(client):
    call_command("seed_demo", stdout=io.StringIO())
    district = District.objects.get(name="泉港区")
    official = User.objects.get(username="district")
    client.force_login(official)

    # Committee formation rate 70% and red committee ratio 62.2%, from counts that give them.
    now = engine.local_month(timezone.now())
    snap = MetricSnapshot.objects.get(level=Level.DISTRICT, area_id=district.pk, month=now)
    assert (snap.committee_formed, snap.committee_eligible) == (77, 110)
    assert (snap.committees_red, snap.committees_active) == (51, 82)
    assert calc.pct(snap.formation_rate) == "70.00%" and snap.formation_rate == Decimal(70)
    assert calc.pct(snap.red_ratio) == "62.20%"
    picture = formation(official)
    assert (picture.with_active, picture.eligible, picture.red_committees, picture.active_committees) == (77, 110, 51, 82)
    assert calc.pct(picture.formation_rate) == "70.00%" and calc.pct(picture.red_ratio) == "62.20%"
    # The red count reads the member counts each committee keeps: they equal a count of its seated members.
    seated = Q(members__seat_end__isnull=True)
    counted = Committee.objects.annotate(
        s=Count("members", filter=seated), p=Count("members", filter=seated & Q(members__is_party_member=True))
    )
    assert {c.pk: (c.seated_members, c.party_members) for c in counted} == {c.pk: (c.s, c.p) for c in counted}
    assert Committee.objects.filter(seated_members__gt=0).count() >= 82
    dashboard = client.get(reverse("ratings:dashboard")).content.decode()
    assert "70.00%" in card(dashboard, "formation_rate")
    assert "62.20%" in card(dashboard, "red_ratio")

    # Stars for the 44 compounds the article rated, and no others.
    published = StarRatingRound.objects.get(status=StarRatingRound.Status.PUBLISHED)
    rated = Compound.objects.filter(published_stars__isnull=False)
    assert rated.count() == 44 == StarRating.objects.filter(round=published).count()
    assert {s: rated.filter(published_stars=s).count() for s in (5, 4, 3, 2, 1)} == {5: 5, 4: 18, 3: 21, 2: 0, 1: 0}
    assert Compound.objects.filter(published_stars__isnull=True).count() == Compound.objects.count() - 44 > 0
    totals, by_town = selectors.star_distribution(selectors.Area(Level.DISTRICT, district))
    assert totals == {5: 5, 4: 18, 3: 21, 2: 0, 1: 0}
    assert sum(t["s2"] + t["s1"] for t in by_town) == 0
    stars = card(dashboard, "stars")
    assert re.search(r"5★\s+5\s+4★\s+18\s+3★\s+21", stars) and re.search(r"2★ 0 · 1★ 0", stars)
    unrated = Compound.objects.filter(published_stars__isnull=True).order_by("id").first()
    page = client.get(reverse("communities:compound_detail", args=[unrated.pk])).content.decode()
    stars_shown = re.search(r"<dt>星级</dt><dd>(.*?)</dd>", page)
    assert stars_shown and stars_shown.group(1) == "未评定"
    five = rated.filter(published_stars=5).first()
    page = client.get(reverse("communities:compound_detail", args=[five.pk])).content.decode()
    assert re.search(r"<dt>星级</dt><dd>5</dd>", page)

    # 天马华耀城's monthly-average complaint ratio: −33.21%, six finished months against the six before.
    tianma = Compound.objects.get(name="天马华耀城")
    target = Target.objects.get(district=district, indicator=Target.Indicator.COMPLAINT_RATIO)
    status = selectors.target_status(target, selectors.Area(Level.COMPOUND, tianma))
    assert calc.pct(calc.change(status.actual, status.baseline)) == "-33.21%"
    assert target.month_to == engine.add_months(now, -1)  # finished months only: the same with or without the partial one
    page = client.get(reverse("ratings:area", args=["compound", tianma.pk])).content.decode()
    assert "-33.21%" in card(page, "complaint_ratio")

    # The company evaluation: two published rounds for 泉港区, every managing company ranked, a 红黑榜 of 3 + 3.
    from ratings.models import CompanyEvaluation, EvaluationRound

    rounds = EvaluationRound.objects.filter(district=district, status=EvaluationRound.Status.PUBLISHED)
    assert rounds.count() == 2
    latest = rounds.order_by("-month_to").first()
    assert latest.month_to == engine.add_months(now, -1)
    results = CompanyEvaluation.objects.filter(round=latest)
    assert results.count() >= 6 and not results.filter(score__isnull=True).exists()
    assert (results.filter(board="red").count(), results.filter(board="black").count()) == (3, 3)
    assert results.exclude(reason="").count() == 1  # the panel's one adjustment, with its reason
    league = client.get(reverse("ratings:companies")).content.decode()
    assert latest.title in league and league.count('data-company="') == results.count()
