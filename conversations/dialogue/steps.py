"""The names of the dialogue's steps, as stored in the conversation row."""

MENU = "menu"
TX = "claim_tx"
OWNER = "claim_owner"
REASON = "claim_reason"
CAMPAIGN = "claim_campaign"
DESCRIPTION = "claim_description"
CONFIRM = "claim_confirm"
HUMAN = "human"
ANSWER = "answer_question"  # a staff member asked the customer something

CLAIM_STEPS = frozenset({TX, OWNER, REASON, CAMPAIGN, DESCRIPTION, CONFIRM})
# Steps that want a button press; typed text there gets a re-prompt.
BUTTON_STEPS = frozenset({REASON, CONFIRM})
