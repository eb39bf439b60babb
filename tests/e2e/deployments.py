"""A stateful fake of the ECS service-deployment APIs moto 5.2.5 lacks (DescribeServiceDeployments,
ListServiceDeployments, DescribeServiceRevisions, StopServiceDeployment, ContinueServiceDeployment),
answered in the WSGI layer in front of moto, shaped as the API reference and the SDK's model
(aws-sdk-ecs 1.157 member names) say. A test scripts a deployment as a list of phases and moves it
with `step()` (the ECS scheduler's progress); a phase that waits at a lifecycle hook stays until
ContinueServiceDeployment answers it, StopServiceDeployment turns it into a rollback or a stop.
DescribeServices answers from moto are decorated with the service's `currentServiceDeployment`
and its deployment configuration (strategy, bake time, canary/linear, alarms, hooks).

Every request names at most 20 ARNs (the API's limit, InvalidParameterException beyond it); the
ARNs of each call are kept in `described` for the batching test."""

import copy
import json
import threading
import time

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _arn(kind, *parts):
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:{kind}/" + "/".join(parts)


class Deployment:
    def __init__(self, cluster, service, dep_id, strategy, source_td, target_td, desired, phases,
                 config=None, hook=None, blue_green=None):
        self.cluster, self.service = cluster, service
        self.arn = _arn("service-deployment", cluster, service, dep_id)
        self.source_rev = _arn("service-revision", cluster, service, dep_id + "1")
        self.target_rev = _arn("service-revision", cluster, service, dep_id + "2")
        self.source_td, self.target_td = source_td, target_td
        self.strategy, self.desired = strategy, desired
        self.phases = phases  # list of dicts: status, stage, prod, test, running, ... (see below)
        self.i = 0
        self.config = config or {}
        # {"id", "target", "stage", "timeout_action", "timeout_minutes"}, and "type": "PAUSE" for a
        # pause hook (no target, no role: it waits for ContinueServiceDeployment)
        self.hook = hook
        self.created = time.time() - 60
        self.phase_started = time.time()
        self.override = None  # a phase set by Stop/Continue
        # native blue/green's load balancer: {"primary", "alternate", "prod_rule", "test_rule",
        # "role", "source_group", "target_group"}: DescribeServices gets the service's
        # `advancedConfiguration` and `currentServiceRevisions`, DescribeServiceRevisions each
        # revision's `resolvedConfiguration.loadBalancers` (the group it runs behind)
        self.blue_green = blue_green

    def phase(self):
        return self.override or self.phases[self.i]

    def step(self):
        if self.override is None and self.i + 1 < len(self.phases):
            self.i += 1
            self.phase_started = time.time()

    def final(self):
        return self.phase()["status"] in ("SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED")

    def advanced_configuration(self):
        bg = self.blue_green
        return {"alternateTargetGroupArn": bg["alternate"], "productionListenerRule": bg["prod_rule"],
                "testListenerRule": bg["test_rule"], "roleArn": bg["role"]}

    def current_revisions(self):
        """`currentServiceRevisions` as DescribeServices reports it: both revisions while the
        deployment runs, then the one that stayed."""
        p = self.phase()
        target = {"arn": self.target_rev, "requestedTaskCount": p.get("target_requested", self.desired),
                  "runningTaskCount": p.get("target_running", self.desired), "pendingTaskCount": 0}
        source = {"arn": self.source_rev, "requestedTaskCount": p.get("source_requested", self.desired),
                  "runningTaskCount": p.get("source_running", self.desired), "pendingTaskCount": 0}
        if p["status"] == "SUCCESSFUL":
            return [target]
        if self.final():
            return [source]
        return [source, target]

    def revision(self, arn, requested, running, prod, test):
        return {"arn": arn, "requestedTaskCount": requested, "runningTaskCount": running,
                "pendingTaskCount": max(0, requested - running),
                "requestedProductionTrafficWeight": float(prod), "requestedTestTrafficWeight": float(test)}

    def configuration(self):
        c = {"maximumPercent": 200, "minimumHealthyPercent": 100, "strategy": self.strategy,
             "deploymentCircuitBreaker": {"enable": True, "rollback": True}}
        c.update(copy.deepcopy(self.config))
        if self.hook:
            h = self.hook
            hook = {"lifecycleStages": [h["stage"]], "targetType": h.get("type", "AWS_LAMBDA"),
                    "timeoutConfiguration": {"timeoutInMinutes": h.get("timeout_minutes", 30),
                                             "action": h.get("timeout_action", "ROLLBACK")}}
            if hook["targetType"] == "AWS_LAMBDA":
                hook.update(hookTargetArn=h["target"], roleArn=f"arn:aws:iam::{ACCOUNT}:role/hooks")
            c["lifecycleHooks"] = [hook]
        return c

    def answer(self):
        p = self.phase()
        prod, test = p.get("prod", 0), p.get("test", 0)
        out = {
            "serviceDeploymentArn": self.arn,
            "serviceArn": _arn("service", self.cluster, self.service),
            "clusterArn": _arn("cluster", self.cluster),
            "createdAt": self.created, "startedAt": self.created + 1, "updatedAt": self.phase_started,
            "status": p["status"],
            "targetServiceRevision": self.revision(self.target_rev, p.get("target_requested", self.desired),
                                                   p.get("target_running", self.desired), prod, test),
            "sourceServiceRevisions": [self.revision(self.source_rev, p.get("source_requested", self.desired),
                                                     p.get("source_running", self.desired), 100 - prod,
                                                     100 - test if test else 0)],
            "deploymentConfiguration": self.configuration(),
            "deploymentCircuitBreaker": {"status": p.get("breaker", "MONITORING"),
                                         "failureCount": p.get("failures", 0), "threshold": 3},
        }
        if "stage" in p:
            out["lifecycleStage"] = p["stage"]
        if p.get("reason"):
            out["statusReason"] = p["reason"]
        alarms = self.config.get("alarms", {}).get("alarmNames")
        if alarms:
            out["alarms"] = {"status": "TRIGGERED" if p.get("fired") else p.get("alarm_status", "MONITORING"),
                             "alarmNames": alarms, "triggeredAlarmNames": p.get("fired", [])}
        if p.get("rollback"):
            out["rollback"] = {"reason": p["rollback"], "startedAt": self.phase_started,
                               "serviceRevisionArn": self.source_rev}
        if p.get("hook_status"):
            h = self.hook
            detail = {
                "hookId": h["id"], "targetType": h.get("type", "AWS_LAMBDA"),
                "status": p["hook_status"], "expiresAt": self.phase_started + 60 * h.get("timeout_minutes", 30),
                "timeoutAction": h.get("timeout_action", "ROLLBACK")}
            if detail["targetType"] == "AWS_LAMBDA":
                detail["targetArn"] = h["target"]
            out["lifecycleHookDetails"] = [detail]
        if self.final():
            out["finishedAt"] = self.phase_started
        if p["status"] in ("STOPPED", "STOP_REQUESTED"):
            out["stoppedAt"] = self.phase_started
        return out


