"""What moto 5.2.5's DescribeContainerInstances lacks, answered in the WSGI layer in front of it:
the `healthStatus` a request with `include=[CONTAINER_INSTANCE_HEALTH]` gets (and only such a
request, as ECS answers), and the `capacityProviderName` of an instance that belongs to a capacity
provider (a Managed Instances one in the tests). Shaped as the ECS API reference gives them
(`ContainerInstanceHealthStatus`: `overallStatus` OK | IMPAIRED | INSUFFICIENT_DATA | INITIALIZING,
`details` of `InstanceHealthCheckResult`: `type` CONTAINER_RUNTIME | AGENT_CONNECTIVITY |
ACCELERATED_COMPUTE | DAEMON, `status`, `statusReason`, `lastUpdated`, `lastStatusChange`, epoch
seconds on the wire). Keyed by the EC2 instance id, which moto reports. Everything else
(`status`, `agentConnected`, the resources) is moto's own, set on its backend by the test."""

import json
import threading
import time


class InstanceExtras:
    OP = "DescribeContainerInstances"

    def __init__(self):
        self.lock = threading.Lock()
        self.health = {}  # ec2 instance id -> healthStatus
        self.providers = {}  # ec2 instance id -> capacityProviderName
        self.requests = []  # the `include` of each DescribeContainerInstances seen

    def set_health(self, instance_id, overall, checks):
        """`checks`: (type, status, reason or None) each; lastStatusChange two minutes ago."""
        now = time.time()
        details = []
        for kind, status, reason in checks:
            d = {"type": kind, "status": status, "lastUpdated": now - 10, "lastStatusChange": now - 120}
            if reason is not None:
                d["statusReason"] = reason
            details.append(d)
        with self.lock:
            self.health[instance_id] = {"overallStatus": overall, "details": details}

    def set_provider(self, instance_id, name):
        with self.lock:
            self.providers[instance_id] = name

    def active(self):
        with self.lock:
            return bool(self.health or self.providers)

    def note_request(self, body):
        try:
            include = json.loads(body or b"{}").get("include") or []
        except ValueError:
            include = []
        with self.lock:
            self.requests.append(include)
        return include

    def decorate(self, raw, include):
        try:
            answer = json.loads(raw)
        except ValueError:
            return raw
        with self.lock:
            for ci in answer.get("containerInstances", []):
                iid = ci.get("ec2InstanceId")
                if iid in self.providers:
                    ci["capacityProviderName"] = self.providers[iid]
                if "CONTAINER_INSTANCE_HEALTH" in include and iid in self.health:
                    ci["healthStatus"] = self.health[iid]
        return json.dumps(answer).encode()
