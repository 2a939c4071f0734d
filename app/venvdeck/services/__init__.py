"""Services: a synchronous core with no UI import (the facade runs it in threads for the UI).
Everything the UI and the CLI can do, a service does."""
