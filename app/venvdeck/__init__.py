"""venvdeck: a keyboard-driven dashboard for every Python environment on a machine."""

__version__ = "0.1.0"
