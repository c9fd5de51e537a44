"""thidua-bot: a chatbot for the patriotic emulation movement."""

import sys

# httpx loads its command-line tool with the library (httpx._main: click, pygments and rich, where installed),
# 60 to 100 ms of every process's start that the bot never uses. Marked as not there, httpx loads without it
# (its `httpx.main` then says the command line is not installed), as where those libraries are missing.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
