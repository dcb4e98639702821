"""Kaplan–Meier against examples worked by hand: members still there count as censored, never as gone."""

from __future__ import annotations

import pytest

from vollegym.analytics.survival import at_risk_at, kaplan_meier, restricted_mean, survival_at

# Freireich et al. (1963), the 6-MP arm: weeks in remission; False where the patient was still in remission when
# last seen. The textbook Kaplan–Meier table of this arm (Kleinbaum & Klein, "Survival Analysis", ch. 2) reads
# 0.857, 0.807, 0.753, 0.690, 0.627, 0.538 and 0.448 at 6, 7, 10, 13, 16, 22 and 23 weeks.
SIX_MP = [(6, True), (6, True), (6, True), (6, False), (7, True), (9, False), (10, True), (10, False),
          (11, False), (13, True), (16, True), (17, False), (19, False), (20, False), (22, True), (23, True),
          (25, False), (32, False), (32, False), (34, False), (35, False)]  # fmt: skip
TEXTBOOK = {6: 0.857, 7: 0.807, 10: 0.753, 13: 0.690, 16: 0.627, 22: 0.538, 23: 0.448}


def test_the_six_mp_arm_matches_the_textbook_table() -> None:
    steps = kaplan_meier((float(t), gone) for t, gone in SIX_MP)
    for week, expected in TEXTBOOK.items():
        assert survival_at(steps, week) == pytest.approx(expected, abs=0.0005), week
    # Between events the curve holds, and after the last event only censored times follow.
    assert survival_at(steps, 8) == survival_at(steps, 7)
    assert survival_at(steps, 35) == pytest.approx(0.448, abs=0.0005)
    assert survival_at(steps, 5.99) == 1.0
    # At week 6 all 21 were at risk; at week 7, 17 (three relapsed, one was last seen at 6).
    assert at_risk_at(steps, 6) == 21 and at_risk_at(steps, 7) == 17


def test_five_members_by_hand_with_two_still_members() -> None:
    # Months as a member: Anna left after 2, Bas is still a member after 3, Cas left after 3, Dirk left after 5,
    # Eva is still a member after 6.
    steps = kaplan_meier([(2.0, True), (3.0, False), (3.0, True), (5.0, True), (6.0, False)])
    # t=2: 1 of 5 leaves -> 4/5. t=3: 1 of 4 leaves (Bas, last seen then, still counts) -> 4/5 * 3/4 = 3/5.
    # t=5: 1 of 2 leaves -> 3/10. t=6: Eva is still a member: the curve stays.
    assert [round(survival_at(steps, t), 6) for t in (0, 2, 3, 4, 5, 6)] == [1.0, 0.8, 0.6, 0.6, 0.3, 0.3]
    # The area under it up to 6 months: 2*1 + 1*0.8 + 2*0.6 + 1*0.3 = 4.3 months.
    assert restricted_mean(steps, 6.0) == pytest.approx(4.3)
    # Counting the two who are still members as gone would have said 3.8 months (2+3+3+5+6)/5: too short.
    assert restricted_mean(steps, 6.0) > (2 + 3 + 3 + 5 + 6) / 5


def test_members_who_are_all_still_there_keep_the_curve_at_one() -> None:
    steps = kaplan_meier([(1.0, False), (4.5, False), (9.0, False)])
    assert survival_at(steps, 9.0) == 1.0
    assert restricted_mean(steps, 9.0) == pytest.approx(9.0)


def test_the_restricted_mean_stops_at_its_horizon() -> None:
    steps = kaplan_meier([(1.0, True), (3.0, True)])
    assert restricted_mean(steps, 2.0) == pytest.approx(1.0 + 0.5)
    assert restricted_mean(steps, 10.0) == pytest.approx(1.0 + 2 * 0.5)  # zero after 3: nothing more to add


def test_a_time_before_joining_is_refused() -> None:
    with pytest.raises(ValueError):
        kaplan_meier([(-1.0, True)])
