"""The application layer every entry point calls: Telegram, the terminal chat and the CLI."""
