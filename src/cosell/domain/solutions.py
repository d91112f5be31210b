"""Partner Central solutions: which ones an opportunity carries, and a ranking of them that explains itself.

An opportunity must be associated with at least one solution before it can be submitted to AWS, and with at
most 10 (docs/CONTRACTS.md, "Stages that need a solution"). Which ones, in order of precedence:
1. the deal's own `aws_solution_ids` (the rep's choice, ids separated by `;`);
2. the configured default solutions (`MappingRules.default_solution_ids`);
3. the matcher's best matches scoring at least `MappingRules.solution_match_threshold`.
An id that is not an active solution of the catalog is named, never sent. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

MAX_SOLUTIONS = 10
ACTIVE = "Active"

# Which solution categories fit how the deal is delivered (Project.DeliveryModels → words of a category).
# AWS documents no list of categories, so a category fits when it has one of these words.
CATEGORY_WORDS_BY_DELIVERY_MODEL: Mapping[str, frozenset[str]] = {
    "SaaS or PaaS": frozenset({"software", "saas"}),
    "BYOL or AMI": frozenset({"software"}),
    "Managed Services": frozenset({"managed"}),
    "Professional Services": frozenset({"consulting", "professional"}),
    "Resell": frozenset({"resale", "resell"}),
}
# What each kind of evidence is worth; a score is their sum, at most 100. The use case and the industry
# count by the share of their words the solution's name has.
USE_CASE_POINTS = 35
INDUSTRY_POINTS = 20
CATEGORY_POINTS = 15
KEYWORD_POINTS = 6  # per shared keyword
KEYWORD_POINTS_MAX = 30
_WORD = re.compile(r"[a-z0-9]+")
# Words that say nothing about what a solution does.
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "aws",
        "amazon",
        "as",
        "at",
        "by",
        "cloud",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "solution",
        "solutions",
        "service",
        "services",
        "the",
        "to",
        "with",
        "our",
        "your",
        "we",
        "customer",
        "customers",
        "platform",
        "project",
    ]
)


@dataclass(frozen=True)
class Solution:
    """A solution of the partner's catalog, as ListSolutions returns it."""

    id: str
    name: str
    status: str  # Active, Inactive or Draft
    category: str
    marketplace_arn: str | None = None  # set for an AWS Marketplace solution

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


@dataclass(frozen=True)
class DealFacts:
    """What the matcher reads about a deal, in Partner Central's terms (cosell.domain.to_partner_central)."""

    title: str = ""
    business_problem: str = ""
    industry: str | None = None
    use_case: str | None = None
    delivery_models: tuple[str, ...] = ()


@dataclass(frozen=True)
class SolutionMatch:
    solution: Solution
    score: int  # 0–100
    reasons: tuple[str, ...]


class ChosenBy(StrEnum):
    DEAL = "the deal's AWS solution ids"
    DEFAULT = "the configured default solutions"
    MATCHER = "the matcher"
    NOBODY = "nothing: no solution matches well enough"
    NOT_NEEDED = "nothing yet: the matcher chooses once AWS needs a solution (its stage, or a submission)"


@dataclass(frozen=True)
class SolutionChoice:
    ids: tuple[str, ...]  # active solutions of the catalog, at most MAX_SOLUTIONS
    chosen_by: ChosenBy
    unknown: tuple[str, ...] = ()  # asked for, but not an active solution of the catalog
    matches: tuple[SolutionMatch, ...] = ()  # the matcher's ranking, when it chose
    dropped: tuple[str, ...] = ()  # asked for beyond the 10 an opportunity carries

    @property
    def problems(self) -> list[str]:
        """In the rep's words; nothing that depends on these solutions is sent while there are any."""
        found = []
        if self.unknown:
            found.append(
                f"AWS solution ids: {', '.join(self.unknown)} {'is' if len(self.unknown) == 1 else 'are'} not an "
                f"active solution of this partner's Partner Central catalog. Correct the deal's AWS solution ids "
                f"(cosell solutions list shows the catalog)."
            )
        if self.dropped:
            found.append(
                f"AWS solution ids: an opportunity carries at most {MAX_SOLUTIONS} solutions; "
                f"{', '.join(self.dropped)} {'is' if len(self.dropped) == 1 else 'are'} left out. Keep the ten "
                f"that fit best."
            )
        return found

    def explain(self, names: Mapping[str, str]) -> str:
        """Why these solutions, for the audit trail."""
        chosen = (
            ", ".join(f"{solution_id} ({names.get(solution_id, '?')})" for solution_id in self.ids) or "none"
        )
        lines = [f"solutions chosen by {self.chosen_by.value}: {chosen}"]
        lines += [
            f"{match.solution.id} scored {match.score}: {'; '.join(match.reasons) or 'no evidence'}"
            for match in self.matches
            if match.solution.id in self.ids
        ]
        return "\n".join(lines)


