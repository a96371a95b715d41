"""The page shell: site pages and a form's error summary pass axe and work without JavaScript."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("path", ["/cookies/", "/privacy/", "/accessibility/", "/places/"])
def test_site_pages_pass_axe(browse, path):
    page = browse.visit(path)
    assert page.locator("h1").count() == 1
    assert page.locator("a.govuk-skip-link").get_attribute("href") == "#main-content"


def test_a_form_with_errors_shows_a_summary_linked_to_the_field(browse):
    # given the sign-up page
    page = browse.visit("/accounts/sign-up/")
    # when it is sent empty
    page = browse.submit(page.get_by_role("button", name="Create account"))
    # then the error summary lists each problem and links to its field
    summary = page.locator(".govuk-error-summary")
    assert summary.locator("h2").inner_text() == "There is a problem"
    links = summary.locator("a")
    assert links.count() == 3
    assert links.first.get_attribute("href") == "#id_email"
    assert page.locator("#id_email").get_attribute("aria-describedby") == (
        "id_email_helptext id_email_error"
    )
    assert page.locator("#id_email_error").inner_text().startswith("Error:")
