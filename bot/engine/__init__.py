"""The conversation engine: one update handled in one transaction, its session saved with it (the nouns it
works with are in bot.conversation)."""
