"""Training load: the daily and weekly series (``series``, with :class:`series.Frames` holding
one athlete's series built once), the formulas (``formulas``: TRIMP, ACWR, monotony,
fitness/fatigue, spikes) and the metric adapters rule files name (``metrics``)."""