def facts_of(fields: Mapping[str, Any]) -> DealFacts:
    """A deal's facts from its mapped opportunity fields (MappingResult.draft)."""
    project = fields.get("Project") or {}
    account = (fields.get("Customer") or {}).get("Account") or {}
    return DealFacts(
        title=str(project.get("Title") or ""),
        business_problem=str(project.get("CustomerBusinessProblem") or ""),
        industry=account.get("OtherIndustry")
        if account.get("Industry") == "Other"
        else account.get("Industry"),
        use_case=project.get("CustomerUseCase"),
        delivery_models=tuple(project.get("DeliveryModels") or ()),
    )


def parse_ids(text: str | None) -> tuple[str, ...]:
    """`S-0001; S-0002` → the ids, in order, once each."""
    return tuple(dict.fromkeys(part.strip() for part in (text or "").split(";") if part.strip()))


def _words(text: str | None) -> set[str]:
    return {word for word in _WORD.findall((text or "").lower()) if word not in _STOP_WORDS and len(word) > 2}


def score(deal: DealFacts, solution: Solution) -> SolutionMatch:
    """How well a solution fits a deal, with the evidence for it."""
    name_words = _words(solution.name)
    points = 0
    reasons: list[str] = []
    for label, text, worth in (
        ("use case", deal.use_case, USE_CASE_POINTS),
        ("industry", deal.industry, INDUSTRY_POINTS),
    ):
        wanted = _words(text)
        found = sorted(wanted & name_words)
        if found:
            points += round(worth * len(found) / len(wanted))
            reasons.append(f"{label} {text!r}: {', '.join(found)} in its name")
    fitting = {
        word for model in deal.delivery_models for word in CATEGORY_WORDS_BY_DELIVERY_MODEL.get(model, ())
    }
    if fitting & set(_WORD.findall(solution.category.lower())):
        points += CATEGORY_POINTS
        reasons.append(f"category {solution.category!r} fits delivery by {', '.join(deal.delivery_models)}")
    shared = sorted((_words(deal.title) | _words(deal.business_problem)) & name_words)
    if shared:
        points += min(KEYWORD_POINTS * len(shared), KEYWORD_POINTS_MAX)
        reasons.append(f"shares {', '.join(shared)} with the deal's title and business problem")
    return SolutionMatch(solution, min(points, 100), tuple(reasons))


def rank(deal: DealFacts, catalog: Iterable[Solution]) -> list[SolutionMatch]:
    """Active solutions, best first; on a tie AWS Marketplace solutions first (AWS prefers them), then by id."""
    matches = [score(deal, solution) for solution in catalog if solution.active]
    return sorted(matches, key=lambda m: (-m.score, m.solution.marketplace_arn is None, m.solution.id))


def choose(
    requested: Sequence[str],
    defaults: Sequence[str],
    deal: DealFacts,
    catalog: Sequence[Solution],
    *,
    threshold: int,
    needed: bool,
    limit: int = MAX_SOLUTIONS,
) -> SolutionChoice:
    """The solutions an opportunity should carry (the module's docstring says in which order). `needed`: AWS
    needs one now (a stage that needs one, or a submission); only then does the matcher's choice count, so it
    never associates solutions nobody asked for."""
    active = {solution.id for solution in catalog if solution.active}
    for asked, chosen_by in ((requested, ChosenBy.DEAL), (defaults, ChosenBy.DEFAULT)):
        if asked:
            known = tuple(solution_id for solution_id in asked if solution_id in active)
            unknown = tuple(solution_id for solution_id in asked if solution_id not in active)
            return SolutionChoice(known[:limit], chosen_by, unknown, dropped=known[limit:])
    ranking = tuple(rank(deal, catalog))
    best = tuple(match.solution.id for match in ranking if match.score >= threshold)[:limit]
    if not best:
        return SolutionChoice((), ChosenBy.NOBODY, matches=ranking[:limit])
    if not needed:
        return SolutionChoice((), ChosenBy.NOT_NEEDED, matches=ranking[:limit])
    return SolutionChoice(best, ChosenBy.MATCHER, matches=ranking[:limit])
