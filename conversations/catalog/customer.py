"""What the customer reads in the chat, apart from FAQ answers and clause explanations."""

from __future__ import annotations

PK_NOTICE = (
    "⚠️ Our SMS services in Pakistan are temporarily suspended until our registration "
    "with the PTA (Pakistan Telecommunication Authority) is complete."
)

WELCOME = (
    "Hi {name}! I'm the refund desk. I can answer refund questions, check a refund claim "
    "against your account, and show your claims.\n\nWhat would you like to do?"
)
MENU_PROMPT = "What would you like to do?"
HELP = (
    "Here's what I can do:\n"
    "/faq – refund questions and answers\n"
    "/claim – ask for a refund on a purchase\n"
    "/status – see your claims\n"
    "/human – talk to a person\n"
    "/back – go one step back\n"
    "/cancel – stop what you're doing\n"
    "/language – English or اردو\n\n"
    "You can also just type your question."
)

BTN_FAQ = "❓ Refund questions"
BTN_CLAIM = "📝 Ask for a refund"
BTN_STATUS = "📋 My claims"
BTN_HUMAN = "🙋 Talk to a person"
BTN_MENU = "⬅️ Main menu"
BTN_MORE_FAQ = "❓ More questions"
BTN_NONE_OF_THESE = "None of these"
# Beside an answer, when another topic came a close second.
BTN_OR_TOPIC = "Or did you mean: {topic}?"

EXPIRED = "We hadn't heard from you for {idle}, so I've started over."
CANCELLED = "Okay, stopped. Nothing was sent."
NOTHING_TO_CANCEL = "There's nothing to cancel."
NOTHING_TO_GO_BACK_TO = "You're at the start already."
BTN_SHARE_CONTACT = "📱 Share my phone number"
NOT_YOUR_CONTACT = (
    "That's someone else's contact. Tap “Share my phone number” to send your own, "
    "or type the phone number or e-mail on the account."
)
CONTACT_NOT_NEEDED = "Thanks, but I don't need a phone number right now."
BTN_HELPFUL = "👍 Helpful"
BTN_NOT_HELPFUL = "👎 Not really"
FEEDBACK_THANKS = "Thanks for telling me."
FEEDBACK_SORRY = "Sorry that didn't help. A person from our team can answer you here."
FAQ_NONE_FIT = (
    "Sorry I didn't get it right. A person from our team can answer you here, "
    "or you can look through all the topics."
)
DISCARD_ASK = "Discard the claim you were filing for {tx}?"
BTN_DISCARD = "🗑 Yes, discard it"
BTN_KEEP = "↩️ No, keep going"
KEPT = "Okay, let's carry on with your claim."
STALE_BUTTON = "That button belongs to an earlier step."
PROGRESS_SAVED = "Sorry, something went wrong on my side. Your progress is saved; please try again."

FAQ_MENU = "Pick a question:"

# Unusable input
UNSUPPORTED_MEDIA = (
    "I can only read text messages, sorry. Please type your answer, or pick an option."
)
TOO_LONG = (
    "That message is too long for me ({length} characters). Please keep it under {limit} "
    "characters and send it again."
)
NEED_BUTTON = "Please pick one of the buttons below."

# Claim: transaction
ASK_TRANSACTION = (
    "Let's check your refund. What's the transaction ID of the purchase? "
    "It's on your receipt, e.g. TX-1001."
)
BAD_TRANSACTION_FORMAT = (
    "That doesn't look like a transaction ID. It's a short code like TX-1001, "
    "without spaces. Please try again."
)
# The purchase left the ledger while the claim was being filed.
UNKNOWN_TRANSACTION_GIVE_UP = (
    "I still can't find that transaction. A person can look it up for you: tap "
    "“Talk to a person”, or try /claim again later."
)

