"""The #AWS tag rule (docs/MAPPING.md): any case, whole token."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cosell.domain.tag import is_tagged, with_tag, without_tag


@pytest.mark.parametrize(
    "name",
    [
        "BigCorp Cloud Migration #AWS",
        "#AWS BigCorp",
        "#aws",
        "BigCorp (#Aws)",
        "BigCorp #AWS, phase 2",
        "x #AWS.",
    ],
)
def test_tagged(name: str) -> None:
    assert is_tagged(name)


@pytest.mark.parametrize(
    "name",
    [
        None,
        "",
        "BigCorp AWS migration",
        "BigCorp #AWSome",
        "BigCorp #AWS2",
        "BigCorp#AWS",
        "#aws-later",
        "##AWS",
    ],
)
def test_not_tagged(name: str | None) -> None:
    assert not is_tagged(name)


def test_without_tag_makes_the_title() -> None:
    assert without_tag("BigCorp  Cloud Migration #AWS") == "BigCorp Cloud Migration"
    assert without_tag("#aws BigCorp #AWS") == "BigCorp"


@given(st.text(max_size=80))
def test_with_tag_always_tags_and_round_trips(name: str) -> None:
    tagged = with_tag(name)
    assert is_tagged(tagged)
    assert with_tag(tagged) == tagged
