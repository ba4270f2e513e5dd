"""Output of node_weather_fetch_effect."""

from pydantic import BaseModel, ConfigDict


class ModelWeatherFetchOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    city: str
    temperature_c: float
    humidity_pct: int
    description: str
