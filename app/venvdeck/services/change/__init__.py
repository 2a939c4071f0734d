"""Changing environments: checked plans, the locked runner, delete, export and shells."""
