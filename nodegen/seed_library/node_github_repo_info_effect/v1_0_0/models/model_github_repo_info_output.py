"""Output of node_github_repo_info_effect."""

from pydantic import BaseModel, ConfigDict


class ModelGithubRepoInfoOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: str
    stars: int
    forks: int
    default_branch: str
    archived: bool
