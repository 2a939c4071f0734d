"""The command line: subcommands print or act through the services (no Textual import)."""
