"""HubSpot deal → CreateOpportunity fields: every mapped field, every pre-flight problem, and a property:
any deal gives a request Partner Central's model accepts, or a list of problems — never an exception."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import botocore.session
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from cosell.domain.deal import CompanyView, DealView, Person
from cosell.domain.mapping_rules import MappingRules
from cosell.domain.tag import with_tag, without_tag
from cosell.domain.text import without_control_characters
from cosell.domain.to_partner_central import map_deal, normalise_phone
from cosell.partner_central.schema import vocabulary
from cosell_local.partner_central.business_rules import field_errors
from cosell_local.partner_central.validation import validate

TODAY = date(2026, 11, 29)
RULES = MappingRules()
VOCABULARY = vocabulary()
CREATE_SHAPE = (
    botocore.session.get_session()
    .get_service_model("partnercentral-selling")
    .operation_model("CreateOpportunity")
    .input_shape
)

COMPANY = CompanyView(
    company_id="201",
    name="BigCorp Inc.",
    domain="bigcorp.example",
    industry="COMPUTER_SOFTWARE",
    street_address="1 Main St",
    city="Springfield",
    state="Illinois",
    postal_code="62701",
    country="United States",
)
DEAL = DealView(
    deal_id="101",
    name="BigCorp Cloud Migration #AWS",
    description="Move the on-premises ERP to AWS to cut hosting costs by 40%.",
    pipeline_id="default",
    stage_id="qualifiedtobuy",
    close_date=date(2027, 3, 31),
    amount=Decimal("120000"),
    currency_code="EUR",
    owner=Person(email="Rep@Partner.example", first_name="Riley", last_name="Rep", job_title="AE"),
    company=COMPANY,
    contacts=(
        Person(email="CTO@BigCorp.example", first_name="Casey", last_name="Tech", phone="+1 (415) 555-0134"),
        Person(email="not-an-email", first_name="Nobody"),
        Person(email="buyer@bigcorp.example", phone="555-0100"),
    ),
)


def request_for(fields: dict[str, object]) -> dict[str, object]:
    return {"Catalog": "Sandbox", "ClientToken": "cosell-deal-101", **fields}


def problems_of(deal: DealView) -> list[str]:
    result = map_deal(deal, RULES, VOCABULARY, TODAY)
    assert not result.ok
    return [str(problem) for problem in result.problems]


def test_complete_deal_maps_every_field() -> None:
    result = map_deal(DEAL, RULES, VOCABULARY, TODAY)
    assert result.ok
    fields = result.fields
    assert fields is not None
    assert fields["Origin"] == "Partner Referral"
    assert fields["PartnerOpportunityIdentifier"] == "101"
    assert fields["Project"]["Title"] == "BigCorp Cloud Migration"
    assert fields["Project"]["CustomerBusinessProblem"] == DEAL.description
    assert fields["Project"]["ExpectedCustomerSpend"] == [
        {"Amount": "10000.00", "CurrencyCode": "EUR", "Frequency": "Monthly", "TargetCompany": "AWS"}
    ]
    assert fields["LifeCycle"] == {"Stage": "Qualified", "TargetCloseDate": "2027-03-31"}
    account = fields["Customer"]["Account"]
    assert account == {
        "CompanyName": "BigCorp Inc.",
        "WebsiteUrl": "https://bigcorp.example",
        "Industry": "Software and Internet",
        "Address": {
            "StreetAddress": "1 Main St",
            "City": "Springfield",
            "StateOrRegion": "Illinois",
            "PostalCode": "62701",
            "CountryCode": "US",
        },
    }
    assert fields["Customer"]["Contacts"] == [
        {
            "Email": "cto@bigcorp.example",
            "BusinessTitle": "Customer contact",
            "FirstName": "Casey",
            "LastName": "Tech",
            "Phone": "+14155550134",
        },
        {"Email": "buyer@bigcorp.example", "BusinessTitle": "Customer contact"},
    ]
    assert fields["OpportunityTeam"] == [
        {
            "Email": "rep@partner.example",
            "BusinessTitle": "PartnerAccountManager",
            "FirstName": "Riley",
            "LastName": "Rep",
        }
    ]
    assert fields["OpportunityType"] == "Net New Business"
    assert fields["PrimaryNeedsFromAws"] == ["Co-Sell - Deal Support"]
    assert fields["NationalSecurity"] == "No"
    assert validate(CREATE_SHAPE, request_for(fields)) == []
    assert field_errors(request_for(fields), TODAY) == []
    assert result.warnings == (
        "Contact Nobody left out: e-mail is missing or not one Partner Central accepts",
        "Contact buyer@bigcorp.example phone left out: not in international (E.164) form, e.g. +14155550134",
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"description": "Too short"}, "Deal description: Partner Central needs the customer's business problem in 20 to 2,000 characters; the description has 9."),
        ({"description": "x" * 2001}, "Deal description: is 2,001 characters"),
        ({"company": None}, "Company: the deal has no associated company"),
        ({"company": replace(COMPANY, domain=None)}, "Company domain: is empty; Partner Central needs the customer's website"),
        ({"company": replace(COMPANY, name=" ")}, "Company name: is empty"),
        ({"company": replace(COMPANY, industry=None)}, "Company industry: is empty"),
        ({"company": replace(COMPANY, country="Narnia")}, "Company country: 'Narnia' is not a country Partner Central knows"),
        ({"close_date": date(2026, 11, 28)}, "Close date: 2026-11-28 is in the past"),
        ({"close_date": None}, "Close date: is empty"),
        ({"stage_id": "1234567"}, "Deal stage: stage '1234567' of pipeline 'default' has no Partner Central stage"),
        ({"stage_id": "closedlost"}, "Deal stage: is closed lost"),
        ({"stage_id": "contractsent"}, "Deal stage: maps to Committed, which Partner Central accepts only with a solution"),
        ({"amount": None}, "Deal amount: is empty"),
        ({"amount": Decimal(-5)}, "Deal amount: is negative"),
        ({"currency_code": "XYZ"}, "Deal currency (deal_currency_code): XYZ is not a currency Partner Central accepts"),
        ({"name": "#AWS"}, "Deal name: has nothing besides the #AWS tag"),
        ({"name": "x" * 256 + " #AWS"}, "Deal name: is 256 characters; Partner Central takes at most 255"),
        ({"overrides": {"aws_national_security": "Yes"}}, "AWS national security (aws_national_security): is Yes, which Partner Central allows only for Government"),
        ({"overrides": {"aws_opportunity_type": "Upsell"}}, "AWS setting (aws_opportunity_type): 'Upsell' is not a value"),
        ({"overrides": {"aws_primary_needs": "Co-Sell - Deal Support;Free money"}}, "AWS setting (aws_primary_needs): Free money is not a value"),
    ],
)  # fmt: skip
def test_each_problem_names_the_field_and_the_fix(change: dict[str, object], expected: str) -> None:
    problems = problems_of(replace(DEAL, **change))  # type: ignore[arg-type]
    assert any(problem.startswith(expected) for problem in problems), problems


def test_several_problems_are_reported_together() -> None:
    problems = problems_of(replace(DEAL, description="short", company=None))
    assert len(problems) == 2


def test_unmapped_industry_becomes_other_with_its_label() -> None:
    result = map_deal(
        replace(DEAL, company=replace(COMPANY, industry="VETERINARY")), RULES, VOCABULARY, TODAY
    )
    assert result.fields is not None
    account = result.fields["Customer"]["Account"]
    assert (account["Industry"], account["OtherIndustry"]) == ("Other", "Veterinary")


def test_overrides_replace_defaults() -> None:
    deal = replace(
        DEAL,
        overrides={
            "aws_opportunity_type": "Expansion",
            "aws_delivery_models": "SaaS or PaaS;Managed Services",
            "aws_industry": "Healthcare",
        },
    )
    fields = map_deal(deal, RULES, VOCABULARY, TODAY).fields
    assert fields is not None
    assert fields["OpportunityType"] == "Expansion"
    assert fields["Project"]["DeliveryModels"] == ["SaaS or PaaS", "Managed Services"]
    assert fields["Customer"]["Account"]["Industry"] == "Healthcare"


def test_custom_pipeline_and_term_come_from_the_rules() -> None:
    rules = MappingRules(stage_map={"889": {"1001": "Technical Validation"}}, contract_term_months=24)
    deal = replace(DEAL, pipeline_id="889", stage_id="1001", amount=Decimal("1000"))
    fields = map_deal(deal, rules, VOCABULARY, TODAY).fields
    assert fields is not None
    assert fields["LifeCycle"]["Stage"] == "Technical Validation"
    assert fields["Project"]["ExpectedCustomerSpend"][0]["Amount"] == "41.67"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+1 (415) 555-0134", "+14155550134"),
        ("0049 30 1234567", "+49301234567"),
        ("+44.20.7946.0958", "+442079460958"),
        ("555-0100", None),
        ("+0 123", None),
        ("", None),
    ],
)
def test_phone_normalisation(raw: str, expected: str | None) -> None:
    assert normalise_phone(raw) == expected


# Each field is drawn from plausible values or from anything at all, so that hypothesis reaches both deals
# that pass every check (and must then satisfy the model) and deals that fail in one or several ways.
texts = st.text(max_size=300)
optional_texts = st.none() | texts
emails = st.emails() | optional_texts
phones = st.from_regex(r"\+?[0-9 ()-]{3,20}", fullmatch=True) | optional_texts
people = st.builds(Person, email=emails, first_name=optional_texts, last_name=optional_texts, phone=phones, job_title=optional_texts)  # fmt: skip
companies = st.builds(
    CompanyView,
    company_id=st.just("1"),
    name=st.text(min_size=1, max_size=130) | optional_texts,
    domain=st.from_regex(r"[a-z0-9-]{1,20}\.[a-z]{2,6}", fullmatch=True) | optional_texts,
    website=optional_texts,
    industry=st.sampled_from(sorted(RULES.industry_map)) | optional_texts,
    street_address=optional_texts,
    city=optional_texts,
    state=optional_texts,
    postal_code=optional_texts,
    country=st.sampled_from(["US", "Germany", "jp", "USA", "Narnia"]) | optional_texts,
)
deals = st.builds(
    DealView,
    deal_id=st.from_regex(r"[0-9]{1,12}", fullmatch=True),
    name=texts.map(with_tag) | optional_texts,
    description=st.text(min_size=20, max_size=2100) | optional_texts,
    pipeline_id=st.just("default") | optional_texts,
    stage_id=st.sampled_from(sorted(RULES.stage_map["default"])) | optional_texts,
    close_date=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    amount=st.none()
    | st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**35, min_value=-(10**6)),
    currency_code=st.none() | st.sampled_from(["USD", "EUR", "usd", "XXX", ""]),
    owner=st.none() | people,
    company=companies | st.none(),
    contacts=st.lists(people, max_size=12).map(tuple),
    overrides=st.dictionaries(
        st.sampled_from(
            ["aws_national_security", "aws_opportunity_type", "aws_industry", "aws_primary_needs"]
        ),
        st.sampled_from(
            ["Yes", "No", "Expansion", "Government", "Healthcare", "Co-Sell - Deal Support", "bogus"]
        ),
        max_size=3,
    ),
)


# Deals built from valid pieces, a few of which run past Partner Central's limits (names, lengths, amounts):
# these exercise the "maps" branch, where the request must satisfy the model exactly.
plain_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=100)


def around(limit: int) -> st.SearchStrategy[str]:
    """Short text, or text within a few characters of `limit` on either side."""
    return st.text(min_size=1, max_size=20) | st.text(min_size=limit - 3, max_size=limit + 3)


valid_people = st.builds(
    Person,
    email=st.emails(),
    first_name=plain_text,
    last_name=plain_text,
    phone=st.from_regex(r"\+[1-9][0-9]{1,3} ?\(?[0-9]{2,4}\)? ?[0-9]{3,6}", fullmatch=True) | st.none(),
    job_title=st.none() | plain_text,
)
plausible_deals = st.builds(
    DealView,
    deal_id=st.from_regex(r"[0-9]{1,12}", fullmatch=True),
    name=around(255).map(with_tag),
    description=around(20) | around(2000),
    pipeline_id=st.just("default"),
    stage_id=st.sampled_from(
        ["appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin"]
    ),
    close_date=st.dates(min_value=TODAY, max_value=date(2100, 1, 1)),
    amount=st.decimals(min_value=0, max_value=10**32, places=2, allow_nan=False, allow_infinity=False),
    currency_code=st.sampled_from(["USD", "EUR", "JPY", "gbp", None]),
    owner=st.none() | valid_people,
    company=st.builds(
        CompanyView,
        company_id=st.just("1"),
        name=around(120),
        domain=st.from_regex(
            r"[a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?\.[a-z]{2,6}", fullmatch=True
        ),  # a host name
        industry=st.sampled_from(sorted(RULES.industry_map)) | st.text(min_size=1, max_size=300),
        street_address=plain_text,
        city=plain_text,
        state=plain_text,
        postal_code=st.text(max_size=30),
        country=st.sampled_from(["US", "Germany", "jp", "USA", "United Kingdom", "BR"]),
    ),
    contacts=st.lists(valid_people, max_size=12).map(tuple),
)


@settings(max_examples=400, deadline=None)
@given(deal=plausible_deals | deals)
def test_any_deal_maps_to_a_model_valid_request_or_to_listed_problems(deal: DealView) -> None:
    result = map_deal(deal, RULES, VOCABULARY, TODAY)
    event("maps" if result.ok else "problems")
    if result.ok:
        assert result.fields is not None
        request = request_for(result.fields)
        assert validate(CREATE_SHAPE, request) == []
        assert field_errors(request, TODAY) == []
        assert not result.problems
    else:
        assert result.problems
        assert all(problem.field and problem.target and problem.message for problem in result.problems)


@settings(max_examples=100, deadline=None)
@given(deal=plausible_deals)
def test_plausible_deals_mostly_map(deal: DealView) -> None:
    """Guards the property above against vacuity: deals within every limit do map (as Partner Central will
    store them: without control characters)."""
    deal = without_control_characters(deal)
    within_limits = 0 < len(deal.company.name.strip()) <= 120 if deal.company and deal.company.name else False
    within_limits = within_limits and 20 <= len(" ".join((deal.description or "").split())) <= 2000
    within_limits = within_limits and len(without_tag(deal.name or "")) in range(1, 256)
    within_limits = within_limits and bool(deal.company and deal.company.industry)  # not only control chars
    if within_limits and deal.amount is not None and deal.amount < 10**30:
        assert map_deal(deal, RULES, VOCABULARY, TODAY).ok


def test_amounts_beyond_the_default_decimal_precision_keep_their_cents() -> None:
    """Partner Central takes 31 integer digits; Python's default context has 28 significant ones."""
    deal = replace(DEAL, amount=Decimal("1199999999999999999999999999.94"))
    fields = map_deal(deal, RULES, VOCABULARY, TODAY).fields
    assert fields is not None
    assert fields["Project"]["ExpectedCustomerSpend"][0]["Amount"] == "100000000000000000000000000.00"


