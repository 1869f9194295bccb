"""A received package's 进度 and 筛查 results, kept as it is received (``app.bureau.stored``).

The receipt runs the package's 审核 anyway; keeping the counts (and the quantities 筛查 reads) in the
same transaction means the 进度 and 筛查 tabs after an import of 500 packages read 500 kept results
instead of opening and checking 500 datasets again.
"""

from __future__ import annotations

import logging

from app.bureau.dashboard import audit_summary
from app.bureau.screening import (
    ScreeningConfigError,
    load_config,
    measured_names,
    measures_basis,
    measures_summary,
)
from app.bureau.stored import AUDIT, MEASURES, keep_written

log = logging.getLogger(__name__)


def keep_received(store, dataset, findings) -> None:
    """Keep ``dataset``'s results, inside the receipt's transaction; ``findings`` is its 审核 just run."""
    results = {AUDIT: (audit_summary(dataset, findings), "")}
    try:
        config = load_config()
    except ScreeningConfigError as exc:  # 筛查 says so when it is run; the package is received all the same
        log.warning("screening measures not kept on receipt: %s", exc)
    else:
        names, growth_names = measured_names(config), tuple(config.growth_quantities)
        results[MEASURES] = (measures_summary(dataset, names, growth_names), measures_basis(config))
    keep_written(store, dataset, results)


__all__ = ["keep_received"]
