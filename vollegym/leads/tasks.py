from django_tasks import task

from vollegym.leads import services


@task()
def check_deadline(lead_id: int) -> bool:
    return services.lead_escalate_if_late(lead_id=lead_id)


@task()
def process_inbound_event(event_id: int) -> str:
    from vollegym.leads.inbound import inbound_process

    return inbound_process(event_id=event_id)
