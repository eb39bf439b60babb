"""In-process moto server for ecswatch's end-to-end tests.

- Binds 127.0.0.1 on a free port; `MotoServer.stop()` shuts it down (the tests' fixtures call it).
- Counts every request by (client, operation): the Rust SDK's requests are told apart from the
  seeding done with boto3 by their User-Agent, so tests can assert ecswatch's exact API calls.
- Bridges CloudWatch's Smithy RPC v2 CBOR protocol (spoken by aws-sdk-cloudwatch, not parsed by
  moto 5.2.5) to the JSON 1.0 protocol moto understands, and re-encodes the answer as CBOR.
- Can inject faults per operation (status code and error code) for failure tests.
"""

import base64
import collections
import datetime as dt
import io
import json
import random
import re
import threading
import time
import urllib.parse

import cbor2
from deployments import ServiceDeployments
from execute_command import ExecuteCommand
from instances import InstanceExtras
from traffic import LatticeTargets, TargetHealthExtras
from scaling_activities import ScalingActivities
from moto.moto_api import state_manager
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

CBOR_PATH = re.compile(r"^/service/(?P<service>[^/]+)/operation/(?P<op>[^/]+)$")
# Response members of CloudWatch that are timestamps (they must travel as CBOR tag 1).
CW_TIMESTAMP_KEYS = {"Timestamps", "Timestamp", "StateUpdatedTimestamp", "AlarmConfigurationUpdatedTimestamp",
                     "StateTransitionedTimestamp", "LastModified"}


def _to_json_value(v):
    if isinstance(v, dt.datetime):
        return v.timestamp()
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(v).decode()
    if isinstance(v, dict):
        return {k: _to_json_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_to_json_value(x) for x in v]
    return v


def _to_cbor_value(v, key=None):
    if isinstance(v, dict):
        return {k: _to_cbor_value(x, k) for k, x in v.items()}
    if isinstance(v, list):
        return [_to_cbor_value(x, key) for x in v]
    if key in CW_TIMESTAMP_KEYS and isinstance(v, (int, float)) and not isinstance(v, bool):
        return dt.datetime.fromtimestamp(v, tz=dt.timezone.utc)
    if key in CW_TIMESTAMP_KEYS and isinstance(v, str):
        try:
            return dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            return v
    return v


