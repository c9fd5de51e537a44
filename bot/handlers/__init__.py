"""The conversations. Nothing here knows which messenger it talks to."""

from bot.handlers.router import ConversationRouter, build_router

__all__ = ["ConversationRouter", "build_router"]
