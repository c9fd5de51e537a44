"""The secretariat's desk in a browser: Starlette pages rendered by Jinja2 (autoescaped), a little htmx (the
file ships in static/, no CDN), served by uvicorn in the bot's own event loop.

Nobody has a password: /web in the chat sends a one-time link. Every page and every action asks the same
policy as the chat (bot.domain.policy), and every decision is the chat's own operation
(bot.handlers.review_decisions), so a decision taken here is the decision taken there.
"""
