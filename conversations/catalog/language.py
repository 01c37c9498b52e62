"""What the customer reads about the language the bot writes in (/language)."""

from __future__ import annotations

LANGUAGE_PICK = "Which language should I write in?"
# Said in the language just picked.
LANGUAGE_SET = "Okay, I'll write to you in {language} from now on. /language changes it."
# Under the Urdu offer, beside the Urdu button: stay in English, and don't ask again.
BTN_KEEP_ENGLISH = "Keep English"
# To a customer set to English who types in Urdu script: said in English and in Urdu.
SWITCH_OFFER = "Would you like me to write to you in Urdu?"
