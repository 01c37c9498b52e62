"""What the customer reads about their data: /privacy, /mydata and /forget."""

from __future__ import annotations

PRIVACY_NOTICE = (
    "🔒 What we keep about you, and why:\n"
    "• Your claims: the transaction, what you wrote, the files you sent and our decision. "
    "We need them to decide and pay refunds. {closed_days} days after a claim is closed, "
    "your name and words are removed; the refund record stays for our accounts.\n"
    "• Messages between you and our team: {outbox_days} days after they are sent.\n"
    "• Questions I could not answer, without phone numbers or e-mails: {faq_days} days.\n"
    "• Your language choice, until you ask us to forget you.\n\n"
    "/mydata – get a copy of all of it (once a day)\n"
    "/forget – erase it (refunds stay on record, without your name)"
)
# Under the first message of /start.
PRIVACY_LINK = "🔒 What we keep about you: /privacy"
# Added to /help.
HELP_PRIVACY = (
    "/privacy – what we keep about you\n/mydata – a copy of your data\n/forget – erase your data"
)
MYDATA_CAPTION = "📄 Everything we hold about you, as of {when}."
MYDATA_TOO_SOON = "You can get your data once a day. Please ask again after {when}."
FORGET_ASK = (
    "Erase your data? I will remove your name, phone number, e-mail, messages and files, "
    "and withdraw any open claim. Refunds already approved stay on record for our "
    "accounts, without your name. This cannot be undone."
)
BTN_FORGET_YES = "🗑 Yes, erase it"
BTN_FORGET_NO = "Keep my data"
FORGET_KEPT = "OK, nothing was erased."
FORGET_DONE = (
    "Done: your data is erased. Your claims stay in our accounts only as “erased #{erasure}”."
)
# Said by the bot when an operator erased the data (an e-mailed request).
FORGET_DONE_BY_TEAM = (
    "As you asked, our team erased your data. Your claims stay in our accounts only as "
    "“erased #{erasure}”."
)
FORGET_WITHDRAWN = "Your open claims were withdrawn first: {claims}."
