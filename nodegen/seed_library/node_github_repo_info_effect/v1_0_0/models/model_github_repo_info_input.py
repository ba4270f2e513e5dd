"""Input of node_github_repo_info_effect."""

from pydantic import BaseModel, ConfigDict, Field


class ModelGithubRepoInfoInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owner: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,100}$")
    repo: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,100}$")
    token: str | None = None
    api_url: str = "https://api.github.com"
