"""Model providers: the offline rule model, Anthropic, OpenAI-compatible servers, transformers."""
