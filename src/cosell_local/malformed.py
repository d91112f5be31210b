"""A malformed answer, served by either emulator in place of the real one for a call: the real body with
members left out or replaced, cut short, or another status and body altogether (a gateway's HTML page).

How a test shows what the sync does when an API answers what its contract does not promise
(tests/fixtures/bad_inputs/answers.json). Paths are dotted member names, with list positions as numbers:
`LifeCycle.Stage`, `results.0.properties`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True)
class MalformedAnswer:
    status: int | None = None  # None: the real answer's
    body: str | None = None  # sent instead of the real body
    content_type: str | None = None  # None: the real answer's
    remove: tuple[str, ...] = ()  # members left out of the real body
    replace: Mapping[str, Any] = field(default_factory=dict)  # member → the value sent instead
    truncate: int | None = None  # only the body's first bytes are sent
    # False: the call is not handled at all, as when a gateway answers before the service sees the request.
    handled: bool = True

    def __post_init__(self) -> None:
        if not self.handled and (self.status is None or self.body is None):
            raise ValueError("an answer for a call that is not handled needs its own status and body")
        if self.body is not None and (self.remove or self.replace):
            raise ValueError("remove and replace change the real body; body replaces it")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MalformedAnswer:
        """From a control API's JSON (the same names); an unknown name is refused, named."""
        unknown = sorted(set(data) - {member.name for member in fields(cls)})
        if unknown:
            raise ValueError(f"unknown malformed-answer setting(s): {', '.join(unknown)}")
        return cls(**{**data, "remove": tuple(data.get("remove", ()))})

    def spoil(self, real: Response | None) -> Response:
        """What is sent instead of `real` (None when the call was not handled)."""
        status = self.status or (real.status_code if real is not None else 200)
        body = self.body.encode() if self.body is not None else self._changed(real)
        if self.truncate is not None:
            body = body[: self.truncate]
        headers = {
            name: value
            for name, value in (real.headers.items() if real is not None else ())
            if name.lower() not in ("content-type", "content-length")
        }
        content_type = self.content_type or (real.content_type if real is not None else "text/plain")
        return Response(body, status=status, headers=headers, content_type=content_type)

    def _changed(self, real: Response | None) -> bytes:
        assert real is not None  # __post_init__: a call not handled has a body of its own
        raw = real.get_data()
        if not (self.remove or self.replace):
            return raw
        document = json.loads(raw)
        for path in self.remove:
            parent, key = _member(document, path)
            del parent[key]
        for path, value in self.replace.items():
            parent, key = _member(document, path, creating=True)
            parent[key] = value
        return json.dumps(document).encode()


def _member(document: Any, path: str, *, creating: bool = False) -> tuple[Any, Any]:
    """The container holding `path`'s last member, and that member's key or position."""
    *parents, last = path.split(".")
    container = document
    for name in parents:
        container = container[int(name)] if isinstance(container, list) else container[name]
    key: Any = int(last) if isinstance(container, list) else last
    if not creating and (key not in container if isinstance(container, dict) else key >= len(container)):
        raise KeyError(f"the real answer has no {path}")
    return container, key
