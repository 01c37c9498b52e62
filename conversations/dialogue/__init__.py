"""The dialogue engine: one turn = load state, apply one event, save, send."""