ASK_OWNER = (
    "Thanks. To keep your account safe, please send the phone number or e-mail address "
    "of the account that made this purchase (e.g. 0300 1234567 or name@example.com)."
)
NOT_A_CONTACT = (
    "That doesn't look like a phone number or an e-mail address. "
    "For example: 0300 1234567 or name@example.com."
)
# One answer for a missing transaction and a wrong phone number or e-mail: guessing ids
# must teach nothing.
NO_MATCH = (
    "I couldn't match transaction {tx} to that phone number or e-mail. Please check both "
    "against your receipt, then send the transaction ID again."
)
NO_MATCH_WAIT = (
    "I couldn't match transaction {tx} to that phone number or e-mail. To keep accounts safe, "
    "please wait until {until} before trying again, or tap “Talk to a person”."
)
PLEASE_WAIT = (
    "There were a few wrong answers from your account, so please wait until {until} before "
    "trying again. If you need help sooner, tap “Talk to a person”."
)
OWNER_LOCKED = (
    "Transaction {tx} had too many wrong answers, so I've locked it for one hour (until "
    "{until}). If you need help sooner, tap “Talk to a person”."
)
STILL_LOCKED = (
    "Transaction {tx} is locked until {until} after too many wrong answers. "
    "Please try again after that, or talk to a person."
)
SLOW_DOWN = (
    "You're sending messages faster than I can read them. Please wait a minute, then carry on."
)
# In a group: claims and proofs belong in a private chat, where nobody else reads them.
USE_PRIVATE_CHAT = (
    "I help with refunds in a private chat, so your details stay between us. "
    "Tap the button to open it."
)
BTN_OPEN_PRIVATE = "Open a private chat"

# Claim: duplicate (C-DUPLICATE)
DUPLICATE_GONE = (
    "Another claim for {tx} was just filed, so I didn't file this one. Use /status to follow it."
)
DUPLICATE = (
    "There's already a claim for {tx}: claim #{claim_id}, {status}. "
    "One claim per purchase at a time, so I won't open another. Use /status to follow it."
)

# Claim: reason
ASK_REASON = "Purchase {tx}: {credits} credits ({kind}), bought {when}.\n\nWhat went wrong?"
REASON_LABELS = {
    "undelivered": "📵 Messages not delivered",
    "outage": "⛔ Couldn't send (platform down)",
    "not_beneficial": "🤷 Not what I needed",
    "other": "💬 Something else",
}
REASON_SHORT = {
    "undelivered": "messages not delivered",
    "outage": "couldn't send, platform down",
    "not_beneficial": "the service wasn't what I needed",
    "other": "something else",
}
KIND_LABELS = {"package": "package", "subscription": "subscription"}

# Claim: campaign
ASK_CAMPAIGN = "Which campaign had the undelivered messages? Pick one, or type its campaign ID."
ASK_CAMPAIGN_TYPED = (
    "Which campaign had the undelivered messages? Please type its campaign ID, e.g. CMP-2001."
)
CAMPAIGN_BUTTON = "{campaign_id} · {sent} · {country}"
UNKNOWN_CAMPAIGN = (
    "I can't find campaign {campaign} on this purchase ({left} {tries} left). "
    "Please pick one of the buttons or type the ID again."
)
CAMPAIGN_GIVE_UP = (
    "I couldn't match that campaign, so I'll send your claim to our team to check by hand."
)

# Claim: description
ASK_DESCRIPTION = (
    "Please describe the problem in a few sentences (at least {min} characters, at most {max})."
)
DESCRIPTION_TOO_SHORT = (
    "That's a bit short. Please tell us what happened in a sentence or two, "
    "e.g. “Credits were charged twice for one campaign.”"
)

# Claim: summary
SUMMARY = "Please check your claim:\n\nPurchase: {tx}\nProblem: {reason}{extra}\n\nSend it?"
SUMMARY_CAMPAIGN = "\nCampaign: {campaign}"
SUMMARY_NO_CAMPAIGN = "\nCampaign: not matched (our team will check)"
SUMMARY_DESCRIPTION = "\nDetails: {description}"
BTN_SUBMIT = "✅ Send"
BTN_CHANGE = "✏️ Change"
BTN_CANCEL = "✖️ Cancel"

# Decision
DECISION_ELIGIBLE = (
    "✅ Good news: your claim #{claim_id} qualifies for a refund of {credits} credits{money}.\n\n"
    "{why}\n\n"
    "It's now with our team for a final check. I'll message you here when they decide."
)
MONEY = " ({amount})"  # the amount with its currency, e.g. "1,234.50 PKR"
DECISION_REVIEW = (
    "🔎 Thanks. Your claim #{claim_id} needs a person to check it.\n\n"
    "{why}\n\nOur team will look into it and I'll message you here when they decide."
)
TOO_LATE = "❌ Sorry, this purchase can't be refunded any more.\n\n{why}\n\n{next}"
DECISION_INELIGIBLE = (
    "❌ Sorry, this purchase can't be refunded.\n\n{why}\n\n{next}\n\n"
    "(Reference: claim #{claim_id}.)"
)
REVIEW_DESCRIPTION = (
    "Your purchase is within the refund window, and a person needs to read your description."
)

