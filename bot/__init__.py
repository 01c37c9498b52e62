"""The Telegram face and the process: CLI, settings, PTB application."""
