"""Input of node_weather_fetch_effect."""

from pydantic import BaseModel, ConfigDict, Field


class ModelWeatherFetchInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    city: str = Field(min_length=1, max_length=100)
    api_key: str = Field(min_length=1)
    base_url: str = "https://api.weather.example/v1"
