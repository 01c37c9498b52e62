"""What the customer is told when staff act on their claim."""

from __future__ import annotations

TAKEN = "👋 A member of our team is now looking at your claim #{claim_id}."
APPROVED = (
    "✅ Your claim #{claim_id} is approved: {credits} credits will be refunded.\n\n"
    "Expect the refund between {start} and {end} (5–7 business days). "
    "Your bank or payment provider may take a little longer."
)
REJECTED = (
    "Your claim #{claim_id} was not approved.\n\nReason: {reason}\n\n"
    "If you think we got it wrong, tap “Talk to a person”."
)
QUESTION = (
    "❓ About your claim #{claim_id}, our team asks:\n\n{question}\n\nJust type your answer here."
)
ANSWER_RECEIVED = "Thanks, I've passed your answer to our team (claim #{claim_id})."
REFUNDED = "💸 Your refund for claim #{claim_id} ({credits} credits) has been paid."
OVERRULED = (
    "✅ Good news: our team looked at your claim #{claim_id} again and approved a refund of "
    "{credits} credits.\n\n"
    "Expect the refund between {start} and {end} (5–7 business days). "
    "Your bank or payment provider may take a little longer."
)
