"""A tiny scripted HTTP app: each path answers a queue of prepared responses and records every request.

Used to feed the client answers the sandbox would never give (HTML, huge bodies, bad redirects...).
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None

    def response(self) -> Response:
        if self.raw is not None:
            content = self.raw
            media = self.headers.get("content-type", "application/octet-stream")
        else:
            content = json.dumps(self.body if self.body is not None else {}).encode()
            media = "application/json"
        return Response(content, status_code=self.status, headers=self.headers, media_type=media)


class Script:
    def __init__(self) -> None:
        self.answers: dict[str, deque[Answer]] = defaultdict(deque)
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []

    def on(self, path: str, *answers: Answer) -> None:
        self.answers[path].extend(answers)

    def count(self, path: str) -> int:
        return sum(1 for _, p, _, _ in self.requests if p == path)

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        path = request.scope.get("raw_path", b"").decode() or request.url.path  # as sent, still %-encoded
        self.requests.append((request.method, path, dict(request.headers), body))
        queue = self.answers.get(path)
        if not queue:
            return Response(json.dumps({"error_code": 404001, "error_message": "no script"}), 404)
        answer = queue.popleft() if len(queue) > 1 else queue[0]
        return answer.response()

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.handle, methods=["GET", "POST"])])

    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self.app())
