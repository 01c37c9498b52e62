"""What every conversation shares: inbound events, the turn, the steps, slots and keyboards."""
