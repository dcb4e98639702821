"""Run by every worker every so often (see `vollegym worker`): new runs of members and leads, leads' sequences
stopped at their first reply or booking, due touchpoints, activation checks, ratings.

No cache gate: every step is claimed with a conditional update, every run is unique per enrolment (or lead and
sequence), a run stops once, and every check and rating is unique per enrolment (and day or moment), so several
workers sweeping at once do each thing once; a touchpoint goes out within a sweep interval of its moment, and a step
of a lead's sequence asks again, when it is carried out, whether the lead replied since.
"""

from vollegym.retention.activation import activation_sweep
from vollegym.retention.ratings import ratings_sweep
from vollegym.retention.services import lead_runs_start, lead_runs_stop, runs_start, steps_carry_out


def run() -> None:
    runs_start()
    lead_runs_start()
    lead_runs_stop()
    steps_carry_out()
    activation_sweep()
    ratings_sweep()