# /status
STATUS_NONE = "You have no refund claims yet. Tap “Ask for a refund” to start one."
STATUS_PICK = "Tap a claim to see where it is, add information or withdraw it."
BTN_CLAIM_LINE = "#{claim_id} · {tx} · {status}"
BTN_ADD_INFO = "➕ Add information"
BTN_WITHDRAW = "↩️ Withdraw this claim"
BTN_WITHDRAW_CONFIRM = "Yes, withdraw it"
BTN_MY_CLAIMS = "📋 My claims"
DETAIL_TITLE = "Claim #{claim_id} · {tx} · {status}"
DETAIL_TIMELINE = "What happened:"
DETAIL_EVENT = "• {when}: {what}"
DETAIL_NEXT = "What happens next: {next}"
TIMELINE = {
    "escalated": "filed and sent to our team",
    "ineligible": "filed; this purchase can't be refunded",
    "in_review": "our team started checking it",
    "info_requested": "our team asked you a question",
    "approved": "approved",
    "rejected": "not approved",
    "refunded": "refund paid",
    "cancelled": "you withdrew it",
}
TIMELINE_ADDED = "you added information"
TIMELINE_ANSWERED = "you answered our team"
NEXT_OPEN = "our team is checking it. I'll message you here when they decide."
NEXT_QUESTION = "our team is waiting for your answer: “{question}”. Just type it here."
NEXT_APPROVED = (
    "{credits} credits will be refunded between {start} and {end} (5–7 business days). "
    "Your bank or payment provider may take a little longer."
)
NEXT_REFUNDED = "nothing more: the refund of {credits} credits was paid {when}."
NEXT_REJECTED = (
    "nothing more. The reason: {reason} If you think this is wrong, type /human "
    "and our team will look again."
)
NEXT_INELIGIBLE = "nothing more: {why}"
NEXT_CANCELLED = "nothing more. You can file a new claim with /claim."
WITHDRAW_ASK = "Withdraw claim #{claim_id}? Our team will stop working on it."
WITHDRAWN = "Claim #{claim_id} is withdrawn. You can file a new one with /claim."
CANNOT_WITHDRAW = "Claim #{claim_id} is {status} now, so it can't be withdrawn."
ADD_INFO_PROMPT = (
    "What would you like to add to claim #{claim_id}? Type it here (up to {limit} characters)."
)
ADD_INFO_DONE = "Thanks, I've added that to claim #{claim_id} for our team."
ADD_INFO_CLOSED = "Claim #{claim_id} is {status} now; our team is no longer working on it."
STATUS_HEADER = "Your claims (newest first):"
STATUS_LINE = "#{claim_id} · {tx} · {status} · {when}"
STATUS_APPROVED_LINE = "   {credits} credits, refund expected {start} – {end}"
STATUS_REJECTED_LINE = "   Reason: {reason}"
STATUS_QUESTION_LINE = "   We asked: {question} (just reply here)"
STATUS_LABELS = {
    "ineligible": "not eligible",
    "escalated": "waiting for our team",
    "in_review": "being checked by our team",
    "info_requested": "waiting for your answer",
    "approved": "approved",
    "rejected": "rejected",
    "refunded": "refunded",
    "cancelled": "withdrawn",
}

# /human
HUMAN_START = (
    "Okay, I'll pass your messages to our support team. Type your message below. "
    "Send /cancel when you're done."
)
HUMAN_OUTSIDE_HOURS = (
    "Our team answers {hours} (local time), so the reply will come after {when}. "
    "Your messages wait for them here."
)
HOURS_ONLY = "Our team answers {hours} (local time); the next time is {when}."
HUMAN_NO_STAFF = "Our team can't answer in this chat right now. You can reach them here: {contact}"
HUMAN_NO_STAFF_NO_CONTACT = (
    "Our team can't answer in this chat right now. Please contact our support team "
    "the way you usually do; your claims and their numbers are under /status."
)
HUMAN_RELAYED = "Sent to our team. They'll reply here."
HUMAN_REPLY = "💬 Support team: {text}"
HUMAN_ENDED = "You're back with the bot. Type a question or pick an option."

