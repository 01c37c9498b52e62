"""A turn's working context: the loaded state, the event and the replies it makes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from conversations.chat.events import EventKind, Inbound
from conversations.chat.slots import Slots
from conversations.chat.steps import Step
from conversations.config import DeskConfig
from conversations.domain import (
    Button,
    ConversationState,
    LanguageChoice,
    OutgoingMessage,
    WaitingQuestion,
)
from conversations.ports import UnitOfWork

Keyboard = tuple[tuple[Button, ...], ...]


@dataclass
class Turn:
    uow: UnitOfWork
    state: ConversationState
    event: Inbound
    now: datetime
    config: DeskConfig
    messages: list[OutgoingMessage] = field(default_factory=list)
    # The answer to a pressed button: a short toast, or an alert the user must dismiss.
    callback_text: str | None = None
    callback_alert: bool = False
    # A staff button pressed by someone who is not staff: a fact for the edge to count.
    refused_staff_press: bool = False
    # Staff turns act on claims, not on a conversation of their own.
    keep_state: bool = True
    # Read with the state (ChatSnapshot): the author's stored language, the questions waiting.
    stored_language: LanguageChoice | None = None
    questions: tuple[WaitingQuestion, ...] = ()
    # The stored state, typed; `store` writes them back before the row is saved.
    step: Step = field(init=False)
    slots: Slots = field(init=False)

    def __post_init__(self) -> None:
        self.step = Step.parse(self.state.step)
        self.slots = Slots.from_json(self.state.slots)

    def store(self) -> ConversationState:
        """The conversation row as this turn leaves it."""
        self.state.step = self.step.value
        self.state.slots = self.slots.to_json()
        self.state.updated_at = self.now
        return self.state

    @property
    def chat_id(self) -> int:
        return self.event.chat_id

    def say(
        self, text: str, buttons: Keyboard = (), ref: str | None = None, ask_contact: bool = False
    ) -> None:
        """Send a new message to this chat."""
        self.messages.append(
            OutgoingMessage(
                self.chat_id,
                text,
                buttons,
                ref=ref,
                message_thread_id=self.event.thread_id,
                ask_contact=ask_contact,
            )
        )

    def show(self, text: str, buttons: Keyboard = ()) -> None:
        """Replace the pressed menu in place, or send a new message when there is none."""
        if self.event.kind is EventKind.BUTTON and self.event.message_id is not None:
            self.messages.append(
                OutgoingMessage(self.chat_id, text, buttons, edit_message_id=self.event.message_id)
            )
        else:
            self.say(text, buttons)

    def close_buttons(self, text: str) -> None:
        """Turn the pressed message into a plain record of the choice, without its buttons."""
        if self.event.kind is EventKind.BUTTON and self.event.message_id is not None:
            self.messages.append(
                OutgoingMessage(
                    self.chat_id,
                    text,
                    (),
                    edit_message_id=self.event.message_id,
                    closes_menu=True,
                )
            )

    def toast(self, text: str, alert: bool = False) -> None:
        """Answer the pressed button with a short notice."""
        self.callback_text = text
        self.callback_alert = alert

    def send_to(self, message: OutgoingMessage) -> None:
        """Queue a message to another chat (the staff chat, another customer)."""
        self.messages.append(message)

    def goto(self, step: Step) -> None:
        self.step = step

    def reset(self) -> None:
        """Back to the menu, forgetting the claim in progress (Slots.kept says what stays)."""
        self.slots = self.slots.kept()
        self.step = Step.MENU
