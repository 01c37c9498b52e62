"""What the bot says: every sentence a customer or staff member reads lives in these modules."""
