"""node_github_repo_info_effect version 1.0.0."""
