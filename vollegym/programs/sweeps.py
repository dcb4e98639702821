"""Run by every worker every so often (see `vollegym worker`): memberships that go on, renewal talks, win-backs.

No gate and no state in the process: each step is unique per run in the database (a run continued once, one talk
and one win-back per run), so several workers sweeping at once do each thing once.
"""

from vollegym.programs.endings import memberships_continue
from vollegym.programs.renewals import renewal_talks_plan
from vollegym.programs.winback import win_backs_send


def run() -> None:
    memberships_continue()
    renewal_talks_plan()
    win_backs_send()
