from django_tasks import task

from vollegym.leads import services


@task()
def check_deadline(lead_id: int) -> bool:
    return services.lead_escalate_if_late(lead_id=lead_id)
