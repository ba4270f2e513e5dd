"""Schedules: migration decisions every 6 h, quality report daily, pattern maintenance weekly."""
