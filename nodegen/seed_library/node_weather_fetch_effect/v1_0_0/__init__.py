"""node_weather_fetch_effect version 1.0.0."""
