"""Open-data models: the catalogue (catalogue.py) and right-to-data requests (requests.py)."""

from .catalogue import *  # noqa: F403
from .requests import *  # noqa: F403
