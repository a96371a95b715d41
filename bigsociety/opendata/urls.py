"""Open-data URLs: the catalogue (urls_catalogue.py) and right-to-data requests
(urls_requests.py)."""

from . import urls_catalogue, urls_requests

app_name = "opendata"

urlpatterns = [*urls_catalogue.urlpatterns, *urls_requests.urlpatterns]
