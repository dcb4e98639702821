from django_tasks import task

from vollegym.messaging import services


@task()
def deliver_message(message_id: int) -> str:
    return services.message_deliver(message_id=message_id)
