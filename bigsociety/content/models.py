"""Content pages edited by staff in Wagtail: the home page and simple pages."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from bigsociety.common.pagecache import mark_cacheable

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class HomePage(Page):
    """The site's front page: an introduction and "Find my area" by postcode."""

    introduction: models.TextField = models.TextField(_("introduction"), blank=True)
    body = RichTextField(_("body"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    template = "content/home_page.html"

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from bigsociety.places.forms import PostcodeSearchForm

        context = super().get_context(request, *args, **kwargs)
        context["postcode_form"] = PostcodeSearchForm()
        context["menu_pages"] = self.get_children().live().in_menu().specific()
        return context

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The same for every anonymous visitor: shared briefly (common/pagecache.py).
        return mark_cacheable(super().serve(request, *args, **kwargs))


class ContentPage(Page):
    """A simple page of text such as About or How to get involved."""

    summary: models.TextField = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("body"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    template = "content/content_page.html"
