"""Signals of the loop, for modules that follow their tasks without the loop knowing them.

``task_changed`` is sent inside the step's transaction after every step a person or the
system takes on a task (the same moment the step's audit entry is written), with
``task``, ``action`` (e.g. ``"close"``, ``"reopen"``), ``from_state`` and ``by``. A receiver
that raises undoes the step, so receivers keep to their own small updates.
"""

from __future__ import annotations

from django.dispatch import Signal

task_changed = Signal()
