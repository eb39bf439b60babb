"""A fake of ECS ExecuteCommand, which moto 5.2.5 does not implement, answered in the WSGI layer
in front of moto from moto's own tasks and shaped as the API reference says (clusterArn,
containerArn, containerName, interactive, session {sessionId, streamUrl, tokenValue}, taskArn).
Refused as ECS refuses: a task started without enableExecuteCommand, or whose container's
ExecuteCommandAgent is not RUNNING (InvalidParameterException with ECS's own message);
non-interactive mode (only interactive is supported); an unknown task
(InvalidParameterException, "The specified task is not found"). Every call is kept in `calls`."""

import json
import threading
import uuid

from moto.ecs.models import ecs_backends

NOT_ENABLED = ("The execute command failed because execute command was not enabled when the task was run "
               "or the execute command agent isn't running. Wait and try again or run a new task with "
               "execute command enabled and try again.")


class ExecuteCommand:
    OPS = {"ExecuteCommand"}

    def __init__(self, account, region):
        self.account, self.region = account, region
        self.lock = threading.Lock()
        self.calls = []

    def handle(self, op, body):
        req = json.loads(body or b"{}")
        with self.lock:
            self.calls.append(req)
        if not req.get("interactive"):
            return 400, {"__type": "InvalidParameterException",
                         "message": "Interactive is the only mode supported currently."}
        backend = ecs_backends[self.account][self.region]
        cluster = (req.get("cluster") or "default").split("/")[-1]
        task_id = req.get("task", "").split("/")[-1]
        task = next((t for t in backend.tasks.get(cluster, {}).values() if t.id == task_id), None)
        if task is None:
            return 400, {"__type": "InvalidParameterException", "message": "The specified task is not found."}
        name = req.get("container") or task.containers[0].name
        container = next((c for c in task.containers if c.name == name), None)
        if container is None:
            return 400, {"__type": "InvalidParameterException",
                         "message": f"The container {name} does not exist in the task."}
        agents = getattr(container, "managed_agents", []) or []
        running = any(a.get("name") == "ExecuteCommandAgent" and a.get("lastStatus") == "RUNNING" for a in agents)
        if not getattr(task, "enable_execute_command", False) or not running:
            return 400, {"__type": "InvalidParameterException", "message": NOT_ENABLED}
        sid = f"ecs-execute-command-{uuid.uuid4().hex[:17]}"
        return 200, {
            "clusterArn": task.cluster_arn, "containerArn": container.container_arn, "containerName": name,
            "interactive": True, "taskArn": task.task_arn,
            "session": {"sessionId": sid,
                        "streamUrl": f"wss://ssmmessages.{self.region}.amazonaws.com/v1/data-channel/{sid}"
                                     "?role=publish_subscribe&cell-number=AAEAAQ",
                        "tokenValue": "AAEAAf" + uuid.uuid4().hex * 3},
        }
