from .model_weather_fetch_input import ModelWeatherFetchInput
from .model_weather_fetch_output import ModelWeatherFetchOutput

__all__ = ["ModelWeatherFetchInput", "ModelWeatherFetchOutput"]
