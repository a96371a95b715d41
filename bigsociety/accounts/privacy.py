"""Each person's right to their data: export it all, or erase it.

Apps above accounts register what they hold about a person here (in their AppConfig.ready),
so accounts can gather and erase it without importing them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]

_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}


def register(name: str, *, export: Exporter, erase: Eraser | None = None) -> None:
    """Register one app's part of a person's data. ``export(user)`` returns JSON-ready data;
    ``erase(user)`` removes or anonymises what must not outlive the account."""
    _exporters[name] = export
    if erase is not None:
        _erasers[name] = erase


def exporters() -> dict[str, Exporter]:
    return dict(_exporters)


def erasers() -> dict[str, Eraser]:
    return dict(_erasers)
