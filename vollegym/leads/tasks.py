from django_tasks import task

from vollegym.leads import services


@task()
def check_deadline(lead_id: int) -> bool:
    return services.lead_escalate_if_late(lead_id=lead_id)


@task()
def check_deadlines(lead_ids: list[int]) -> int:
    """The deadline watch of a batch of leads that came in together (they share their deadline)."""
    return sum(services.lead_escalate_if_late(lead_id=lead_id) for lead_id in lead_ids)
