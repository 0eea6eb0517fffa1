"""Full-text search of the policy library (政策文件检索).

:func:`get_engine` answers the engine the settings choose — ``tantivy`` (embedded, in
``POLICY_INDEX_DIR``) or ``opensearch`` (``POLICY_OPENSEARCH_URL`` / ``POLICY_OPENSEARCH_INDEX``)
— one instance per engine and place, so a changed setting (as between tests) gets its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from django.conf import settings

from .base import SearchEngine

# the engines made, most recently used last; a few at most (each open index holds files and a
# watcher thread — tests make one per index folder)
_engines: OrderedDict[tuple[str, str, str], SearchEngine] = OrderedDict()
_lock = threading.Lock()
KEEP = 4


def get_engine() -> SearchEngine:
    """The search engine of the current settings (created once per engine and location)."""
    kind = str(getattr(settings, "POLICY_SEARCH_ENGINE", "tantivy") or "tantivy")
    if kind == "opensearch":
        key = (kind, str(settings.POLICY_OPENSEARCH_URL), str(settings.POLICY_OPENSEARCH_INDEX))
    elif kind == "tantivy":
        key = (kind, str(settings.POLICY_INDEX_DIR), "")
    else:
        raise ValueError(f"unknown POLICY_SEARCH_ENGINE {kind!r} (tantivy or opensearch)")
    engine = _engines.get(key)
    if engine is not None:
        return engine
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            if kind == "opensearch":
                from .opensearch_engine import OpenSearchEngine

                engine = OpenSearchEngine(key[1], key[2])
            else:
                from .tantivy_engine import TantivyEngine

                engine = TantivyEngine(Path(key[1]))
            _engines[key] = engine
            while len(_engines) > KEEP:
                _engines.popitem(last=False)
    return engine


def reset_engines() -> None:
    """Forget every engine made so far (tests; after the index folder was replaced)."""
    with _lock:
        _engines.clear()
