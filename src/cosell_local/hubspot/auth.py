"""Private-app tokens, the scopes they carry, and who a change is attributed to."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ApiError

SCOPES_DOC = "https://developers.hubspot.com/scopes"


@dataclass(frozen=True)
class AccessToken:
    """A token the emulator accepts.

    `rep_user_id` unset: the integration's private-app token (changes arrive as `INTEGRATION`, app id).
    Set: a sales rep working in the CRM UI (changes arrive as `CRM_UI` with `userId:<id>`).
    `scopes` unset means every scope.
    """

    value: str
    scopes: frozenset[str] | None = None
    rep_user_id: int | None = None

    @property
    def is_rep(self) -> bool:
        return self.rep_user_id is not None


class TokenRegistry:
    def __init__(self, tokens: list[AccessToken]) -> None:
        self._tokens = {token.value: token for token in tokens}

    def add(self, token: AccessToken) -> None:
        self._tokens[token.value] = token

    def authenticate(self, authorization_header: str | None) -> AccessToken:
        if not authorization_header or not authorization_header.startswith("Bearer "):
            raise _unauthenticated()
        token = self._tokens.get(authorization_header.removeprefix("Bearer ").strip())
        if token is None:
            raise _unauthenticated()
        return token


def _unauthenticated() -> ApiError:
    return ApiError(
        401,
        "INVALID_AUTHENTICATION",
        "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can "
        "find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
    )


def require_scope(token: AccessToken, scope: str) -> None:
    if token.scopes is None or scope in token.scopes:
        return
    raise ApiError(
        403,
        "MISSING_SCOPES",
        "This app hasn't been granted all required scopes to make this call. "
        f"Read more about required scopes here: {SCOPES_DOC}.",
        errors=[
            {
                "message": "One or more of the following scopes are required.",
                "context": {"requiredGranularScopes": [scope]},
            }
        ],
        extra={"links": {"scopes": SCOPES_DOC}},
    )
