"""Auth and scopes, rate limits, fault injection, the request log, reset, the page and the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import urllib3

from cosell_local.hubspot import HubSpotEmulator
from cosell_local.hubspot.ratelimit import Tier
from cosell_local.malformed import MalformedAnswer

from .conftest import DEALS_READ_ONLY_TOKEN, REP_TOKEN, TOKEN

if TYPE_CHECKING:
    from .conftest import Api


def test_missing_or_unknown_token_is_401_with_hubspots_body(api: Api) -> None:
    for caller in (api.as_token(None), api.as_token("pat-na1-forged")):
        answer = caller.get("/crm/v3/objects/deals")
        assert answer.status == 401
        assert answer.body["category"] == "INVALID_AUTHENTICATION"
        assert answer.body["status"] == "error"
        assert answer.body["correlationId"]


def test_missing_scope_is_403_missing_scopes(api: Api) -> None:
    narrow = api.as_token(DEALS_READ_ONLY_TOKEN)

    assert narrow.get("/crm/v3/objects/deals").status == 200
    denied = narrow.post("/crm/v3/objects/deals", {"properties": {"dealname": "x"}})
    no_companies = narrow.get("/crm/v3/objects/companies")
    no_schema = narrow.post("/crm/v3/properties/deals/groups", {"name": "g", "label": "G"})

    assert denied.status == 403
    assert denied.body["category"] == "MISSING_SCOPES"
    assert denied.body["errors"][0]["context"] == {"requiredGranularScopes": ["crm.objects.deals.write"]}
    assert no_companies.body["errors"][0]["context"]["requiredGranularScopes"] == [
        "crm.objects.companies.read"
    ]
    assert no_schema.status == 403
    assert api.get("/crm/v3/objects/deals").body["results"] == []


def test_ten_second_window_429_with_headers_then_recovery(api: Api, emulator: HubSpotEmulator) -> None:
    statuses = [api.get("/crm/v3/owners").status for _ in range(100)]
    limited = api.get("/crm/v3/owners")

    assert statuses == [200] * 100
    assert limited.status == 429
    assert limited.body["errorType"] == "RATE_LIMIT"
    assert limited.body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert limited.body["correlationId"]
    assert limited.headers["X-HubSpot-RateLimit-Max"] == "100"
    assert limited.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert limited.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert limited.headers["X-HubSpot-RateLimit-Daily"] == "250000"

    emulator.advance_clock(10)
    recovered = api.get("/crm/v3/owners")
    assert recovered.status == 200
    assert recovered.headers["X-HubSpot-RateLimit-Remaining"] == "99"
    assert recovered.headers["X-HubSpot-RateLimit-Daily-Remaining"] == str(250_000 - 101)


def test_window_is_rolling_not_fixed(api: Api, emulator: HubSpotEmulator) -> None:
    emulator.clock.freeze()  # only advance_clock moves time: the windows do not depend on machine speed
    for _ in range(60):
        api.get("/crm/v3/owners")
    emulator.advance_clock(6)
    for _ in range(40):
        api.get("/crm/v3/owners")
    assert api.get("/crm/v3/owners").status == 429

    emulator.advance_clock(4.5)  # the first 60 calls have left the window, the last 40 have not
    assert api.get("/crm/v3/owners").headers["X-HubSpot-RateLimit-Remaining"] == "59"


def test_each_token_has_its_own_budget(api: Api) -> None:
    for _ in range(100):
        api.get("/crm/v3/owners")

    assert api.get("/crm/v3/owners").status == 429
    assert api.as_token(REP_TOKEN).get("/crm/v3/owners").status == 200


def test_search_is_limited_to_5_per_second(api: Api, emulator: HubSpotEmulator) -> None:
    emulator.clock.freeze()
    answers = [api.post("/crm/v3/objects/deals/search", {}) for _ in range(6)]

    assert [a.status for a in answers] == [200] * 5 + [429]
    assert answers[-1].headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "1000"
    assert api.get("/crm/v3/objects/deals").status == 200  # other endpoints are unaffected
    emulator.advance_clock(1)
    assert api.post("/crm/v3/objects/deals/search", {}).status == 200


def test_daily_limit_by_tier() -> None:
    with HubSpotEmulator(tokens=[TOKEN], tier="enterprise") as enterprise:
        answer = urllib3.request(
            "GET", f"{enterprise.base_url}/crm/v3/owners", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert answer.headers["X-HubSpot-RateLimit-Max"] == "190"
        assert answer.headers["X-HubSpot-RateLimit-Daily"] == "1000000"
        enterprise.rate_limits.reset()
        enterprise.rate_limits.tier = Tier(per_ten_seconds=1000, per_day=3)  # a day's budget, shrunk
        statuses = [
            urllib3.request(
                "GET", f"{enterprise.base_url}/crm/v3/owners", headers={"Authorization": f"Bearer {TOKEN}"}
            )
            for _ in range(4)
        ]
        assert [s.status for s in statuses] == [200, 200, 200, 429]
        assert statuses[-1].json()["policyName"] == "DAILY"


def test_scripted_faults_then_normal_service(api: Api, emulator: HubSpotEmulator) -> None:
    emulator.faults.fail_next(503, times=2, path_prefix="/crm/v3/objects/deals")
    emulator.faults.fail_next(423, path_prefix="/crm/v3/owners")
    emulator.faults.fail_next(429, path_prefix="/crm/v3/pipelines")

    assert [api.get("/crm/v3/objects/deals").status for _ in range(3)] == [503, 503, 200]
    locked = api.get("/crm/v3/owners")
    assert locked.status == 423
    assert locked.body["category"] == "LOCKED"
    burst = api.get("/crm/v3/pipelines/deals")
    assert burst.status == 429
    assert burst.body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert burst.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert api.get("/crm/v3/owners").status == 200


def test_a_malformed_answer_changes_the_real_one_for_the_requests_it_matches(
    api: Api, emulator: HubSpotEmulator
) -> None:
    deal = api.create("deals", {"dealname": "Spoiled"})
    emulator.faults.answer_next(
        MalformedAnswer(remove=("createdAt",), replace={"properties": ["x"]}),
        path_prefix="/crm/v3/objects/deals/",
        method="GET",
    )
    assert api.get("/crm/v3/objects/deals").status == 200  # the list: another path
    spoiled = api.get(f"/crm/v3/objects/deals/{deal['id']}")
    assert (spoiled.status, spoiled.body["properties"], "createdAt" in spoiled.body) == (200, ["x"], False)
    assert emulator.faults.answers_left() == 0
    assert api.get(f"/crm/v3/objects/deals/{deal['id']}").body["properties"]["dealname"] == "Spoiled"
    assert [entry.status for entry in emulator.requests] == [201, 200, 200, 200]


def test_a_gateway_page_answers_before_hubspot_sees_the_request(api: Api, emulator: HubSpotEmulator) -> None:
    http = urllib3.PoolManager()
    scripted = http.request(
        "POST",
        f"{emulator.base_url}/_emulator/faults",
        json={
            "answer": {"status": 502, "body": "<html>Bad gateway</html>", "content_type": "text/html", "handled": False},
            "pathPrefix": "/crm/v3/objects/deals",
            "method": "POST",
        },
    )  # fmt: skip
    assert scripted.status == 204
    answer = http.request(
        "POST",
        f"{emulator.base_url}/crm/v3/objects/deals",
        json={"properties": {"dealname": "Never made"}},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert (answer.status, answer.headers["Content-Type"], answer.data) == (
        502,
        "text/html",
        b"<html>Bad gateway</html>",
    )
    assert api.get("/crm/v3/objects/deals").body["results"] == []
    refused = http.request("POST", f"{emulator.base_url}/_emulator/faults", json={"answer": {"colour": 1}})
    assert refused.status == 400
    assert "unknown malformed-answer setting(s): colour" in refused.json()["message"]


def test_random_faults_are_reproducible_by_seed(emulator: HubSpotEmulator, api: Api) -> None:
    def run() -> list[int]:
        emulator.reset()
        emulator.faults.fail_randomly(500, probability=0.5)
        return [api.get("/crm/v3/owners").status for _ in range(20)]

    first = run()
    assert first == run()
    assert 0 < first.count(500) < 20


def test_latency_injection(api: Api, emulator: HubSpotEmulator) -> None:
    emulator.faults.add_latency(0.2)
    started = time.monotonic()
    api.get("/crm/v3/owners")
    assert time.monotonic() - started >= 0.2


def test_request_log_counts_calls_and_who_made_them(api: Api, emulator: HubSpotEmulator) -> None:
    api.create("deals", {"dealname": "x"})
    api.as_token(REP_TOKEN).get("/crm/v3/objects/deals?limit=5")
    api.as_token("nope").get("/crm/v3/objects/deals")

    assert emulator.request_count("POST", "/crm/v3/objects/deals") == 1
    assert emulator.request_count(path_prefix="/crm/v3/objects/deals") == 3
    logged = emulator.requests
    assert [(e.status, e.by_rep) for e in logged] == [(201, False), (200, True), (401, None)]
    assert logged[0].body == {"properties": {"dealname": "x"}}
    assert logged[1].query == "limit=5"


def test_reset_forgets_records_log_and_faults(api: Api, emulator: HubSpotEmulator) -> None:
    api.create("deals", {"dealname": "x"})
    emulator.faults.fail_next(500, times=5)

    emulator.reset()

    assert emulator.requests == []
    assert api.get("/crm/v3/objects/deals").body["results"] == []


def test_http_control_endpoints(api: Api, emulator: HubSpotEmulator) -> None:
    http = urllib3.PoolManager()
    api.create("deals", {"dealname": "x"})
    faults = http.request("POST", f"{emulator.base_url}/_emulator/faults", json={"status": 502, "times": 1})
    assert faults.status == 204
    assert api.get("/crm/v3/owners").status == 502
    log = http.request("GET", f"{emulator.base_url}/_emulator/requests").json()
    assert [entry["status"] for entry in log["results"]] == [201, 502]
    assert http.request("POST", f"{emulator.base_url}/_emulator/reset").status == 204
    assert api.get("/crm/v3/objects/deals").body["results"] == []


def test_page_lists_deals_with_aws_properties_notes_and_tasks(api: Api, emulator: HubSpotEmulator) -> None:
    api.post(
        "/crm/v3/properties/deals",
        {
            "name": "aws_opportunity_id",
            "label": "Opp",
            "type": "string",
            "fieldType": "text",
            "groupName": "dealinformation",
        },
    )
    deal = api.create("deals", {"dealname": "Acme <migration>", "aws_opportunity_id": "O1234567"})
    link = [
        {
            "to": {"id": deal["id"]},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 214}],
        }
    ]
    api.create("notes", {"hs_timestamp": "0", "hs_note_body": "Submitted to AWS"}, associations=link)

    page = urllib3.request("GET", f"{emulator.base_url}/")

    assert page.status == 200
    html = page.data.decode()
    assert "Acme &lt;migration&gt;" in html
    assert "aws_opportunity_id" in html
    assert "O1234567" in html
    assert "Submitted to AWS" in html


def test_cli_serves_until_terminated() -> None:
    env = {**os.environ, "HUBSPOT_ACCESS_TOKEN": "pat-from-env"}
    command = [
        sys.executable,
        "-c",
        "import sys; from cosell.cli.main import main; sys.exit(main(sys.argv[1:]))",
    ]
    process = subprocess.Popen(
        [*command, "emulate", "hubspot", "--port", "0", "--token", "pat-cli", "--tier", "professional"],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        for token in ("pat-cli", "pat-from-env"):
            answer = urllib3.request(
                "GET", f"{ready['url']}/crm/v3/owners", headers={"Authorization": f"Bearer {token}"}
            )
            assert answer.status == 200
            assert answer.headers["X-HubSpot-RateLimit-Max"] == "190"
        assert (
            urllib3.request(
                "GET", f"{ready['url']}/crm/v3/owners", headers={"Authorization": "Bearer x"}
            ).status
            == 401
        )
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
