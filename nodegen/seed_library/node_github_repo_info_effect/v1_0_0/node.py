"""Effect: repository facts from the GitHub REST API."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from .models.model_github_repo_info_input import ModelGithubRepoInfoInput
from .models.model_github_repo_info_output import ModelGithubRepoInfoOutput


class OnexError(Exception):
    """Typed node error carrying an ONEX-style code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class NodeGithubRepoInfoEffect:
    """Effect: repository facts from the GitHub REST API."""

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        max_attempts: int = 3,
        backoff_s: float = 0.2,
        timeout_s: float = 10.0,
    ) -> None:
        if max_attempts < 1:
            raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "max_attempts must be >= 1")
        self._client = client
        self._max_attempts = max_attempts
        self._backoff_s = backoff_s
        self._timeout_s = timeout_s

    async def process(self, input_data: ModelGithubRepoInfoInput) -> ModelGithubRepoInfoOutput:
        headers = {"Accept": "application/vnd.github+json"}
        if input_data.token:
            headers["Authorization"] = f"Bearer {input_data.token}"
        url = f"{input_data.api_url}/repos/{input_data.owner}/{input_data.repo}"
        response = await self._send("GET", url, headers=headers)
        if response.status_code == 404:
            raise OnexError("ONEX_CORE_001_INVALID_PARAMETER", "repository not found")
        if response.status_code != 200:
            raise OnexError("ONEX_CORE_004_UPSTREAM_ERROR", f"GitHub API {response.status_code}")
        data = response.json()
        return ModelGithubRepoInfoOutput(
            full_name=data["full_name"],
            stars=data.get("stargazers_count", 0),
            forks=data.get("forks_count", 0),
            default_branch=data.get("default_branch", "main"),
            archived=bool(data.get("archived", False)),
        )

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One HTTP call with timeout, retries on transport errors and 5xx, linear backoff."""
        client = self._client or httpx.AsyncClient(timeout=self._timeout_s)
        try:
            for attempt in range(1, self._max_attempts + 1):
                try:
                    response = await client.request(method, url, timeout=self._timeout_s, **kwargs)
                except httpx.TransportError as exc:
                    if attempt == self._max_attempts:
                        raise OnexError("ONEX_CORE_002_EXTERNAL_UNAVAILABLE", str(exc)) from exc
                else:
                    if response.status_code < 500 or attempt == self._max_attempts:
                        return response
                await asyncio.sleep(self._backoff_s * attempt)
            raise OnexError("ONEX_CORE_002_EXTERNAL_UNAVAILABLE", "no attempt was made")
        finally:
            if self._client is None:
                await client.aclose()
