"""Measure the warnings against the injuries that followed them: ``runload evaluate``.

Labelled data (:mod:`~runload.evaluate.labelled`) come from a generic pair of CSVs
(:mod:`~runload.evaluate.generic`), the Lövdal et al. 2021 layouts (:mod:`~runload.evaluate.lovdal`)
or the store with pain episodes as events (:mod:`~runload.evaluate.squad`). Every day is judged by
the product's own :func:`runload.assess.assess` as of that day (:mod:`~runload.evaluate.judge`), on
any engine of :mod:`runload.batch.engines`; :mod:`~runload.evaluate.evaluation` counts each rule,
severity and the status against injuries in the next days, with cluster-bootstrap intervals
(:mod:`~runload.evaluate.measures`); :mod:`~runload.evaluate.render` writes it out.
"""
