"""The facade's parts, one per capability (reading, changing, insight, repair), joined in
`services/local.py`: each runs its core calls in threads (`threads.py`) over the state in `base.py`."""
