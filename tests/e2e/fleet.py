"""A steady fleet of ECS services written straight into moto's models (fast: no HTTP per service).

moto starts services at running 0 with a rollout in progress; a steady fleet has running =
desired and COMPLETED rollouts, which is what the scale benchmarks need.
"""

import datetime as dt

from moto.ecs.models import ecs_backends


def seed_fleet(services, clusters, events_per_service=0, account="123456789012", region="us-east-1"):
    backend = ecs_backends[account][region]
    td = backend.register_task_definition(
        "fleet", [{"name": "app", "image": "nginx@sha256:" + "ab" * 32, "memory": 256, "essential": True}],
        network_mode="bridge")
    now = dt.datetime.now(dt.timezone.utc)
    per = services // clusters
    for c in range(clusters):
        backend.create_cluster(f"fleet-{c}")
        for i in range(per):
            svc = backend.create_service(f"fleet-{c}", f"svc-{i:04}", 2, task_definition_str=td.arn)
            svc.running_count, svc.pending_count = 2, 0
            svc.deployments[0].update(runningCount=2, pendingCount=0, rolloutState="COMPLETED")
            svc.events = [{"id": f"{c}-{i}-{e}", "createdAt": now - dt.timedelta(minutes=e),
                           "message": f"(service svc-{i:04}) has reached a steady state."}
                          for e in range(events_per_service)]
    return per * clusters
