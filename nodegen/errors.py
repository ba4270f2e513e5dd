"""Typed errors. Each carries a short machine-readable code besides its message."""


class NodegenError(Exception):
    code = "NODEGEN_ERROR"


class RequestError(NodegenError):
    """A request file that cannot become a request (malformed, hostile, too large...)."""

    code = "INVALID_REQUEST"


class ConfigError(NodegenError):
    """A configuration file that does not validate; the message names the file and path."""

    code = "INVALID_CONFIG"


class ModelCallError(NodegenError):
    """A model call failed: transport error, timeout, refusal or unusable output."""

    code = "MODEL_CALL_FAILED"

    def __init__(self, message: str, *, retryable: bool = True, usage: "object | None" = None):
        super().__init__(message)
        self.retryable = retryable
        self.usage = usage


class StoreError(NodegenError):
    """The metrics or pattern store is unreachable or refused a write."""

    code = "STORE_UNAVAILABLE"


class WriteError(NodegenError):
    """The node could not be written (read-only or full disk, path escape)."""

    code = "WRITE_FAILED"