# Free text in the menu
OFF_TOPIC = (
    "I can only help with refunds: refund questions, refund claims and their status. "
    "Pick an option below or ask a refund question."
)
GREETING = "Hi {name}! Ask me a refund question, or pick an option below."
NAME_UNKNOWN = "there"  # "Hi there!" when Telegram gives no first name
TRY = "try"  # "(2 tries left)"
TRIES = "tries"

UNKNOWN_COMMAND = "I don't know /{command}."
ANSWER_PROMPT = "Our team is waiting for your answer about your claim. Just type it here."

# Evidence: photos and documents sent during a claim, with an open claim, or to a person
FILE_PHOTO = "photo"
FILE_NAMED = "“{name}”"
FILE_KEPT = "Got your {what} — I'll attach it to your claim when you send it ({count} of {limit})."
FILE_ATTACHED = (
    "Got your {what} — it's attached to claim #{claim_id} ({count} of {limit}). "
    "Send more, or tap Done."
)
FILE_RELAYED = "Got your {what} — I've passed it to our team. They'll reply here."
FILE_ANSWERED = "Got your {what} — it's attached to claim #{claim_id} and our team has it now."
FILE_TOO_EARLY = (
    "Thanks! I can take screenshots once I've found your purchase. "
    "For now, please answer the question above."
)
FILE_OUTSIDE = (
    "Thanks, but there's no claim open for this. To add it to a claim, open the claim in "
    "📋 My claims and tap “Add information”, then send it again. To show it to a person, "
    "tap “Talk to a person” first."
)
FILE_TOO_MANY = (
    "Claim #{claim_id} has {limit} files already, the most I can take. "
    "If our team needs more, they'll ask you here."
)
FILE_TOO_MANY_PENDING = (
    "That's {limit} files already, the most one claim can take. "
    "If our team needs more, they'll ask you here."
)
FILE_TOO_BIG = "That file is too big ({size} MB). Please send files under {limit} MB."
FILE_TOO_BIG_UNKNOWN = "That file is too big. Please send files under {limit} MB."
FILE_WRONG_TYPE = (
    "I can't take that kind of file. Please send a photo or screenshot, a PDF, "
    "a spreadsheet (.csv or .xlsx) or a text file (.txt)."
)
FILE_TYPE_MISMATCH = (
    "I can't take “{name}”: its name and its file type don't match. "
    "Please send a photo or screenshot, a PDF, a spreadsheet (.csv or .xlsx) or a text file (.txt)."
)
FILE_SIZE_UNKNOWN = (
    "I couldn't find out how big that file is, so I can't take it. "
    "Please send it again, or send a screenshot instead."
)
FILE_RELAY_LIMIT = (
    "I've passed {limit} files to our team in the last hour, the most I can, so your {what} "
    "hasn't gone to them. You can send it again from {when}. Messages you type still reach them."
)
FILE_SEEN = "You've sent that one already; it's attached."
SUMMARY_FILES = "\nAttached: {files}"
BTN_DONE = "✅ Done"

# Rating a closed claim
RATE_ASK = "How did we handle claim #{claim_id}? Tap 1 (poor) to 5 (great)."
RATE_STARS = "{stars} ⭐"
RATE_THANKS = "Thanks for rating claim #{claim_id}: {stars} ⭐."
RATE_ASK_COMMENT = "Anything you'd like to tell us? Type it here, or tap Skip."
BTN_SKIP = "Skip"
RATE_COMMENT_THANKS = "Thanks, our team will read it."
RATE_ALREADY = "You've already rated claim #{claim_id} ({stars} ⭐). Thanks!"
RATE_NOT_CLOSED = "Claim #{claim_id} isn't finished yet, so there's nothing to rate."
RATE_INVALID = "That rating button isn't valid."
RATE_COMMENT_TOO_LONG = (
    "That's a long one ({length} characters). Please keep it under {limit} and send it again."
)

# After an idle timeout: what was dropped, before the new message is answered
EXPIRED_CLAIM = (
    "We hadn't heard from you for {idle}, so I closed the claim you were filing for {tx} "
    "(nothing was sent)."
)
RATE_THANKS_DONE = "Thanks! What would you like to do?"
CONTACT_AT_MENU = (
    "Thanks, but I don't need that right now. To check a refund, tap “Ask for a refund” "
    "and I'll ask for it."
)