@pytest.mark.parametrize(
    ("website", "domain", "sent"),
    [
        ("javascript:alert(1)", None, None),
        ("mailto:sales@contoso.com", None, None),
        ("contoso", None, None),
        ("contoso .com", None, None),
        ("javascript:alert(1)", "contoso.com", "https://contoso.com"),
        ("http://www.contoso.com/about", "ignored.example", "http://www.contoso.com/about"),
        (None, "contoso.co.uk:8443", "https://contoso.co.uk:8443"),
    ],
)
def test_only_a_web_address_is_sent_as_the_customers_website(
    website: str | None, domain: str | None, sent: str | None
) -> None:
    assert DEAL.company is not None
    deal = replace(DEAL, company=replace(DEAL.company, website=website, domain=domain))
    result = map_deal(deal, RULES, VOCABULARY, TODAY)
    if sent is None:
        (problem,) = result.problems
        assert (problem.field, problem.target) == ("Company domain", "Customer.Account.WebsiteUrl")
        assert "is not a web address" in problem.message
    else:
        assert result.fields is not None
        assert result.fields["Customer"]["Account"]["WebsiteUrl"] == sent


def test_control_characters_never_reach_partner_central_and_count_for_nothing() -> None:
    assert DEAL.company is not None
    deal = replace(
        DEAL,
        name="Contoso\x00 data\x1b platform #AWS",
        description="Move the warehouse\x07 to AWS,\nin two phases\x85.",
        company=replace(DEAL.company, name="Contoso\x08 Ltd"),
    )
    fields = map_deal(deal, RULES, VOCABULARY, TODAY).fields
    assert fields is not None
    assert fields["Project"]["Title"] == "Contoso data platform"
    assert fields["Project"]["CustomerBusinessProblem"] == "Move the warehouse to AWS, in two phases."
    assert fields["Customer"]["Account"]["CompanyName"] == "Contoso Ltd"
    short = replace(DEAL, description="nineteen characters" + "\x1b")  # 19 once cleaned: too short
    assert any(
        p.target == "Project.CustomerBusinessProblem"
        for p in map_deal(short, RULES, VOCABULARY, TODAY).problems
    )


def test_what_is_left_out_is_a_warning_naming_it() -> None:
    people = (
        Person(email="not an e-mail", first_name="Ann", last_name="Lee"),
        Person(email="bo@contoso.com", first_name="Bo", phone="425 555 0100"),
    )
    result = map_deal(replace(DEAL, contacts=people), RULES, VOCABULARY, TODAY)
    assert result.ok
    assert result.warnings == (
        "Contact Ann Lee left out: e-mail is missing or not one Partner Central accepts",
        "Contact Bo phone left out: not in international (E.164) form, e.g. +14155550134",
    )
