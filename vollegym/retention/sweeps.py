"""Run by every worker every so often (see `vollegym worker`): new runs, due touchpoints, activation checks, ratings.

No cache gate: every step is claimed with a conditional update and every run, check and rating is unique per
enrolment (and day or moment), so several workers sweeping at once do each thing once; a touchpoint goes out within a
sweep interval of its moment.
"""

from vollegym.retention.activation import activation_sweep
from vollegym.retention.ratings import ratings_sweep
from vollegym.retention.services import runs_start, steps_carry_out


def run() -> None:
    runs_start()
    steps_carry_out()
    activation_sweep()
    ratings_sweep()
