"""Staff turns: the staff chat's buttons, replies and commands, above the services they call."""
