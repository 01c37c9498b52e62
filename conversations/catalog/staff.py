"""What support staff read in the staff chat."""

from __future__ import annotations

CARD_TITLE = "🧾 Claim #{claim_id} · {status}"
TOPIC_TITLE = "Claim #{claim_id}"
CARD_AGE = "Filed {when} ({age} ago)"
CARD_CUSTOMER = "Customer: {name}{username} · id {user_id}"
CARD_CLAIM = "Purchase {tx} · reason: {reason}"
CARD_DESCRIPTION = "Customer says: “{description}”"
CARD_DECISION = "Bot decision: {outcome}{unverified}"
CARD_UNVERIFIED = " (unverified, please investigate)"
CARD_CLAUSE = "{mark} {clause}: {explanation}"
CARD_EVIDENCE = "Evidence"
CARD_PURCHASE = "• Bought {when}: {kind}, {credits} credits, {used} used, {amount} {currency}"
CARD_CAMPAIGN = (
    "• Campaign {campaign_id} to {country}, sent {when}: {sent} sent, {delivered} delivered, "
    "{failed_platform} failed on our side, {failed_carrier} failed at the carrier"
)
CARD_NO_CAMPAIGN = "• No campaign matched"
CARD_INCIDENT = "• Incident {incident_id} ({scope}): {description}, {start} – {end}"
CARD_INCIDENT_ONGOING = "ongoing"
CARD_FILES = "• 📎 {count} {noun}: {names}"
CARD_FILES_NOUN = ("attachment", "attachments")
EVIDENCE_COPY = "📎 Claim #{claim_id}: {what} from {name}{caption}"
EVIDENCE_CAPTION = "\n“{caption}”"
CARD_REFUNDABLE = "Refundable: {credits} credits"
CARD_OWNER = "Handled by: {owner}"
CARD_NOBODY = "Handled by: nobody yet"
CARD_LAST = "Last change: {what} by {who}, {when}"
BY_CUSTOMER = "the customer"
CARD_REJECT_REASON = "Rejection reason: {reason}"
CARD_QUESTION = "Asked the customer: “{question}”"
CARD_ANSWER = "Customer answered: “{answer}”"
CARD_REFUND_WINDOW = "Refund due {start} – {end}"
CARD_FILED_AGAIN = "⚠️ Filed again after a refusal on this purchase"
CARD_HISTORY = "Earlier claims on this purchase"
CARD_HISTORY_LINE = "• #{claim_id}, {when}: {reason} · bot: {outcome} · {status} · {credits} cr"
CARD_OVERRULED = "Overruled by {who}: “{reason}”"
CARD_NOTE = "📝 {who}, {when}: {note}"
CARD_ADDED = "➕ Customer added, {when}: “{text}”"
REPORT = (
    "📊 Report {start} – {end} (days in {zone})\n"
    "Claims filed: {filed} ({eligible} eligible, {review} to review, {ineligible} not eligible)\n"
    "Refunds paid: {refunded}, {credits} credits\n"
    "Median time to decision: {median}\n"
    "Refunds paid late or overdue: {late} ({late_ids})"
)
REPORT_NONE = "none"
REPORT_CHART_TITLE = "Claims per day, by the bot's decision"
REPORT_FINANCE = "💸 Approved refunds to pay: {count}. The CSV opens safely in a spreadsheet."
FIND_USAGE = "Usage: /find TX-1001, /find @username or /find 0300 1234567."
FIND_NONE = "No claims found for {query}."
FIND_HEADER = "Claims for {query} ({count}, newest first):"
FIND_LINE = "#{claim_id} · {status} · {tx} · {reason} · {credits} cr · {when}"
FIND_FOOTER = "Open one with /card N."
NOTE_USAGE = "Usage: /note 12 what you found (an internal note; the customer never sees it)."
NOTE_ADDED = "Note added to claim #{claim_id}. Only staff can see it."
NOTE_TOO_LONG = "That note is {length} characters; please keep it under {limit}."

OUTCOME_LABELS = {"eligible": "eligible", "ineligible": "not eligible", "review": "needs review"}
STATUS_LABELS = {
    "ineligible": "not eligible",
    "escalated": "new",
    "in_review": "in review",
    "info_requested": "waiting for customer",
    "approved": "approved",
    "rejected": "rejected",
    "refunded": "refunded",
    "cancelled": "withdrawn",
}