def task_set(cluster, service, n, status, td, external_id, running, desired=2):
    """A TaskSet as DescribeServices returns it for a CODE_DEPLOY or EXTERNAL service."""
    return {
        "id": f"ecs-svc/{n}{'0' * 18}", "taskSetArn": _arn("task-set", cluster, service, f"ecs-svc/{n}{'0' * 18}"),
        "serviceArn": _arn("service", cluster, service), "clusterArn": _arn("cluster", cluster),
        "externalId": external_id, "status": status, "taskDefinition": td, "computedDesiredCount": desired,
        "runningCount": running, "pendingCount": desired - running, "launchType": "FARGATE",
        "scale": {"value": 100.0, "unit": "PERCENT"},
        "stabilityStatus": "STEADY_STATE" if running == desired else "STABILIZING",
        "createdAt": time.time() - 300, "updatedAt": time.time() - 30,
    }


class ServiceDeployments:
    OPS = ("DescribeServiceDeployments", "ListServiceDeployments", "DescribeServiceRevisions",
           "StopServiceDeployment", "ContinueServiceDeployment")

    def __init__(self):
        self.lock = threading.Lock()
        self.by_service = {}  # (cluster, service) -> [Deployment], newest last
        self.by_arn = {}
        self.described = []  # the ARN list of each DescribeServiceDeployments call
        self.writes = []  # (op, request) of each write
        self.task_sets = {}  # (cluster, service) -> [TaskSet] (CODE_DEPLOY / EXTERNAL services)
        # (cluster, service) -> what each of its deployments reports and moto does not:
        # serviceConnectConfiguration, serviceConnectResources, vpcLatticeConfigurations
        self.deployment_extras = {}
        # (cluster, service) -> Express Mode: {"revision": ARN, "task_definition": ARN,
        # "resources": ecsManagedResources as DescribeServiceRevisions answers it}; the
        # service's DescribeServices answer gets resourceManagementType ECS and the revision
        self.express = {}

    def add(self, d):
        with self.lock:
            self.by_service.setdefault((d.cluster, d.service), []).append(d)
            self.by_arn[d.arn] = d
        return d

    def step(self, arn, n=1):
        with self.lock:
            for _ in range(n):
                self.by_arn[arn].step()

    # ------------------------------------------------------------------ WSGI
    def handle(self, op, body):
        """(status, payload) for one of OPS."""
        req = json.loads(body or b"{}")
        with self.lock:
            return getattr(self, "_" + op)(req)

    def _DescribeServiceDeployments(self, req):
        arns = req.get("serviceDeploymentArns") or []
        if not arns or len(arns) > 20:
            return 400, {"__type": "InvalidParameterException",
                         "message": "serviceDeploymentArns must hold between 1 and 20 ARNs"}
        self.described.append(list(arns))
        found, failures = [], []
        for a in arns:
            d = self.by_arn.get(a)
            if d:
                found.append(d.answer())
            else:
                failures.append({"arn": a, "reason": "MISSING"})
        return 200, {"serviceDeployments": found, "failures": failures}

    def _ListServiceDeployments(self, req):
        cluster = req.get("cluster", "default").rsplit("/", 1)[-1]
        service = req.get("service", "").rsplit("/", 1)[-1]
        deps = list(reversed(self.by_service.get((cluster, service), [])))
        return 200, {"serviceDeployments": [{
            "serviceDeploymentArn": d.arn, "serviceArn": _arn("service", cluster, service),
            "clusterArn": _arn("cluster", cluster), "createdAt": d.created, "startedAt": d.created + 1,
            "targetServiceRevisionArn": d.target_rev, "status": d.phase()["status"],
            **({"finishedAt": d.phase_started} if d.final() else {}),
            **({"statusReason": d.phase()["reason"]} if d.phase().get("reason") else {}),
        } for d in deps]}

    def _DescribeServiceRevisions(self, req):
        out, failures = [], []
        for a in req.get("serviceRevisionArns") or []:
            ex = next(((k, e) for k, e in self.express.items() if e["revision"] == a), None)
            if ex is not None:
                (cluster, service), e = ex
                region = a.split(":")[3]
                out.append({"serviceRevisionArn": a,
                            "serviceArn": f"arn:aws:ecs:{region}:123456789012:service/{cluster}/{service}",
                            "clusterArn": f"arn:aws:ecs:{region}:123456789012:cluster/{cluster}",
                            "taskDefinition": e["task_definition"], "launchType": "FARGATE",
                            "createdAt": time.time() - 600, "ecsManagedResources": copy.deepcopy(e["resources"])})
                continue
            d = next((d for d in self.by_arn.values() if a in (d.source_rev, d.target_rev)), None)
            if d is None:
                failures.append({"arn": a, "reason": "MISSING"})
                continue
            rev = {"serviceRevisionArn": a, "serviceArn": _arn("service", d.cluster, d.service),
                   "clusterArn": _arn("cluster", d.cluster),
                   "taskDefinition": d.target_td if a == d.target_rev else d.source_td,
                   "launchType": "FARGATE", "createdAt": d.created}
            bg = d.blue_green
            if bg:
                group = bg["target_group"] if a == d.target_rev else bg["source_group"]
                rev["loadBalancers"] = [{"targetGroupArn": bg["primary"], "containerName": "app",
                                         "containerPort": 8080,
                                         "advancedConfiguration": d.advanced_configuration()}]
                rev["resolvedConfiguration"] = {"loadBalancers": [
                    {"targetGroupArn": group, "productionListenerRule": bg["prod_rule"]}]}
            out.append(rev)
        return 200, {"serviceRevisions": out, "failures": failures}

    def _StopServiceDeployment(self, req):
        self.writes.append(("StopServiceDeployment", req))
        d = self.by_arn.get(req.get("serviceDeploymentArn"))
        if d is None:
            return 400, {"__type": "ServiceDeploymentNotFoundException", "message": "not found"}
        if d.final():
            return 400, {"__type": "ConflictException", "message": f"service deployment is {d.phase()['status']}"}
        p = dict(d.phase())
        p.pop("hook_status", None)
        if req.get("stopType", "ROLLBACK") == "ROLLBACK":
            p.update(status="ROLLBACK_IN_PROGRESS", rollback="Rollback requested by user.", prod=0, test=0)
        else:
            p.update(status="STOPPED", reason="Stopped by user.")
        d.override, d.phase_started = p, time.time()
        return 200, {"serviceDeploymentArn": d.arn}

    def _ContinueServiceDeployment(self, req):
        self.writes.append(("ContinueServiceDeployment", req))
        d = self.by_arn.get(req.get("serviceDeploymentArn"))
        if d is None or not d.hook or req.get("hookId") != d.hook["id"] \
                or d.phase().get("hook_status") != "AWAITING_ACTION":
            return 400, {"__type": "InvalidParameterException", "message": "no hook awaits action"}
        if req.get("action") == "ROLLBACK":
            p = dict(d.phase())
            p.update(status="ROLLBACK_IN_PROGRESS", hook_status="FAILED", prod=0, test=0,
                     rollback="Lifecycle hook returned ROLLBACK.")
            d.override, d.phase_started = p, time.time()
        else:
            d.step()
        return 200, {"serviceDeploymentArn": d.arn}

    def decorate_services(self, raw):
        """Add to a DescribeServices answer what ECS reports and moto does not."""
        try:
            doc = json.loads(raw)
        except ValueError:
            return raw
        with self.lock:
            for s in doc.get("services", []):
                cluster = s.get("clusterArn", "").rsplit("/", 1)[-1]
                sets = self.task_sets.get((cluster, s.get("serviceName")))
                if sets:
                    s["taskSets"] = sets
                ex = self.express.get((cluster, s.get("serviceName")))
                if ex:
                    s["resourceManagementType"] = "ECS"
                    s["currentServiceRevisions"] = [{
                        "arn": ex["revision"], "requestedTaskCount": s.get("desiredCount", 0),
                        "runningTaskCount": s.get("runningCount", 0), "pendingTaskCount": 0}]
                extras = self.deployment_extras.get((cluster, s.get("serviceName")))
                if extras:
                    for dep in s.get("deployments", []):
                        dep.update(copy.deepcopy(extras))
                deps = self.by_service.get((cluster, s.get("serviceName")))
                if not deps:
                    continue
                d = deps[-1]
                s["currentServiceDeployment"] = d.arn
                if d.blue_green:
                    for lb in s.get("loadBalancers", []):
                        if lb.get("targetGroupArn") == d.blue_green["primary"]:
                            lb["advancedConfiguration"] = d.advanced_configuration()
                    s["currentServiceRevisions"] = d.current_revisions()
                s.setdefault("deploymentController", {"type": "ECS"})
                cfg = s.setdefault("deploymentConfiguration", {})
                cfg.update(d.configuration())
                p = d.phase()
                # the deployments list as ECS keeps it while a service deployment runs
                if not d.final() or p["status"] == "SUCCESSFUL":
                    s["taskDefinition"] = d.target_td if p["status"] not in ("ROLLBACK_SUCCESSFUL",) else d.source_td
        return json.dumps(doc).encode()
