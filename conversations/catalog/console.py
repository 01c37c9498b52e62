"""What the terminal chat (`refundbot chat`) prints around the dialogue."""

CONSOLE_HINT = (
    "Type as you would in Telegram. Pick a button by its number. /quit or Ctrl-D to leave."
)
CONSOLE_DEMO_INTRO = (
    "Demo mode: a temporary database with sample purchases. Try a claim with one of these "
    "(transaction, phone, e-mail):"
)
CONSOLE_PICK_RANGE = "Pick a number from 1 to {n}, or type a message."
CONSOLE_STAFF_COPY = "(A copy went to the staff queue.)"
CONSOLE_BYE = "Bye!"
