"""Builders for the API's tests: a token and a client that sends it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from vollegym.api.scopes import ALL_SCOPES
from vollegym.api.services import NewToken, api_token_create
from vollegym.studios.models import Studio, User


def make_token(studio: Studio | None, by: User, *, scopes: list[str] | None = None, name: str = "Test") -> NewToken:
    return api_token_create(studio=studio, name=name, scopes=sorted(scopes or ALL_SCOPES), by=by)


class ApiClient:
    """The test client with the token in the Authorization header."""

    def __init__(self, secret: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body: Any = None, *, raw: bytes | None = None) -> Any:
        import json

        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(path, data, content_type="application/json", headers=self.headers)
