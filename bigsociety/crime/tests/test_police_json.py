"""The street-crime JSON is written directly: it must be exactly json.dumps of crime_dict."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from bigsociety.crime.police_api import _CrimeEncoder, crime_dict

JAN, MAR = dt.date(2024, 1, 1), dt.date(2024, 3, 1)
text = st.text(max_size=20)
rows = st.tuples(
    st.integers(min_value=1, max_value=2**40),
    st.sampled_from(["burglary", "anti-social-behaviour", "violent-crime"]),
    st.one_of(st.just(""), st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)),
    st.one_of(st.none(), st.floats(min_value=49, max_value=61.5)),
    st.floats(min_value=-9, max_value=2.5),
    st.one_of(st.none(), st.integers(min_value=1, max_value=2**31 - 1)),
    text,
    text,
    st.sampled_from([JAN, MAR]),
    st.one_of(st.just(""), text),
    st.one_of(st.none(), st.just(MAR)),
    st.sampled_from(["btp", "metropolitan", "city-of-london"]),
)


@given(row=rows)
def test_the_encoder_writes_what_json_dumps_writes(row):
    row = list(row)
    if row[3] is None:  # no location: no longitude and no location id either
        row[4] = row[5] = None
    row = tuple(row)
    expected = json.dumps(crime_dict(row), separators=(",", ":"))
    assert _CrimeEncoder().item(row) == expected


def test_awkward_text_is_escaped_like_json_dumps():
    row = (7, "burglary", "ab" * 32, 51.5, -0.12, 9, 'On or near "Café" \\ Road\n', "ctx\t\u2028",
           JAN, "Under investigation", None, "btp")  # fmt: skip
    assert _CrimeEncoder().item(row) == json.dumps(crime_dict(row), separators=(",", ":"))
