"""The core: dialogue, refund rules and FAQ; imports neither telegram nor sqlalchemy."""
