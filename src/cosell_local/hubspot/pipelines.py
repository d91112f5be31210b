"""Deal pipelines: HubSpot's default pipeline with its real stage ids, plus custom ones with numeric ids."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import not_found, validation_error
from .routing import Route, body_object

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .routing import ApiRequest, Reply

CREATED_AT = "2019-08-06T02:41:52.000Z"


@dataclass(frozen=True)
class Stage:
    id: str
    label: str
    probability: str
    is_closed: bool
    display_order: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "displayOrder": self.display_order,
            # HubSpot sends stage metadata as strings.
            "metadata": {"isClosed": str(self.is_closed).lower(), "probability": self.probability},
            "archived": False,
            "createdAt": CREATED_AT,
            "updatedAt": CREATED_AT,
            "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
        }


@dataclass(frozen=True)
class Pipeline:
    id: str
    label: str
    display_order: int
    stages: tuple[Stage, ...]

    def stage_ids(self) -> set[str]:
        return {stage.id for stage in self.stages}

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "displayOrder": self.display_order,
            "stages": [stage.to_json() for stage in self.stages],
            "archived": False,
            "createdAt": CREATED_AT,
            "updatedAt": CREATED_AT,
        }


DEFAULT_PIPELINE = Pipeline(
    "default",
    "Sales Pipeline",
    0,
    tuple(
        Stage(stage_id, label, probability, closed, order)
        for order, (stage_id, label, probability, closed) in enumerate(
            [
                ("appointmentscheduled", "Appointment Scheduled", "0.2", False),
                ("qualifiedtobuy", "Qualified To Buy", "0.4", False),
                ("presentationscheduled", "Presentation Scheduled", "0.6", False),
                ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", False),
                ("contractsent", "Contract Sent", "0.9", False),
                ("closedwon", "Closed Won", "1.0", True),
                ("closedlost", "Closed Lost", "0.0", True),
            ]
        )
    ),
)


class PipelineRegistry:
    def __init__(self) -> None:
        self._pipelines: dict[str, Pipeline] = {DEFAULT_PIPELINE.id: DEFAULT_PIPELINE}
        # Custom pipelines and stages get numeric ids, as in portals created since 2019.
        self._ids = itertools.count(75_000_001)
        self._written = False  # since `take_written()`

    def take_written(self) -> bool:
        """Whether it was written since the last call: a journal entry then keeps the whole registry (small)."""
        written, self._written = self._written, False
        return written

    def all(self) -> list[Pipeline]:
        return sorted(self._pipelines.values(), key=lambda p: (p.display_order, p.id))

    def get(self, pipeline_id: str) -> Pipeline | None:
        return self._pipelines.get(pipeline_id)

    def add(self, label: str, stages: Sequence[tuple[str, float, bool]]) -> Pipeline:
        """Stages as (label, probability, is_closed)."""
        pipeline = Pipeline(
            str(next(self._ids)),
            label,
            len(self._pipelines),
            tuple(
                Stage(str(next(self._ids)), stage_label, str(probability), closed, order)
                for order, (stage_label, probability, closed) in enumerate(stages)
            ),
        )
        self._pipelines[pipeline.id] = pipeline
        self._written = True
        return pipeline


def _check_deals(params: dict[str, str]) -> None:
    if params["objectType"] not in ("deals", "0-3"):
        raise validation_error(f"The emulator only serves deal pipelines, not {params['objectType']}")


def _list(request: ApiRequest) -> Reply:
    _check_deals(request.params)
    return 200, {"results": [p.to_json() for p in request.account.pipelines.all()]}


def _get(request: ApiRequest) -> Reply:
    _check_deals(request.params)
    pipeline = request.account.pipelines.get(request.params["pipelineId"])
    if pipeline is None:
        raise not_found(f"Unable to find pipeline {request.params['pipelineId']}")
    return 200, pipeline.to_json()


def _stages(request: ApiRequest) -> Reply:
    _, pipeline = _get(request)
    return 200, {"results": pipeline["stages"]}


def _create(request: ApiRequest) -> Reply:
    _check_deals(request.params)
    body = body_object(request)
    stages = body.get("stages")
    if not isinstance(body.get("label"), str) or not isinstance(stages, list) or not stages:
        raise validation_error("A pipeline needs a `label` and at least one stage")
    parsed = []
    for stage in stages:
        metadata = stage.get("metadata", {}) if isinstance(stage, dict) else {}
        if (
            not isinstance(stage, dict)
            or not isinstance(stage.get("label"), str)
            or "probability" not in metadata
        ):
            raise validation_error("Each deal stage needs a `label` and `metadata.probability`")
        parsed.append(
            (stage["label"], float(metadata["probability"]), str(metadata.get("isClosed")) == "true")
        )
    return 201, request.account.pipelines.add(body["label"], parsed).to_json()


def _read_scope(_: dict[str, str]) -> str:
    return "crm.objects.deals.read"


def _write_scope(_: dict[str, str]) -> str:
    return "crm.schemas.deals.write"


ROUTES = [
    Route("GET", "/crm/v3/pipelines/<objectType>", _list, _read_scope),
    Route("POST", "/crm/v3/pipelines/<objectType>", _create, _write_scope),
    Route("GET", "/crm/v3/pipelines/<objectType>/<pipelineId>", _get, _read_scope),
    Route("GET", "/crm/v3/pipelines/<objectType>/<pipelineId>/stages", _stages, _read_scope),
]
