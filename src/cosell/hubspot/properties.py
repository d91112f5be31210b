"""The custom deal properties cosell reads and writes, grouped under "AWS Partner Central".

`cosell setup` creates them; docs/MAPPING.md describes each. Options of the override properties come from
Partner Central's own value sets, so a rep can only pick what Partner Central accepts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cosell.domain.deal_properties import (
    AWS_STAGE,
    DECISIONS,
    ENGAGEMENT_ID,
    ENGAGEMENT_MEMBERS,
    ENGAGEMENT_SCORE,
    ENGAGEMENT_SCORES,
    ENGAGEMENT_STATUS,
    ENGAGEMENT_TITLE,
    INVITATION_DECISION,
    INVITATION_EXPIRES_AT,
    INVITATION_ID,
    INVITATION_STATUS,
    INVITATION_STATUSES,
    INVOLVEMENT_CHANGE_REASON,
    INVOLVEMENT_TYPE,
    INVOLVEMENT_TYPES,
    LAST_SYNCED_AT,
    NEXT_BEST_ACTIONS,
    NEXT_STEPS,
    OPPORTUNITY_ID,
    OPPORTUNITY_URL,
    ORIGIN,
    ORIGINS,
    OVERRIDES,
    QUALITY_SCORE,
    QUALITY_TREND,
    RECOMMENDATIONS,
    REJECTION_REASON,
    REVIEW_COMMENTS,
    REVIEW_STATUS,
    REVIEW_STATUSES,
    SELLERS,
    SOLUTION_IDS,
    SOLUTIONS,
    SUBMISSION_REQUEST,
    SUBMISSION_STATUS,
    SUBMISSION_STATUSES,
    SUMMARY_UPDATED_AT,
    SYNC_ERROR,
    SYNC_STATUS,
    SYNC_STATUSES,
    SYNC_WAITING,
    SYNC_WARNINGS,
    VISIBILITIES,
    VISIBILITY,
)
from cosell.hubspot.models import PropertyDefinition, PropertyGroup, PropertyOption, SearchFilter

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cosell.domain.vocabulary import Vocabulary

GROUP = PropertyGroup(name="aws_partner_central", label="AWS Partner Central", display_order=-1)

# What the mapping reads from HubSpot's standard properties.
MAPPED_DEAL_PROPERTIES = (
    "dealname",
    "description",
    "pipeline",
    "dealstage",
    "closedate",
    "amount",
    "deal_currency_code",
    "hubspot_owner_id",
)
COMPANY_PROPERTIES = ("name", "domain", "website", "industry", "address", "city", "state", "zip", "country")
CONTACT_PROPERTIES = ("email", "firstname", "lastname", "phone", "mobilephone", "jobtitle")

# The webhook subscriptions cosell's HubSpot app needs (docs/MAPPING.md, "HubSpot webhook subscriptions"):
# every property cosell reads, and none it writes, so its own writes do not come back.
WEBHOOK_SUBSCRIPTIONS = (
    "deal.creation",
    "deal.deletion",
    "deal.merge",
    "deal.restore",
    "deal.associationChange",
    *(
        f"deal.propertyChange:{name}"
        for name in (
            *MAPPED_DEAL_PROPERTIES,
            *OVERRIDES,
            *SUBMISSION_REQUEST,
            INVITATION_DECISION,
            REJECTION_REASON,
            # cosell writes it once a pair is linked; before that, the rep names an opportunity to adopt.
            OPPORTUNITY_ID,
        )
    ),
    *(f"company.propertyChange:{name}" for name in COMPANY_PROPERTIES),
    *(f"contact.propertyChange:{name}" for name in CONTACT_PROPERTIES),
)


# HubSpot's search for names holding the `#AWS` tag's tokens (`aws`, or `#aws`): one filter group each; the
# tag's own rule (cosell.domain.tag) then keeps the tagged ones.
TAG_FILTERS = tuple(
    (SearchFilter(property_name="dealname", operator="CONTAINS_TOKEN", value=token),)
    for token in ("aws", "#aws")
)


def subscribed_properties(singular: str) -> tuple[str, ...]:
    """The properties of a `singular` ("deal", "company", "contact") whose changes cosell subscribes to."""
    prefix = f"{singular}.propertyChange:"
    return tuple(spec.removeprefix(prefix) for spec in WEBHOOK_SUBSCRIPTIONS if spec.startswith(prefix))


def _options(values: Iterable[str]) -> list[PropertyOption]:
    return [
        PropertyOption(label=value, value=value, display_order=index)
        for index, value in enumerate(sorted(values))
    ]


def _text(name: str, label: str, description: str, field_type: str = "text") -> PropertyDefinition:
    return PropertyDefinition(
        name=name,
        label=label,
        type="string",
        field_type=field_type,
        group_name=GROUP.name,
        description=description,
    )


def _choice(
    name: str, label: str, description: str, values: Iterable[str], *, multiple: bool
) -> PropertyDefinition:
    return PropertyDefinition(
        name=name,
        label=label,
        type="enumeration",
        field_type="checkbox" if multiple else "select",
        group_name=GROUP.name,
        description=description,
        options=_options(values),
    )


def deal_properties(vocabulary: Vocabulary) -> list[PropertyDefinition]:
    return [
        _text(OPPORTUNITY_ID, "AWS opportunity ID", "Partner Central opportunity linked to this deal (set by cosell; set it yourself to link one that already exists)."),
        _text(OPPORTUNITY_URL, "AWS opportunity link", "Where to open the opportunity in Partner Central."),
        _choice(SYNC_STATUS, "AWS sync status", "Synced, Pending or Error (set by cosell).", SYNC_STATUSES, multiple=False),
        _text(SYNC_ERROR, "AWS sync error", "Why the deal could not sync, and what to fix.", "textarea"),
        _text(SYNC_WARNINGS, "AWS sync warnings", "What cosell left out of the opportunity, and why (e.g. a contact without a usable e-mail); the deal syncs without it (set by cosell).", "textarea"),
        _text(SYNC_WAITING, "AWS sync waiting for", "Changes that wait until Partner Central lets them in, and conflicts an administrator resolves (set by cosell).", "textarea"),
        _choice(REVIEW_STATUS, "AWS review status", "Where AWS's review of the opportunity stands (set by cosell).", REVIEW_STATUSES, multiple=False),
        _text(REVIEW_COMMENTS, "AWS review comments", "What AWS says about the opportunity, and why it has its review status (set by cosell).", "textarea"),
        _text(NEXT_STEPS, "AWS next steps", "The opportunity's next steps in Partner Central (set by cosell).", "textarea"),
        PropertyDefinition(
            name=LAST_SYNCED_AT,
            label="AWS last synced at",
            type="datetime",
            field_type="date",
            group_name=GROUP.name,
            description="When cosell last synced this deal with Partner Central.",
        ),
        _text(INVITATION_ID, "AWS invitation ID", "The AWS referral (engagement invitation) this deal came from (set by cosell)."),
        _text(ENGAGEMENT_ID, "AWS engagement ID", "The Partner Central engagement shared with AWS (set by cosell)."),
        _text(ENGAGEMENT_TITLE, "AWS engagement title", "The engagement's title in Partner Central (set by cosell, from AWS)."),
        _text(ENGAGEMENT_STATUS, "AWS engagement status", "Who shares the engagement: AWS, and how many other partners (set by cosell, from AWS)."),
        _text(ENGAGEMENT_MEMBERS, "AWS engagement members", "The engagement's members: each company, and whether it is AWS, you or another partner (set by cosell, from AWS).", "textarea"),
        _choice(ORIGIN, "AWS origin", "Who brought the opportunity (set by cosell).", ORIGINS, multiple=False),
        _choice(INVITATION_STATUS, "AWS referral status", "Where the AWS referral stands (set by cosell).", INVITATION_STATUSES, multiple=False),
        PropertyDefinition(
            name=INVITATION_EXPIRES_AT,
            label="AWS referral expires at",
            type="datetime",
            field_type="date",
            group_name=GROUP.name,
            description="Accept or reject the AWS referral before this time (set by cosell).",
        ),
        _choice(INVITATION_DECISION, "AWS referral decision", "Accept or reject the AWS referral; cosell tells AWS.", DECISIONS, multiple=False),
        _text(REJECTION_REASON, "AWS rejection reason", "Why the referral is rejected (sent to AWS, at most 80 characters)."),
        _choice("aws_opportunity_type", "AWS opportunity type", "Overrides the default.", vocabulary.opportunity_types, multiple=False),
        _choice("aws_primary_needs", "AWS primary needs", "What you need from AWS.", vocabulary.primary_needs, multiple=True),
        _choice("aws_delivery_models", "AWS delivery models", "How the solution is delivered.", vocabulary.delivery_models, multiple=True),
        _choice("aws_sales_activities", "AWS sales activities", "What has happened with the customer.", vocabulary.sales_activities, multiple=True),
        _choice("aws_national_security", "AWS national security", "Yes only for Government customers.", ("Yes", "No"), multiple=False),
        _choice("aws_industry", "AWS industry", "Overrides the industry mapped from the company.", vocabulary.industries, multiple=False),
        _text("aws_customer_use_case", "AWS customer use case", "Partner Central's customer use case."),
        _text(SOLUTION_IDS, "AWS solution ids", "Partner Central solutions the opportunity carries (S-…), separated by ;. Empty: your administrator's default solutions, or cosell's best matches once AWS needs one."),
        _text(SOLUTIONS, "AWS solutions", "The solutions the opportunity carries in Partner Central (set by cosell).", "textarea"),
        _choice(INVOLVEMENT_TYPE, "AWS involvement type", "Set it to submit the opportunity to AWS: Co-Sell asks AWS to sell with you; For Visibility Only tells AWS.", INVOLVEMENT_TYPES, multiple=False),
        _choice(VISIBILITY, "AWS visibility", "Full shares the opportunity's details with AWS sellers; Limited shares less (default Full).", VISIBILITIES, multiple=False),
        _choice(SUBMISSION_STATUS, "AWS submission status", "Where the submission to AWS stands (set by cosell).", SUBMISSION_STATUSES, multiple=False),
        _choice(ENGAGEMENT_SCORE, "AWS engagement score", "How engaged AWS sees the customer (set by cosell, from AWS).", ENGAGEMENT_SCORES, multiple=False),
        PropertyDefinition(name=QUALITY_SCORE, label="AWS quality score", type="number", field_type="number", group_name=GROUP.name, description="AWS's score of the opportunity's quality, 0-100 (set by cosell, from AWS)."),
        _text(QUALITY_TREND, "AWS quality trend", "Where AWS's quality score is heading (set by cosell, from AWS)."),
        _text(AWS_STAGE, "AWS stage", "AWS's own stage of the opportunity, apart from the deal's stage (set by cosell, from AWS)."),
        _text(NEXT_BEST_ACTIONS, "AWS next best actions", "What AWS suggests doing next (set by cosell, from AWS).", "textarea"),
        _text(RECOMMENDATIONS, "AWS recommendations", "AWS's recommendations for the opportunity (set by cosell, from AWS).", "textarea"),
        _text(SELLERS, "AWS sellers", "The AWS team on the opportunity: names, roles, e-mails (set by cosell, from AWS).", "textarea"),
        _text(INVOLVEMENT_CHANGE_REASON, "AWS involvement change reason", "Why AWS changed the involvement type (set by cosell, from AWS)."),
        PropertyDefinition(name=SUMMARY_UPDATED_AT, label="AWS summary updated at", type="datetime", field_type="date", group_name=GROUP.name, description="When what AWS says about the opportunity last changed (set by cosell)."),
    ]  # fmt: skip
