"""CRM owners: the users deals are assigned to (`hubspot_owner_id`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import not_found
from .routing import Route, int_arg, offset_arg

if TYPE_CHECKING:
    from .routing import ApiRequest, Reply

CREATED_AT = "2019-08-06T02:41:52.000Z"


@dataclass(frozen=True)
class Owner:
    id: str
    user_id: int
    email: str
    first_name: str
    last_name: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "type": "PERSON",
            "userId": self.user_id,
            "userIdIncludingInactive": self.user_id,
            "createdAt": CREATED_AT,
            "updatedAt": CREATED_AT,
            "archived": False,
            "teams": [],
        }


DEFAULT_OWNERS = (
    Owner("110000001", 9100001, "ada.rep@example.com", "Ada", "Rep"),
    Owner("110000002", 9100002, "bo.seller@example.com", "Bo", "Seller"),
)


def _list(request: ApiRequest) -> Reply:
    owners = list(request.account.owners.values())
    email = request.args.get("email")
    if email:
        owners = [owner for owner in owners if owner.email.lower() == email.lower()]
    limit = int_arg(request, "limit", 100, 500)
    offset = offset_arg(request)
    body: dict[str, Any] = {"results": [owner.to_json() for owner in owners[offset : offset + limit]]}
    if offset + limit < len(owners):
        body["paging"] = {"next": {"after": str(offset + limit)}}
    return 200, body


def _get(request: ApiRequest) -> Reply:
    owner = request.account.owners.get(request.params["ownerId"])
    if owner is None:
        raise not_found(f"No owner with id {request.params['ownerId']}")
    return 200, owner.to_json()


def _scope(_: dict[str, str]) -> str:
    return "crm.objects.owners.read"


ROUTES = [
    Route("GET", "/crm/v3/owners", _list, _scope),
    Route("GET", "/crm/v3/owners/<ownerId>", _get, _scope),
]
