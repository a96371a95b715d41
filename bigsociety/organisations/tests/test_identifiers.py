import pytest
from django.core.exceptions import ValidationError

from bigsociety.organisations.identifiers import (
    ORG_ID_LISTS,
    normalise_org_id,
    org_id_list,
    validate_org_id,
)

GOOD = {
    "GB-CHC": ["GB-CHC-1164883", "GB-CHC-210183", "GB-CHC-1000000"],
    "GB-SC": ["GB-SC-SC012345", "GB-SC-SC049432"],
    "GB-NIC": ["GB-NIC-100002", "GB-NIC-105476"],
    "GB-COH": ["GB-COH-09506232", "GB-COH-SC123456", "GB-COH-NI612345", "GB-COH-OC300001"],
    "GB-MPR": ["GB-MPR-30209R", "GB-MPR-IP30209R", "GB-MPR-RS007123", "GB-MPR-7123"],
    "GB-REV": ["GB-REV-XT12345", "GB-REV-X1"],
    "GB-CASC": ["GB-CASC-CA00123", "GB-CASC-AB"],
    "GB-LAE": ["GB-LAE-BIR", "GB-LAE-KBGE"],
    "GB-LAS": ["GB-LAS-ABE", "GB-LAS-EDIN"],
    "GB-PLA": ["GB-PLA-CRF", "GB-PLA-SWAN"],
    "GB-LANI": ["GB-LANI-BFS", "GB-LANI-DRY"],
    "GB-EDU": ["GB-EDU-100000", "GB-EDU-139847"],
    "GB-UKPRN": ["GB-UKPRN-10007788", "GB-UKPRN-19999999"],
    "GB-GOR": ["GB-GOR-D1234", "GB-GOR-PB1"],
    "GB-NHS": ["GB-NHS-RTH", "GB-NHS-A81001"],
    "GB-SHPE": ["GB-SHPE-L0001", "GB-SHPE-4805"],
}

BAD = {
    "GB-CHC": ["GB-CHC-12345", "GB-CHC-12345678", "GB-CHC-SC012345", "GB-CHC-116488A"],
    "GB-SC": ["GB-SC-012345", "GB-SC-SC12345", "GB-SC-NI012345"],
    "GB-NIC": ["GB-NIC-200002", "GB-NIC-10002", "GB-NIC-NIC100002"],
    "GB-COH": ["GB-COH-9506232", "GB-COH-XX123456", "GB-COH-SC12345", "GB-COH-095062321"],
    "GB-MPR": ["GB-MPR-1234567", "GB-MPR-XY30209R", "GB-MPR-R"],
    "GB-REV": ["GB-REV-123", "GB-REV-ABC123"],
    "GB-CASC": ["GB-CASC-A", "GB-CASC-ABCDEFGHIJK"],
    "GB-LAE": ["GB-LAE-BI", "GB-LAE-BIRMI", "GB-LAE-B1R"],
    "GB-LAS": ["GB-LAS-AB", "GB-LAS-12A"],
    "GB-PLA": ["GB-PLA-CR", "GB-PLA-CARDI"],
    "GB-LANI": ["GB-LANI-B", "GB-LANI-BF5"],
    "GB-EDU": ["GB-EDU-10000", "GB-EDU-1000000", "GB-EDU-A00000"],
    "GB-UKPRN": ["GB-UKPRN-20007788", "GB-UKPRN-1000778"],
    "GB-GOR": ["GB-GOR-12345", "GB-GOR-D12345"],
    "GB-NHS": ["GB-NHS-RT", "GB-NHS-RTH1234"],
    "GB-SHPE": ["GB-SHPE-L01", "GB-SHPE-L00012345"],
}


def test_every_list_has_good_and_bad_examples():
    assert set(GOOD) == set(ORG_ID_LISTS)
    assert set(BAD) == set(ORG_ID_LISTS)


@pytest.mark.parametrize("code", sorted(ORG_ID_LISTS))
def test_each_lists_own_example_is_valid(code):
    validate_org_id(ORG_ID_LISTS[code].example)


@pytest.mark.parametrize("value", [v for values in GOOD.values() for v in values])
def test_good_org_ids_pass(value):
    # when / then: no error
    validate_org_id(value)
    assert org_id_list(value) is ORG_ID_LISTS[value.rsplit("-", 1)[0]]


@pytest.mark.parametrize("value", [v for values in BAD.values() for v in values])
def test_bad_numbers_are_refused_naming_the_register(value):
    with pytest.raises(ValidationError) as error:
        validate_org_id(value)
    assert error.value.code == "number"
    register = ORG_ID_LISTS[value.rsplit("-", 1)[0]].register
    assert register in error.value.messages[0]


@pytest.mark.parametrize("value", ["GB-XYZ-123456", "US-EIN-123456789", "XI-GRID-1"])
def test_unknown_lists_are_refused(value):
    with pytest.raises(ValidationError) as error:
        validate_org_id(value)
    assert error.value.code in {"unknown_list", "format"}


@pytest.mark.parametrize("value", ["", "1164883", "GB-CHC", "GBCHC1164883", "gb-chc-1164883"])
def test_malformed_org_ids_are_refused(value):
    with pytest.raises(ValidationError) as error:
        validate_org_id(value)
    assert error.value.code == "format"


@pytest.mark.parametrize(
    ("typed", "tidied"),
    [
        (" gb-chc-1164883 ", "GB-CHC-1164883"),
        ("GB-CHC 1164883", "GB-CHC-1164883"),
        ("gb-coh-sc 123456", "GB-COH-SC123456"),
        ("GB-LANI BFS", "GB-LANI-BFS"),
        ("", ""),
    ],
)
def test_normalise_tidies_what_people_type(typed, tidied):
    assert normalise_org_id(typed) == tidied


def test_org_id_list_of_blank_or_unknown_is_none():
    assert org_id_list("") is None
    assert org_id_list("GB-XYZ-1") is None
