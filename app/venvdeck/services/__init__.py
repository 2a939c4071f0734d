"""Services: plain asyncio, no UI imports. Everything the UI and the CLI can do, a service does."""
