"""botocore's `partnercentral-selling` service model: the contract every request is checked against."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.model import NoShapeFoundError, ServiceModel

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

SERVICE_NAME = "partnercentral-selling"


@functools.cache
def _service_description() -> dict[str, Any]:
    loader = botocore.session.get_session().get_component("data_loader")
    description: dict[str, Any] = loader.load_service_model(SERVICE_NAME, "service-2")
    return description


@functools.cache
def service_model() -> ServiceModel:
    return ServiceModel(_service_description(), service_name=SERVICE_NAME)


def target_prefix() -> str:
    prefix: str = service_model().metadata["targetPrefix"]
    return prefix


def operation_names() -> list[str]:
    return list(service_model().operation_names)


def operation(name: str) -> OperationModel:
    return service_model().operation_model(name)


def shape(name: str) -> Shape:
    return service_model().shape_for(name)


def error_http_status(error_code: str) -> int:
    """The status AWS sends with an error shape: the model's `error.httpStatusCode`, else 500 for faults, 400."""
    try:
        error_shape = shape(error_code)
    except NoShapeFoundError:  # protocol-level errors (auth, unknown operation) are client errors
        return 400
    status = error_shape.metadata.get("error", {}).get("httpStatusCode")
    if isinstance(status, int):
        return status
    # botocore keeps `fault` out of Shape.metadata; it is in the raw shape definition.
    return 500 if _service_description()["shapes"][error_code].get("fault") else 400


def request_shape(operation_name: str) -> Shape:
    found = operation(operation_name).input_shape
    if found is None:
        raise LookupError(f"{operation_name} has no input shape")
    return found


def response_shape(operation_name: str) -> Shape:
    found = operation(operation_name).output_shape
    if found is None:
        raise LookupError(f"{operation_name} has no output shape")
    return found
