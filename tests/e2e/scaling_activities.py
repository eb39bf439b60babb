"""A fake of Application Auto Scaling's DescribeScalingActivities, which moto 5.2.5 does not
implement (it has scalable targets and policies), answered in the WSGI layer in front of moto and
shaped as the API reference says: `ScalingActivities` newest first with ActivityId, ResourceId,
ServiceNamespace, ScalableDimension, Description, Cause, StartTime, EndTime, StatusCode,
StatusMessage and, with IncludeNotScaledActivities, `NotScaledReasons` (Code, MaxCapacity,
MinCapacity, CurrentCapacity); MaxResults (at most 50) and NextToken; ServiceNamespace is
required (ValidationException without it). Tests add activities with `add()`; requests are kept in
`requests` for the assertions."""

import json
import threading
import time
import uuid


class ScalingActivities:
    OPS = {"DescribeScalingActivities"}

    def __init__(self):
        self.lock = threading.Lock()
        self.activities = []  # dicts as the API answers them
        self.requests = []

    def add(self, resource_id, status, description, cause, minutes_ago, message=None, not_scaled=None,
            namespace="ecs", dimension="ecs:service:DesiredCount"):
        start = time.time() - minutes_ago * 60
        a = {"ActivityId": str(uuid.uuid4()), "ServiceNamespace": namespace, "ResourceId": resource_id,
             "ScalableDimension": dimension, "Description": description, "Cause": cause,
             "StartTime": start, "EndTime": start + 40, "StatusCode": status}
        if message:
            a["StatusMessage"] = message
        if not_scaled:
            a["NotScaledReasons"] = not_scaled
        with self.lock:
            self.activities.append(a)
        return a

    def handle(self, op, body):
        req = json.loads(body or b"{}")
        with self.lock:
            self.requests.append(req)
            if not req.get("ServiceNamespace"):
                return 400, {"__type": "ValidationException",
                             "message": "1 validation error detected: Value null at 'serviceNamespace' "
                                        "failed to satisfy constraint: Member must not be null"}
            max_results = int(req.get("MaxResults", 50))
            if not 1 <= max_results <= 50:
                return 400, {"__type": "ValidationException",
                             "message": "MaxResults must be between 1 and 50"}
            found = [a for a in self.activities
                     if a["ServiceNamespace"] == req["ServiceNamespace"]
                     and req.get("ResourceId") in (None, a["ResourceId"])
                     and req.get("ScalableDimension") in (None, a["ScalableDimension"])
                     and (req.get("IncludeNotScaledActivities") or "NotScaledReasons" not in a)]
        found.sort(key=lambda a: -a["StartTime"])
        start = int(req.get("NextToken") or 0)
        page = found[start:start + max_results]
        out = {"ScalingActivities": page}
        if start + max_results < len(found):
            out["NextToken"] = str(start + max_results)
        if not req.get("IncludeNotScaledActivities"):
            out["ScalingActivities"] = [{k: v for k, v in a.items() if k != "NotScaledReasons"} for a in page]
        return 200, out
