"""Imported by the fork server of the cleaning workers (`flows.pool`), and only there.

Warms the fork server as each worker would warm itself (imports, the model named in
`NEWSROOM_PRELOAD_MODEL`, a made-up page through every step), so that the workers forked
from it start warm and share that memory.
"""

import gc
import os

from flows.pool import PRELOAD_MODEL_VARIABLE, _warm

# What this process was warmed for: a worker forked from it finds it here (tests check it).
WARMED_FOR: tuple[str | None] | None = None

if PRELOAD_MODEL_VARIABLE in os.environ:
    WARMED_FOR = (os.environ[PRELOAD_MODEL_VARIABLE] or None,)
    _warm(WARMED_FOR[0])
    # What the workers inherit lives as long as they do: out of the garbage collector's sight
    # (Python's advice for a process that forks without exec), its collections in the workers
    # neither walk those objects nor write to their pages, which stay shared.
    gc.collect()
    gc.freeze()
