"""The conversation's nouns: what a channel hands in (Incoming), what comes back (Reply), a chat's saved state
(Session), how sending fails (delivery), and the cleaning every text gets at the door.

The bottom of the house: it imports only pydantic and the standard library, so that storage, the engine, the
outbox and every channel can share these types without importing each other.
"""
