"""What the terminal chat (`refundbot chat`) prints around the dialogue."""

CONSOLE_HINT = (
    "Type as you would in Telegram. Pick a button by its number. /quit, Ctrl-D or Ctrl-C to leave."
)
CONSOLE_DEMO_INTRO = (
    "Demo mode: a temporary database with sample purchases. Try a claim with one of these "
    "(transaction, phone, e-mail):"
)
CONSOLE_PICK_RANGE = "Pick a number from 1 to {n}, or type a message."
CONSOLE_STAFF_COPY = "(A copy went to the staff queue.)"
CONSOLE_BYE = "Bye!"
CONSOLE_DEMO_STAFF = (
    "The staff side runs here too: what the staff chat gets is printed as it arrives. "
    "Type /staff to act as staff (press the card's buttons, answer prompts, /queue, /card 1), "
    "and /customer to be the customer again."
)
CONSOLE_STAFF_MODE = (
    "You are staff now. Typed lines go to the staff chat; /customer to switch back."
)
CONSOLE_CUSTOMER_MODE = "You are the customer again."
CONSOLE_FROM_STAFF_CHAT = "🧑‍💼 [staff chat] "
CONSOLE_TO_YOU = "📨 "
CONSOLE_STAFF_BUTTON = "[{n}] is on the staff chat's message. Type /staff to act as staff first."
CONSOLE_CUSTOMER_BUTTON = (
    "[{n}] is on the customer's message. Type /customer to be the customer again first."
)
CONSOLE_FILE_SAVED = "📎 Saved {filename}: {path}"
CONSOLE_FILE_NOT_HERE = "📎 {filename} (a customer's file: open it in Telegram)"
