"""Request validation walked generically over botocore's shapes: nothing here names a Partner Central field."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cosell_local.partner_central.errors import FieldError

if TYPE_CHECKING:
    from botocore.model import Shape

# Java regex classes the model uses that Python's `re` lacks. The model only uses them together, inside one
# character class with `_`, so these approximations accept exactly the same strings there.
_JAVA_CLASS_EQUIVALENTS = {r"\p{L}": r"\w", r"\p{N}": r"\d", r"\p{Z}": r"\s"}


@functools.cache
def compiled_pattern(pattern: str) -> re.Pattern[str]:
    for java_class, python_class in _JAVA_CLASS_EQUIVALENTS.items():
        pattern = pattern.replace(java_class, python_class)
    return re.compile(pattern)


def parse_timestamp(value: Any) -> datetime:
    """A DateTime member as boto3 sends it (ISO 8601 text, any precision) or as epoch seconds."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a timestamp")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"{type(value).__name__} is not a timestamp")


def validate(shape: Shape, value: Any) -> list[FieldError]:
    """Every way `value` breaks `shape`, with dotted field names (`Customer.Contacts[0].Email`)."""
    errors: list[FieldError] = []
    _check(shape, value, "", errors)
    return errors


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _check(shape: Shape, value: Any, path: str, errors: list[FieldError]) -> None:
    checker = _CHECKERS.get(shape.type_name)
    if checker is not None:
        checker(shape, value, path, errors)


def _check_structure(shape: Shape, value: Any, path: str, errors: list[FieldError]) -> None:
    if not isinstance(value, dict):
        errors.append(FieldError(path, "must be an object", "INVALID_VALUE"))
        return
    members = shape.members  # type: ignore[attr-defined]
    for name in shape.required_members:
        if value.get(name) is None:
            errors.append(FieldError(_join(path, name), "is required", "REQUIRED_FIELD_MISSING"))
    for name, member_value in value.items():
        # Members the model doesn't know are ignored, as AWS JSON services do; nulls count as absent.
        if name in members and member_value is not None:
            _check(members[name], member_value, _join(path, name), errors)


def _check_size(shape: Shape, size: int, path: str, errors: list[FieldError], unit: str) -> None:
    minimum, maximum = shape.metadata.get("min"), shape.metadata.get("max")
    if minimum is not None and size < minimum:
        errors.append(FieldError(path, f"needs at least {minimum} {unit}", "NOT_ENOUGH_VALUES"))
    if maximum is not None and size > maximum:
        errors.append(FieldError(path, f"allows at most {maximum} {unit}", "TOO_MANY_VALUES"))


def _check_list(shape: Shape, value: Any, path: str, errors: list[FieldError]) -> None:
    if not isinstance(value, list):
        errors.append(FieldError(path, "must be a list", "INVALID_VALUE"))
        return
    _check_size(shape, len(value), path, errors, "values")
    member = shape.member  # type: ignore[attr-defined]
    for index, item in enumerate(value):
        if item is None:
            errors.append(FieldError(f"{path}[{index}]", "must not be null", "INVALID_VALUE"))
        else:
            _check(member, item, f"{path}[{index}]", errors)


def _check_map(shape: Shape, value: Any, path: str, errors: list[FieldError]) -> None:
    if not isinstance(value, dict):
        errors.append(FieldError(path, "must be an object", "INVALID_VALUE"))
        return
    _check_size(shape, len(value), path, errors, "entries")
    for key, item in value.items():
        _check(shape.key, key, f"{path}.{key}", errors)  # type: ignore[attr-defined]
        _check(shape.value, item, f"{path}.{key}", errors)  # type: ignore[attr-defined]


def _check_string(shape: Shape, value: Any, path: str, errors: list[FieldError]) -> None:
    if not isinstance(value, str):
        errors.append(FieldError(path, "must be a string", "INVALID_VALUE"))
        return
    enum: list[str] = shape.enum  # type: ignore[attr-defined]
    if enum:
        if value not in enum:
            errors.append(FieldError(path, f"must be one of: {', '.join(enum)}", "INVALID_ENUM_VALUE"))
        return
    minimum, maximum = shape.metadata.get("min"), shape.metadata.get("max")
    if (minimum is not None and len(value) < minimum) or (maximum is not None and len(value) > maximum):
        errors.append(
            FieldError(path, f"length must be between {minimum or 0} and {maximum}", "INVALID_STRING_FORMAT")
        )
    pattern = shape.metadata.get("pattern")
    # AWS matches the whole value (Java's Pattern.matches), so `(?s).{20,2000}` bounds both ends.
    if pattern is not None and not compiled_pattern(pattern).fullmatch(value):
        errors.append(FieldError(path, f"must match the pattern {pattern}", "INVALID_STRING_FORMAT"))


def _check_integer(shape: Shape, value: Any, path: str, errors: list[FieldError]) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(FieldError(path, "must be an integer", "INVALID_VALUE"))
        return
    minimum, maximum = shape.metadata.get("min"), shape.metadata.get("max")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        errors.append(FieldError(path, f"must be between {minimum} and {maximum}", "VALUE_OUT_OF_RANGE"))


def _check_number(shape: Shape, value: Any, path: str, errors: list[FieldError]) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append(FieldError(path, "must be a number", "INVALID_VALUE"))


def _check_boolean(shape: Shape, value: Any, path: str, errors: list[FieldError]) -> None:
    if not isinstance(value, bool):
        errors.append(FieldError(path, "must be a boolean", "INVALID_VALUE"))


def _check_timestamp(shape: Shape, value: Any, path: str, errors: list[FieldError]) -> None:
    try:
        parse_timestamp(value)
    except ValueError:
        errors.append(FieldError(path, "must be an ISO 8601 date-time", "INVALID_VALUE"))


_CHECKERS = {
    "structure": _check_structure,
    "list": _check_list,
    "map": _check_map,
    "string": _check_string,
    "integer": _check_integer,
    "long": _check_integer,
    "float": _check_number,
    "double": _check_number,
    "boolean": _check_boolean,
    "timestamp": _check_timestamp,
}


def project(shape: Shape, value: Any) -> Any:
    """`value` cut down to what `shape` models: how a summary or a response shows only its own members."""
    if value is None:
        return None
    if shape.type_name == "structure" and isinstance(value, dict):
        members = shape.members  # type: ignore[attr-defined]
        projected = {name: project(members[name], item) for name, item in value.items() if name in members}
        return {name: item for name, item in projected.items() if item is not None}
    if shape.type_name == "list" and isinstance(value, list):
        return [project(shape.member, item) for item in value]  # type: ignore[attr-defined]
    return value
