"""thidua-bot: a chatbot for the patriotic emulation movement."""
