"""The staff side: claim cards, queue actions, reminders and digests."""