BTN_TAKE = "🙋 Take"
BTN_APPROVE = "✅ Approve"
BTN_REJECT = "❌ Reject"
BTN_ASK = "❓ Ask customer"
BTN_REFUNDED = "💸 Mark refunded"
BTN_OVERRULE = "⚖️ Overrule: approve"
BTN_CREDITS = "✏️ Change credits"
BTN_CONFIRM_APPROVE = "✅ Approve {credits} credits"
BTN_TYPED_REASON = "✍️ Type a reason"
BTN_CONFIRM = "✅ Yes, do it"

# Card buttons by transition (callback data st:<transition>:<claim>).
BUTTONS = {
    "take": BTN_TAKE,
    "approve": BTN_APPROVE,
    "reject": BTN_REJECT,
    "ask": BTN_ASK,
    "refunded": BTN_REFUNDED,
    "overrule": BTN_OVERRULE,
}

# Policy grounds a staff member can reject with (C-FINAL).
REJECT_GROUNDS = {
    "window": "The claim came more than 2 days after the purchase.",
    "carrier": "The messages failed at a carrier or network outside our platform.",
    "no_failure": "Our records show the messages were delivered.",
    "used": "The credits had already been used.",
    "subscription": "Recurring subscriptions are not refundable.",
    "invalid": "After checking, we found no service failure on our side.",
}
# Questions staff can pick instead of typing one (`refundbot replies` replaces them).
ASK_DEFAULTS = {
    "screenshot": "Could you send a screenshot of the delivery report for this campaign?",
    "numbers": "Which numbers did not get the messages? Two or three examples are enough.",
    "when": "When did you try to send, and what did you see on the screen?",
}
REPLY_BAD_KEY = "Key {key!r}: use up to 24 lower-case letters, digits, - or _."
REPLY_EMPTY = "The reply text is empty."
REPLY_TOO_LONG = "The reply is {length} characters; keep it under {limit}."
REJECT_PICK = "Claim #{claim_id}: pick the reason to give the customer, or type one."
ASK_PROMPT = (
    "Claim #{claim_id}: reply to this message with your question for the customer, or pick one."
)
REASON_PROMPT = "Claim #{claim_id}: reply to this message with the reason for the customer."
CREDITS_PROMPT = (
    "Claim #{claim_id}: reply to this message with the number of credits to refund (1–{max})."
)
CREDITS_BAD = "Please reply with a whole number from 1 to {max}."
NOTHING_LEFT = (
    "Claim #{claim_id}: every credit of purchase {tx} is already approved or refunded, "
    "so nothing more can be approved."
)
OVERRULE_PROMPT = (
    "Claim #{claim_id} was found not eligible. To approve it anyway, reply to this message "
    "with the credits (1–{max}) and why, e.g. “{example} our route was down”."
)
OVERRULE_BAD = (
    "Please reply with the credits (1–{max}) and then the reason, "
    "e.g. “{example} our route was down”."
)
CAMPAIGN_PAID = "Claim #{claim_id}: its campaign was already refunded in another claim."
LIVE_EXISTS = (
    "Claim #{claim_id}: another claim on the same purchase is still open or approved. "
    "Decide that one first."
)
CONFIRM_APPROVE = "Approve claim #{claim_id} for {credits} credits?"

NOT_STAFF = "Only support staff can do that."
ALREADY_DONE = "Already {what} by {who}."
NOT_ALLOWED_NOW = "Claim #{claim_id} is {status}; that can't be done now."
UNKNOWN_CLAIM = "There's no claim #{claim_id}."
DONE_ALERT = "Done: {what}."

ACTION_LABELS = {
    "take": "taken",
    "approve": "approved",
    "reject": "rejected",
    "ask": "question sent",
    "refunded": "refunded",
    "overrule": "overruled and approved",
    "answered": "customer answered",
    "escalate": "escalated",
}

RELAYED = "💬 From {name}{username} (id {user_id}):\n{text}\n\nReply to this message to answer."
RELAYED_FILE = (
    "💬 From {name}{username} (id {user_id}): 📎 {what}{caption}\n\n"
    "Reply to this message to answer."
)
RELAY_SENT = "Sent to the customer."
CUSTOMER_ADDED = "➕ Claim #{claim_id}: the customer added:\n{text}"
ANSWER_FORWARD = "💬 Claim #{claim_id}: {name} answered:\n{text}"

