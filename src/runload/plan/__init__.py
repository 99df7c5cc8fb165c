"""Plan ahead: check a planned week against the same rules and limits before it is run.

:func:`check_plan` is pure, like :func:`runload.assess.assess`: the athlete's plain data as it
stood on the day the plan is made, the rulebook, and the planned runs in; a
:class:`PlanCheck` out (what would fire on each planned day, with the numbers and the limit that
keeps it, and a proposed plan that keeps every limit).
"""

from runload.plan.check import PlanCheck, PlanFinding, WeekLimits, check_plan, history_upto, level_to
from runload.plan.model import (KINDS, PlannedRun, as_activities, is_planned, parse_plan_csv, parse_run_option,
                                plan_csv, planned_run, read_plan_csv)

__all__ = ["KINDS", "PlanCheck", "PlanFinding", "PlannedRun", "WeekLimits", "as_activities", "check_plan",
           "history_upto", "is_planned", "level_to", "parse_plan_csv", "parse_run_option", "plan_csv",
           "planned_run", "read_plan_csv"]
