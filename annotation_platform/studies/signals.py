"""Signals other apps listen to, so that studies depends on none of them."""

from django.dispatch import Signal

# Sent with `study` when a study has every required sequence on its reference grid.
study_ready = Signal()
