"""The chat commands and their descriptions, registered with setMyCommands at start.

The descriptions are registered in English, and in Urdu for Telegram users set to Urdu.
"""

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Start over and show the menu"),
    ("help", "What I can do"),
    ("faq", "Refund questions and answers"),
    ("claim", "Ask for a refund"),
    ("status", "Your claims"),
    ("human", "Talk to a person"),
    ("back", "Go one step back"),
    ("cancel", "Stop what you're doing"),
    ("language", "English or Urdu"),
    ("privacy", "What we keep about you"),
    ("mydata", "A copy of your data"),
    ("forget", "Erase your data"),
)
