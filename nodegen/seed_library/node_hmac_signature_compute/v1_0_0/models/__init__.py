from .model_hmac_signature_input import ModelHmacSignatureInput
from .model_hmac_signature_output import ModelHmacSignatureOutput

__all__ = ["ModelHmacSignatureInput", "ModelHmacSignatureOutput"]
