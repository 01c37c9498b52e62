"""Filing claims and showing them to the customer."""
