"""cosell's Partner Central client against malformed answers the emulator serves: the call fails naming each
member, and the attempt ends as every other does, so the pacer frees its budget (a malformed answer must not
hold every other request of the budget for the in-flight lease)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from cosell.partner_central.answers import MalformedAnswerError, register_answer_checks
from cosell.partner_central.client import paced
from tests.integration.partner_central.conftest import create, make_client

if TYPE_CHECKING:
    from cosell_local.partner_central import ControlApi, PartnerCentralEmulator


class RecordingPacer:
    """Takes every slot at once, and says what it was asked, in order."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def reserve(self) -> int:
        self.asked.append("slot")
        return 0

    def depart(self, gap_ms: int) -> float:
        self.asked.append("sent")
        return 0.0

    def answered(self, sent: float) -> None:
        self.asked.append("answered")

    def throttled(self) -> float:
        self.asked.append("throttled")
        return 0.0


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        (
            {"replace": {"LifeCycle": "Prospect"}},
            "LifeCycle is not an object",
        ),  # botocore raised inside itself
        ({"replace": {"LastModifiedDate": "yesterday"}}, "LastModifiedDate is not a date and time"),
        ({"truncate": 20}, "the body is not JSON (20 bytes"),
        ({"remove": ["LifeCycle.Stage"]}, "LifeCycle.Stage is missing"),
    ],
)
def test_a_malformed_answer_fails_the_call_named_and_frees_the_pacers_budget(
    emulator: PartnerCentralEmulator, control: ControlApi, answer: dict[str, object], named: str
) -> None:
    client = make_client(emulator.url)
    register_answer_checks(client)
    reads = RecordingPacer()
    client = paced(client, writes=RecordingPacer(), reads=reads)
    identifier = create(client)
    control.answer_next("GetOpportunity", **answer)

    with pytest.raises(
        MalformedAnswerError,
        match=f"Partner Central's GetOpportunity answer is malformed: .*{re.escape(named)}",
    ):
        client.get_opportunity(Catalog="Sandbox", Identifier=identifier)

    assert reads.asked == ["slot", "sent", "answered"]
    assert client.get_opportunity(Catalog="Sandbox", Identifier=identifier)["Id"] == identifier
