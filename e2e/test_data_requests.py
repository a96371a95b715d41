"""Right to data in a real browser, with axe on every page: a resident asks, the data officer
asks for clarification, the resident clarifies, the officer answers with a published dataset,
and anyone sees it in the register and the statistics (chart and table)."""

from __future__ import annotations

import pytest

from bigsociety.accounts.roles import Role
from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.opendata.models import DataRequest
from bigsociety.opendata.tests.requests_support import OrganisationFactory, published_dataset

from .conftest import sign_in, visit

pytestmark = pytest.mark.django_db(transaction=True)


def _submit(page, button: str) -> None:
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state("load")


def test_a_request_is_made_clarified_answered_and_seen_in_register_and_statistics(
    page, browser, live_server
):
    # given a council with a published dataset, a resident and a data officer
    council = OrganisationFactory(name="Kingsbridge Council", slug="kingsbridge")
    dataset = published_dataset(publisher=council, title="Street light faults 2025")
    resident = UserFactory(email="rosa@example.org", display_name="Rosa Private")
    officer = UserFactory(roles=[Role.DATA_OFFICER])

    # when the resident asks for data
    sign_in(page, resident)
    visit(page, "/data-requests/new/")
    assert page.get_by_label("Email address for updates").input_value() == "rosa@example.org"
    _submit(page, "Send the request")  # empty: the error summary names the fields
    assert page.locator(".govuk-error-summary").count() == 1
    page.get_by_label("Give your request a short title").fill("Street light faults")
    page.get_by_label("What data do you want?").fill("Every street light fault in 2025.")
    page.get_by_label("Who holds the data? (optional)").select_option("kingsbridge")
    _submit(page, "Send the request")
    assert page.locator("h1").inner_text() == "Street light faults"
    data_request = DataRequest.objects.get()

    # and the data officer asks for clarification
    page.context.clear_cookies()
    sign_in(page, officer)
    visit(page, data_request.get_absolute_url())
    page.get_by_role("link", name="Ask the requester to clarify").click()
    page.get_by_label("What do you need the requester to clarify?").fill("Which wards?")
    _submit(page, "Ask for clarification")
    assert "Awaiting clarification" in page.locator("main").inner_text()

    # and the resident clarifies
    page.context.clear_cookies()
    sign_in(page, resident)
    visit(page, f"/data-requests/{data_request.reference}/clarify/")
    page.get_by_label("Your clarification").fill("Abbey ward only.")
    _submit(page, "Send clarification")

    # and the officer answers with the published dataset
    page.context.clear_cookies()
    sign_in(page, officer)
    visit(page, f"/data-requests/{data_request.reference}/respond/")
    page.get_by_label("Successful", exact=True).check()
    page.get_by_label("Published dataset").select_option(dataset.name)
    page.get_by_label("Message to the requester").fill("Published and updated monthly.")
    _submit(page, "Send the answer")
    assert "Successful" in page.locator("main").inner_text()

    # then anyone sees it in the register, without the requester's details
    page.context.clear_cookies()
    visit(page, "/data-requests/")
    row = page.get_by_role("row", name="Street light faults")
    assert "Successful" in row.inner_text()
    assert "Rosa" not in page.content() and "rosa@example.org" not in page.content()
    page.get_by_role("link", name="Street light faults").click()
    assert page.get_by_role("link", name="Street light faults 2025").count() == 1
    assert "Abbey ward only." in page.locator("main").inner_text()

    # and in the statistics, as a table and a chart drawn by Chart.js
    visit(page, "/data-requests/statistics/")
    table = page.locator("table").inner_text()
    assert "Kingsbridge Council" in table
    assert "100%" in table
    page.wait_for_function("() => window.Chart && Chart.getChart('request-statistics-chart')")


def test_the_request_form_works_without_javascript(no_js_page, live_server):
    resident = UserFactory()
    sign_in(no_js_page, resident)
    visit(no_js_page, "/data-requests/new/")
    no_js_page.get_by_label("Give your request a short title").fill("Potholes")
    no_js_page.get_by_label("What data do you want?").fill("Every pothole reported.")
    _submit(no_js_page, "Send the request")
    assert no_js_page.locator("h1").inner_text() == "Potholes"
    assert DataRequest.objects.get().title == "Potholes"
