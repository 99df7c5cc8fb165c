"""Reading runners' activity files and records into the store.

The package's face: what the rest of runload uses. The work is done by modules named for it:
:mod:`~runload.ingest.importer` (``import_paths``, :class:`RecordImport`), the walk over folders
and archives (:mod:`~runload.ingest.walk`, :mod:`~runload.ingest.archives`,
:mod:`~runload.ingest.sniff`), the worker processes (:mod:`~runload.ingest.pool`), the store's
door (:mod:`~runload.ingest.writer`) and one reader per format (``fit``, ``gpx``, ``tcx``,
``runcsv``, ``stravacsv``; GPX and TCX share :mod:`~runload.ingest.xmlpoints`, and every reader
:mod:`~runload.ingest.common`; sport names and single values, numpy-free, are
:mod:`~runload.ingest.values`). The format readers are loaded when a file of theirs is read.
"""

from __future__ import annotations

from runload.ingest.values import activity_sport
from runload.ingest.dedupe import richness
from runload.ingest.importer import ImportStopped, RecordImport, import_paths
from runload.ingest.pool import parse_source
from runload.ingest.summary import ImportSummary
from runload.ingest.writer import local_offset

__all__ = ["ImportStopped", "ImportSummary", "RecordImport", "activity_sport", "import_paths", "local_offset",
           "parse_source", "richness"]