QUEUE_EMPTY = "The queue is empty. 🎉"
QUEUE_HEADER = "Open claims, oldest first ({start}–{end} of {total}):"
QUEUE_LINE = "#{claim_id} · {status} · {outcome} · {credits} cr · {age} · {owner}"
BTN_PREV = "◀️ Newer"
BTN_NEXT = "Older ▶️"
CARD_USAGE = "Usage: /card 12 (the claim number)."
STATS = (
    "Claims by status:\n{by_status}\n\nFiled today ({day}, {zone}): {today}\n"
    "Median time to decision: {median}\nRefunds overdue: {overdue}"
)
STATS_NO_CLAIMS = "no claims yet"
STATS_FAQ = "FAQ answers rated: {helpful} 👍, {not_helpful} 👎."
STATS_FAQ_WORST = " Most 👎: “{topic}” ({count})."
STATS_FAQ_MISSES = "\nrefundbot faq misses lists the questions it could not answer."
STATS_NO_MEDIAN = "no decisions yet"
STATS_RATINGS = "Customer ratings: {average} ⭐ on average, {count} rated"
STATS_COMMENTS = "Latest comments:"
STATS_COMMENT = "• #{claim_id}, {stars} ⭐, {when}: “{comment}”"

REMINDER_UNTAKEN = "⏰ Claim #{claim_id} has waited {age} and nobody has taken it yet."
REMINDER_OVERDUE = (
    "⚠️ Refund overdue: claim #{claim_id} was approved {approved} and the 7-business-day window "
    "ended {end}. Please pay it and mark it refunded."
)

DIGEST_TITLE = "📥 Many claims are arriving ({count} in the last few minutes)."
DIGEST_LINE = "• {group}: {count} claims ({ids})"
DIGEST_DECIDED = "   so far: {done}"
DIGEST_GROUP_INCIDENT = "incident {incident_id}, {outcome}"
DIGEST_GROUP_OTHER = "{reason}, {outcome}"
DIGEST_FOOTER = "Each claim is in /queue; open one with /card N."
BTN_BULK_APPROVE = "✅ Approve all eligible for {incident_id}"
BULK_CONFIRM = "Approve all {count} eligible claims linked to incident {incident_id}?"
BULK_DONE = "Approved {count} claims for incident {incident_id}."

NOT_STAFF_COMMAND = "That command is for support staff."
STAFF_UNKNOWN = "There's no /{command} here."
STALE_ACTION = "That button is no longer valid."
STAFF_HELP = (
    "Staff commands:\n/queue – open claims, oldest first\n/card 12 – show claim #12\n"
    "/stats – numbers at a glance\n/note 12 text – an internal note on claim #12\n"
    "/find TX-1001, @user or a phone – a customer's claims\n"
    "/report – the last two weeks, a chart and the refunds to pay\n"
    "/lockouts – customers and transactions waiting after wrong answers\n"
    "/unlock TX-1001 or a user id – lift that wait\n"
    "/incident start PK text – record an outage; /incident end ID – end it\n"
    "/teach TOPIC – as a reply to a customer's question: the FAQ learns it\n\n"
    "Reply to a relayed message to answer that customer."
)

# Ownership lockouts: misses at proving whose purchase a transaction is.
LOCKOUTS_NONE = "No lockouts: nobody is waiting after wrong answers."
LOCKOUTS_HEADER = "Lockouts after wrong answers ({count}):"
LOCKOUT_USER = "user {user_id} · {misses} misses · waits until {until}"
LOCKOUT_TRANSACTION = "{tx} · {misses} wrong answers · locked until {until}"
LOCKOUTS_FOOTER = "Lift one with /unlock TX-1001 or /unlock 123456789 (a user id)."
UNLOCK_USAGE = "Usage: /unlock TX-1001 (a transaction) or /unlock 123456789 (a Telegram user id)."
UNLOCKED = "Lifted: {what} can try again now."
UNLOCK_NONE = "Nothing to lift for {what}."
CARD_COPY = "(A copy: the claim's card stays where it was posted and is kept up to date there.)"
