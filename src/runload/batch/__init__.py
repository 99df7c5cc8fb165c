"""Past one machine: runload over a bucketed Parquet dataset, locally or on a Dask cluster.

- :mod:`runload.batch.layout`: the dataset (tables, buckets, atomic writes, layout version).
- :mod:`runload.batch.engines`: where work runs (serial, a process pool, Dask) behind one ``map``.
- :mod:`runload.batch.tasks`: the per-bucket work (import, compute), run on any engine.
- :mod:`runload.batch.jobs`: the commands as library calls (what ``runload batch`` runs).

Per file and per athlete, the work is the single-machine code itself: the import of
:func:`runload.ingest.import_paths`, the assessment of :func:`runload.assess.assess` and the
roster line of :func:`runload.report.roster.row_for`, so results equal ``runload import`` and
``runload roster`` on a store.
"""
