"""Interpreters and what depends on them, rebuilding environments in place, Jupyter kernels."""
