"""org-id identifiers (https://org-id.guide): a list code, a hyphen, the registration number.

Each UK list we accept is checked by its prefix and the format of its registration numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class OrgIdList:
    code: str
    register: str
    pattern: str
    example: str


ORG_ID_LISTS: dict[str, OrgIdList] = {
    item.code: item
    for item in [
        OrgIdList(
            "GB-CHC", "Charity Commission (England and Wales)", r"[0-9]{6,7}", "GB-CHC-1164883"
        ),
        OrgIdList("GB-SC", "Scottish Charity Regulator (OSCR)", r"SC[0-9]{6}", "GB-SC-SC012345"),
        OrgIdList(
            "GB-NIC", "Charity Commission for Northern Ireland", r"1[0-9]{5}", "GB-NIC-100002"
        ),
        OrgIdList(
            "GB-COH",
            "Companies House",
            r"(?:[0-9]{8}|(?:SC|NI|OC|SO|NC|R0|IP|SP|NP|SL|NL|FC|SF|NF|LP|RC|SR|NR|SE|GE|NO|NZ)[0-9]{6})",
            "GB-COH-09506232",
        ),
        OrgIdList("GB-MPR", "Mutuals Public Register", r"(?:IP|RS)?[0-9]{1,6}R?", "GB-MPR-30209R"),
        OrgIdList("GB-REV", "HMRC charities", r"[A-Z]{1,2}[0-9]{1,6}", "GB-REV-XT12345"),
        OrgIdList(
            "GB-CASC", "Community amateur sports clubs", r"[A-Z0-9]{2,10}", "GB-CASC-CA00123"
        ),
        OrgIdList("GB-LAE", "Local authorities (England)", r"[A-Z]{3,4}", "GB-LAE-BIR"),
        OrgIdList("GB-LAS", "Local authorities (Scotland)", r"[A-Z]{3,4}", "GB-LAS-ABE"),
        OrgIdList("GB-PLA", "Principal local authorities (Wales)", r"[A-Z]{3,4}", "GB-PLA-CRF"),
        OrgIdList("GB-LANI", "Local authorities (Northern Ireland)", r"[A-Z]{3,4}", "GB-LANI-BFS"),
        OrgIdList("GB-EDU", "Schools (England and Wales)", r"[0-9]{6}", "GB-EDU-100000"),
        OrgIdList(
            "GB-UKPRN", "UK Register of Learning Providers", r"1[0-9]{7}", "GB-UKPRN-10007788"
        ),
        OrgIdList(
            "GB-GOR", "Government Organisation Register", r"[A-Z]{1,2}[0-9]{1,4}", "GB-GOR-D1234"
        ),
        OrgIdList("GB-NHS", "NHS Organisation Data Service", r"[A-Z0-9]{3,6}", "GB-NHS-RTH"),
        OrgIdList(
            "GB-SHPE", "Registered social housing providers", r"[A-Z0-9]{4,8}", "GB-SHPE-L0001"
        ),
    ]
}


def normalise_org_id(value: str) -> str:
    """Tidy what someone typed: no surrounding or inner spaces, capital letters.

    ``" gb-chc 1164883 "`` becomes ``"GB-CHC-1164883"`` (a space between the list code and the
    number is read as the hyphen)."""
    text = (value or "").strip().upper()
    for code in sorted(ORG_ID_LISTS, key=len, reverse=True):
        if text.startswith(code + " "):
            text = code + "-" + text[len(code) :].strip()
            break
    return "".join(text.split())


def org_id_list(value: str) -> OrgIdList | None:
    """The list (register) an org-id belongs to, or None for a blank or unknown one."""
    match = re.fullmatch(r"(GB-[A-Z]+)-(.+)", value or "")
    return ORG_ID_LISTS.get(match.group(1)) if match else None


def validate_org_id(value: str) -> None:
    """Raise ValidationError unless ``value`` is a known UK org-id with a well-formed number."""
    match = re.fullmatch(r"(GB-[A-Z]+)-(.+)", value or "")
    if not match:
        raise ValidationError(
            _("Enter an org-id such as GB-CHC-1164883: a list code, a hyphen, then the number."),
            code="format",
        )
    code, number = match.groups()
    org_list = ORG_ID_LISTS.get(code)
    if org_list is None:
        raise ValidationError(
            _("%(code)s is not a list we recognise. Use one of: %(codes)s."),
            code="unknown_list",
            params={"code": code, "codes": ", ".join(ORG_ID_LISTS)},
        )
    if not re.fullmatch(org_list.pattern, number):
        raise ValidationError(
            _("%(number)s is not a valid %(register)s number. For example: %(example)s."),
            code="number",
            params={"number": number, "register": org_list.register, "example": org_list.example},
        )
