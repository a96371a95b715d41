"""The CMS page tree for the demo: the home page, About and How to get involved."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from wagtail.models import Page, Site

from .models import ContentPage, HomePage

ABOUT = """
<p>Big Society is the open-source platform for our area's residents, community groups,
charities, co-operatives, mutuals and social enterprises, the council, and our museums,
libraries and archives.</p>
<h2>What you can do here</h2>
<ul>
<li>Find and use the data the council and its services publish, and ask for more.</li>
<li>See the crime the police record in your neighbourhood, and what happened next.</li>
<li>Decide how part of the local budget is spent.</li>
<li>Find and join the organisations that serve your area.</li>
</ul>
"""

GET_INVOLVED = """
<p>There are many ways to take part.</p>
<h2>Join an organisation</h2>
<p>Browse the directory of local organisations and ask to join one.</p>
<h2>Ask for data</h2>
<p>Anyone can ask the council or a library, museum or archive service to publish a dataset.
They must answer within 20 working days.</p>
<h2>Vote in the participatory budget</h2>
<p>When voting is open, every eligible resident can choose the projects they want funded.</p>
"""


def ensure_pages() -> HomePage:
    """The home page as the root of the default site, created once (idempotent)."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's initial migration creates a placeholder "Welcome" page; replace it.
        for child in root.get_children():
            if child.specific_class is Page:
                Site.objects.filter(root_page=child).delete()
                child.delete()
        root = Page.get_first_root_node()
        home = HomePage(
            title="Big Society",
            slug="home",
            introduction=(
                "Open data, a say in local decisions, community powers and active citizens: "
                "everything our area's people and organisations need to take part."
            ),
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Big Society",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    for slug, title, summary, body in [
        ("about", "About Big Society", "What the platform is for and who runs it.", ABOUT),
        ("get-involved", "How to get involved", "Ways to take part in your area.", GET_INVOLVED),
    ]:
        if not ContentPage.objects.filter(slug=slug).exists():
            page = ContentPage(
                title=title, slug=slug, summary=summary, body=body, show_in_menus=True
            )
            home.add_child(instance=page)
            page.save_revision().publish()
    return home


@transaction.atomic
def seed(*, stdout: Any = None) -> None:
    ensure_pages()
    if stdout is not None:
        stdout.write("Content: home, About and How to get involved pages.")
