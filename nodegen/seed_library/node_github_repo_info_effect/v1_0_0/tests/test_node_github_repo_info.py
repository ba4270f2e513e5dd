"""Tests of node_github_repo_info_effect."""

import asyncio

import httpx
import pytest

from ..models.model_github_repo_info_input import ModelGithubRepoInfoInput
from ..node import NodeGithubRepoInfoEffect, OnexError


def run(node, data):
    return asyncio.run(node.process(data))


def handler(request):
    if request.url.path == "/repos/octo/missing":
        return httpx.Response(404)
    assert request.headers["Authorization"] == "Bearer t0k"
    return httpx.Response(
        200, json={"full_name": "octo/hello", "stargazers_count": 5, "forks_count": 2}
    )


def make():
    return NodeGithubRepoInfoEffect(httpx.AsyncClient(transport=httpx.MockTransport(handler)))


def test_repo_info():
    out = run(make(), ModelGithubRepoInfoInput(owner="octo", repo="hello", token="t0k"))
    assert (out.full_name, out.stars, out.forks, out.archived) == ("octo/hello", 5, 2, False)


def test_missing_repo():
    with pytest.raises(OnexError):
        run(make(), ModelGithubRepoInfoInput(owner="octo", repo="missing"))
