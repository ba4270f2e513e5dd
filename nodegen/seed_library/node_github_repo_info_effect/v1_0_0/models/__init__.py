from .model_github_repo_info_input import ModelGithubRepoInfoInput
from .model_github_repo_info_output import ModelGithubRepoInfoOutput

__all__ = ["ModelGithubRepoInfoInput", "ModelGithubRepoInfoOutput"]
