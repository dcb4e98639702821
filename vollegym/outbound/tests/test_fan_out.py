"""The fan-out runs on every poll of every worker: with nothing new it costs one query, however many subscriptions."""

from vollegym.outbound import sweeps
from vollegym.outbound.models import Delivery, Subscription
from vollegym.outbound.services import deliveries_fan_out, fan_out, subscription_create, subscription_pause
from vollegym.people.events import LeadEscalated, LeadStageChanged, event_record


def _subscribe(studio, n, kinds=("lead.escalated",)):
    return [
        subscription_create(studio=studio, url=f"http://127.0.0.1:9/{n}/{i}", kinds=list(kinds), by=None)
        for i in range(n)
    ]


def test_nothing_new_costs_one_query_however_many_subscriptions(cast, django_assert_max_num_queries):
    mine, theirs = _subscribe(cast.studio, 5), _subscribe(cast.other_studio, 3)
    event_record(studio=cast.studio, event=LeadEscalated(lead_id=1))
    # The newest event is of a kind nobody hears: the cursors still move past it.
    newest = event_record(studio=cast.studio, event=LeadStageChanged(lead_id=1, before="a", after="b"))
    event_record(studio=cast.other_studio, event=LeadStageChanged(lead_id=2, before="a", after="b"))
    assert deliveries_fan_out() == 5
    assert {s.cursor for s in Subscription.objects.for_studio(cast.studio)} == {newest.pk}
    with django_assert_max_num_queries(1):
        assert deliveries_fan_out() == 0
    with django_assert_max_num_queries(1):
        assert deliveries_fan_out() == 0
    assert Delivery.objects.for_studio(cast.other_studio).count() == 0 and len(theirs) == 3 and len(mine) == 5


def test_only_the_subscriptions_behind_fan_out(cast, monkeypatch):
    mine, theirs = _subscribe(cast.studio, 2), _subscribe(cast.other_studio, 2)
    deliveries_fan_out()
    subscription_pause(subscription=theirs[1])
    event_record(studio=cast.other_studio, event=LeadEscalated(lead_id=1))
    fanned: list[int] = []
    real = fan_out.subscription_fan_out

    def spy(*, subscription_id, now=None):
        fanned.append(subscription_id)
        return real(subscription_id=subscription_id, now=now)

    monkeypatch.setattr(fan_out, "subscription_fan_out", spy)
    assert deliveries_fan_out() == 1
    assert fanned == [theirs[0].pk]  # not the paused one, not those of a studio with nothing new
    assert Delivery.objects.for_studio(cast.other_studio).get().subscription_id == theirs[0].pk
    assert len(mine) == 2


def test_a_switched_off_studio_is_not_behind(cast, django_assert_max_num_queries):
    _subscribe(cast.studio, 2)
    cast.studio.is_active = False
    cast.studio.save(update_fields=["is_active"])
    event_record(studio=cast.studio, event=LeadEscalated(lead_id=1))
    with django_assert_max_num_queries(1):
        assert deliveries_fan_out() == 0


def test_an_event_committed_after_a_newer_one_is_still_sent_by_the_sweep(cast):
    (sub,) = _subscribe(cast.studio, 1)
    late = event_record(studio=cast.studio, event=LeadEscalated(lead_id=1))
    newer = event_record(studio=cast.studio, event=LeadEscalated(lead_id=2))
    # As if `newer` had committed and been fanned out while the transaction of `late` was still open.
    Delivery.objects.create(studio=cast.studio, subscription=sub, event=newer)
    Subscription.objects.for_studio(cast.studio).filter(pk=sub.pk).update(cursor=newer.pk)
    assert deliveries_fan_out() == 0  # the poll looks past the cursor only
    sweeps.run()
    assert set(Delivery.objects.for_studio(cast.studio).values_list("event_id", flat=True)) == {
        late.pk,
        newer.pk,
    }
