"""The sitemap of public compound pages (django.contrib.sitemaps): published compounds only."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from ratings.public import selectors


class PublicCompoundSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return selectors.published_compounds().order_by("pk").only("public_id", "updated_at")

    def location(self, item) -> str:
        return reverse("public:page", args=[item.public_id])

    def lastmod(self, item):
        return item.updated_at
