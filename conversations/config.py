"""The settings the core needs, handed in by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field

from conversations.support_hours import SupportHours


@dataclass(frozen=True)
class DeskConfig:
    home_country: str = "PK"
    pk_suspension_notice: bool = True
    idle_timeout_minutes: int = 30
    staff_chat_id: int | None = None
    staff_user_ids: frozenset[int] = field(default_factory=frozenset)
    untaken_reminder_minutes: int = 60
    staff_cards_per_minute: int = 12
    support_contact: str = ""  # where customers reach sales/support; empty: no address given
    support_hours: SupportHours | None = None  # when staff answer; None: not said
    # The home country's time zone: customers read moments in it ("14:15 PKT").
    time_zone: str = "UTC"
    # The bot's own @username (from getMe at start, without "@"): deep links, and telling
    # "/help@this_bot" from "/help@other_bot". Empty: not known (the terminal chat).
    bot_username: str = ""
    # The policy's numbers (REFUND_WINDOW_HOURS, REPORT_WINDOW_HOURS, PROCESSING_DAYS); the
    # rules and texts read them through conversations.policy_numbers.
    refund_window_hours: int = 48
    report_window_hours: int = 24
    processing_days: tuple[int, int] = (5, 7)
    # Privacy: how long sent texts, FAQ misses and closed claims' free text are kept (days).
    outbox_text_days: int = 7
    faq_misses_days: int = 90
    closed_claim_days: int = 365
