"""The Zalo channel, on Zalo's Bot API (Zalo Bot Platform): plain HTTP with JSON, no buttons."""

CHANNEL = "zalo"