class MotoServer:
    def __init__(self):
        state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})
        self.app = DomainDispatcherApplication(create_backend_app)
        self.calls = collections.Counter()  # (client, "service:Operation") -> n
        self.faults = {}  # "Operation" -> (status, code, message)
        self.expired_keys = set()  # access key ids answered with ExpiredTokenException
        self.expired_accounts = set()  # accounts whose every key is answered ExpiredTokenException
        self.keys_seen = collections.Counter()  # access key id -> requests (from ecswatch)
        self.mangles = {}  # "Operation" -> (bytes to find in the answer, bytes to put instead)
        self.lock = threading.Lock()
        self.account = None  # a RealisticAccount (account.py): quotas and latency
        self.other_latency = None  # (low, high) seconds per request of other clients, if any
        self.slow_ops = {}  # operation -> seconds ecswatch's requests of it wait (slow())
        self.log_reads = []  # (logGroupName, logStreamNamePrefix, endTime) of ecswatch's FilterLogEvents
        self.task_listings = []  # (desiredStatus, cluster, serviceName) of ecswatch's ListTasks
        self.deployments = ServiceDeployments()  # the service-deployment APIs moto lacks
        self.scaling_activities = ScalingActivities()  # DescribeScalingActivities, which moto lacks
        self.execute_command = ExecuteCommand("123456789012", "us-east-1")  # ExecuteCommand, likewise
        self.target_health = TargetHealthExtras()  # zonal shift and anomaly detection, which moto lacks
        self.lattice = LatticeTargets()  # VPC Lattice's ListTargets, likewise
        self.instances = InstanceExtras()  # container instances' health and capacity provider, likewise
        self.server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    # ------------------------------------------------------------------ accounting
    def reset_calls(self):
        with self.lock:
            self.calls.clear()
            self.task_listings.clear()

    def listings_by_state(self):
        """desiredStatus -> ListTasks calls ecswatch made for it."""
        with self.lock:
            return collections.Counter(state for state, _, _ in self.task_listings)

    def rust_calls(self):
        """Operation -> count, for requests made by the Rust SDK (ecswatch)."""
        with self.lock:
            out = collections.Counter()
            for (client, op), n in self.calls.items():
                if client == "rust":
                    out[op] += n
            return dict(out)

    def slow(self, operation, seconds):
        """ecswatch's requests of `operation` are answered `seconds` late (a slow write)."""
        self.slow_ops[operation] = seconds

    def inject(self, operation, status=400, code="ThrottlingException", message="Rate exceeded"):
        self.faults[operation] = (status, code, message)

    def clear_faults(self):
        self.faults.clear()
        self.expired_keys.clear()
        self.expired_accounts.clear()
        self.mangles.clear()
        self.slow_ops.clear()

    def expire_account(self, account_id):
        """Every credential of this account (each role session into it) expires: its requests
        are answered ExpiredTokenException, as after an SSO session or role chain ran out."""
        self.expired_accounts.add(account_id)

    @staticmethod
    def target_of(environ):
        """(account, region) of a request: the account its access key belongs to in moto (an
        AssumeRole session's key acts in the role's account), the Region of its signature."""
        from moto.iam.models import get_account_id_from

        m = re.search(r"Credential=([^/]+)/[^/]+/([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
        if not m:
            return None
        return get_account_id_from(m.group(1)), m.group(2)

    def expire_key(self, key_id):
        """Answer every request signed with this access key id with ExpiredTokenException."""
        self.expired_keys.add(key_id)

    def mangle(self, operation, find, replace):
        """Rewrite the bytes of this operation's answers (e.g. to put invalid UTF-8 in them)."""
        self.mangles[operation] = (find, replace)

    # ------------------------------------------------------------------ WSGI
    def _wsgi(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        ua = environ.get("HTTP_USER_AGENT", "") + " " + environ.get("HTTP_X_AMZ_USER_AGENT", "")
        client = "rust" if "aws-sdk-rust" in ua or "lang/rust" in ua else "other"
        op, service = self._operation(environ, body)
        key = re.search(r"Credential=([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
        key = key.group(1) if key else None
        if op == "FilterLogEvents" and client == "rust":
            try:
                q = json.loads(body or b"{}")
                with self.lock:
                    self.log_reads.append((q.get("logGroupName"), q.get("logStreamNamePrefix"), q.get("endTime")))
            except ValueError:
                pass
        if op == "ListTasks" and client == "rust":
            try:
                q = json.loads(body or b"{}")
                with self.lock:
                    self.task_listings.append((q.get("desiredStatus"), q.get("cluster"), q.get("serviceName")))
            except ValueError:
                pass
        with self.lock:
            self.calls[(client, f"{service}:{op}")] += 1
            if client == "rust" and key:
                self.keys_seen[key] += 1

        if client == "rust" and op in self.slow_ops:
            time.sleep(self.slow_ops[op])
        fault = self.faults.get(op)
        target = self.target_of(environ) if client == "rust" and (self.account or self.expired_accounts) else None
        if self.account is not None and client == "rust" and fault is None:
            fault = self.account.admit(op, target)
        elif self.other_latency is not None and client != "rust":
            # other clients (the AWS CLI in a benchmark) wait for AWS as long as ecswatch does
            time.sleep(random.uniform(*self.other_latency))
        expired = key in self.expired_keys or (target is not None and target[0] in self.expired_accounts)
        if expired and client == "rust" and op not in ("AssumeRole",):
            fault = (400, "ExpiredTokenException", "The security token included in the request is expired")
        cbor = CBOR_PATH.match(environ.get("PATH_INFO", ""))
        if fault is not None and client == "rust":
            status, code, message = fault
            payload = {"__type": code, "message": message}
            if cbor:
                data, ctype = cbor2.dumps(payload), "application/cbor"
            elif service in ("elasticloadbalancing", "sts"):  # the awsQuery protocol: XML errors
                data = (f'<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>'
                        f'<Message>{message}</Message></Error><RequestId>x</RequestId></ErrorResponse>').encode()
                ctype = "text/xml"
            else:
                data, ctype = json.dumps(payload).encode(), "application/x-amz-json-1.1"
            headers = [("Content-Type", ctype), ("Content-Length", str(len(data))), ("x-amzn-ErrorType", code)]
            if cbor:
                headers.append(("smithy-protocol", "rpc-v2-cbor"))
            start_response(f"{status} Error", headers)
            return [data]

        if cbor:
            return self._cbor_bridge(environ, start_response, body, cbor.group("service"), cbor.group("op"))
        fake = None
        if service == "ecs" and op in ServiceDeployments.OPS:
            fake = self.deployments
        elif service == "ecs" and op in ExecuteCommand.OPS:
            fake = self.execute_command
        elif service == "application-autoscaling" and op in ScalingActivities.OPS:
            fake = self.scaling_activities
        if service == "vpc-lattice" and LatticeTargets.PATH.match(environ.get("PATH_INFO", "")):
            status, payload = self.lattice.handle(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
            data = json.dumps(payload).encode()
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
            if status != 200:
                headers.append(("x-amzn-ErrorType", payload["__type"]))
            start_response(f"{status} {'OK' if status == 200 else 'Error'}", headers)
            return [data]
        if fake is not None:
            status, payload = fake.handle(op, body)
            data = json.dumps(payload).encode()
            headers = [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))]
            if status != 200:
                headers.append(("x-amzn-ErrorType", payload["__type"]))
            start_response(f"{status} {'OK' if status == 200 else 'Error'}", headers)
            return [data]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        mangle = self.mangles.get(op) if client == "rust" else None
        if service == "ecs" and op == "DescribeServices" and (self.deployments.by_service or self.deployments.task_sets
                                                            or self.deployments.deployment_extras
                                                            or self.deployments.express):
            mangle = ("decorate",)
        include = None
        if op == "DescribeTargetHealth" and client == "rust":
            include = self.target_health.note_request(body)
            if self.target_health.active():
                mangle = ("target-health",)
        instances_include = None
        if op == InstanceExtras.OP and client == "rust":
            instances_include = self.instances.note_request(body)
            if self.instances.active():
                mangle = ("instances",)
        if mangle is None:
            return self.app(environ, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda _b: None

        chunks = self.app(environ, capture)
        raw = b"".join(chunks)
        if mangle == ("decorate",):
            raw = self.deployments.decorate_services(raw)
        elif mangle == ("target-health",):
            raw = self.target_health.decorate(raw, include)
        elif mangle == ("instances",):
            raw = self.instances.decorate(raw, instances_include)
        else:
            raw = raw.replace(*mangle)
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(raw))))
        start_response(captured["status"], headers)
        return [raw]

    @staticmethod
    def _operation(environ, body):
        target = environ.get("HTTP_X_AMZ_TARGET")
        auth = environ.get("HTTP_AUTHORIZATION", "")
        m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", auth)
        service = m.group(1) if m else "?"
        if target:
            return target.split(".")[-1], service
        if service == "vpc-lattice" and environ.get("PATH_INFO", "").endswith("/listtargets"):
            return "ListTargets", service
        cbor = CBOR_PATH.match(environ.get("PATH_INFO", ""))
        if cbor:
            return cbor.group("op"), service
        if body:
            params = urllib.parse.parse_qs(body.decode(errors="replace"))
            if "Action" in params:
                return params["Action"][0], service
        q = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        if "Action" in q:
            return q["Action"][0], service
        return f'{environ.get("REQUEST_METHOD")} {environ.get("PATH_INFO")}', service

    def _cbor_bridge(self, environ, start_response, body, service, op):
        request = cbor2.loads(body) if body else {}
        if self.account is not None and op == "GetMetricData":
            self.account.count_metrics(len(request.get("MetricDataQueries", [])))
        data = json.dumps(_to_json_value(request)).encode()
        env = dict(environ)
        env["PATH_INFO"] = "/"
        env["REQUEST_METHOD"] = "POST"
        env["CONTENT_TYPE"] = "application/x-amz-json-1.0"
        env["HTTP_X_AMZ_TARGET"] = f"{service}.{op}"
        env["CONTENT_LENGTH"] = str(len(data))
        env["wsgi.input"] = io.BytesIO(data)
        env.pop("HTTP_SMITHY_PROTOCOL", None)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers
            return lambda _b: None

        chunks = self.app(env, capture)
        raw = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        try:
            answer = json.loads(raw) if raw.strip() else {}
        except ValueError:
            answer = {"__type": "InternalFailure", "message": raw.decode(errors="replace")[:500]}
        out = cbor2.dumps(_to_cbor_value(answer), datetime_as_timestamp=True, timezone=dt.timezone.utc)
        headers = [("Content-Type", "application/cbor"), ("Content-Length", str(len(out))),
                   ("smithy-protocol", "rpc-v2-cbor")]
        for k, v in captured.get("headers", []):
            if k.lower() in ("x-amzn-requestid", "x-amzn-errortype"):
                headers.append((k, v))
        start_response(captured.get("status", "200 OK"), headers)
        return [out]
