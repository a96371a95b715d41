"""Dataset descriptions are Markdown; on the page they are rendered and sanitised with nh3."""

from __future__ import annotations

import re

import markdown  # type: ignore[import-untyped]
import nh3

ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def markdown_to_html(text: str) -> str:
    """Markdown to safe HTML: scripts, styles, event handlers and javascript: links are removed."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def markdown_to_text(text: str) -> str:
    """Plain text for search documents, feeds and RDF literals (no markup at all)."""
    html = markdown.markdown(text or "")
    plain = nh3.clean(html, tags=set())
    plain = plain.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    plain = plain.replace("&quot;", '"').replace("&#39;", "'")
    return re.sub(r"\s+", " ", plain).strip()
