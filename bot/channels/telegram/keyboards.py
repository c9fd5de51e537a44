"""The share-my-phone keyboard: shown while the phone number is asked, taken away as soon as it is not.

Unlike inline buttons, a reply keyboard stays under the input field until a message removes it, and a
message has one markup slot, which inline buttons may already use. The rule, for each answer (the replies
to one update):

- an answer that asks for the phone shows the keyboard;
- any other answer removes it with its first message that has no buttons (free, and harmless when no
  keyboard is shown, so it also works after a restart);
- if every message of such an answer has buttons and this process showed the keyboard in that chat, the
  first message removes it and gets its buttons by an edit right after.
"""

from __future__ import annotations

from bot.channels.telegram.render import Outgoing, has_buttons, no_keyboard, plan
from bot.conversation.messages import Reply


class ContactKeyboards:
    def __init__(self) -> None:
        self._shown: set[str] = set()

    def arrange(self, chat_id: str, replies: list[Reply]) -> list[Outgoing]:
        """The messages of one answer, with the contact keyboard shown or removed as the rule says."""
        messages = [message for reply in replies for message in plan(reply)]
        if any(reply.request_contact for reply in replies):
            self._shown.add(chat_id)
            return messages
        free = next((message for message in messages if message.markup is None and not message.album), None)
        if free is not None:
            free.markup = no_keyboard()
        elif chat_id in self._shown and messages:
            first = messages[0]
            if has_buttons(first.markup):
                first.late_buttons = first.markup
            first.markup = no_keyboard()
        self._shown.discard(chat_id)
        return messages
