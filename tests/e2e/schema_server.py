"""Answers valid under the AWS API models, generated: a local endpoint that answers every ECS,
ELBv2, CloudWatch, CloudWatch Logs and Application Auto Scaling call ecswatch makes with an output built from the
operation's output shape in the botocore models installed with the AWS CLI — every enum value
including ones added after our code was written (`FUTURE_…`), optional members absent, empty
and maximal lists, long and non-ASCII strings, extreme numbers and timestamps — in the wire
protocol the real SDK clients speak (awsJson1_1, awsQuery XML, rpcv2Cbor).

Deterministic: the answer of the n-th call of an operation in case `seed` is a function of
(seed, operation, n), so a failure is reproduced by its seed.
"""

import base64
import datetime as dt
import json
import random
import re
import threading
import uuid
from xml.sax.saxutils import escape

import botocore.session
import cbor2
from werkzeug.serving import make_server

FUTURE = "FUTURE_VALUE_FROM_2027"
SERVICES = {"ecs": "ecs", "elasticloadbalancing": "elbv2", "monitoring": "cloudwatch", "logs": "logs"}
CBOR_PATH = re.compile(r"^/service/(?P<service>[^/]+)/operation/(?P<op>[^/]+)$")
# strings as AWS may send them: empty, plain, long, non-ASCII, and (JSON/CBOR only) escapes
STRINGS = ["", "a", "checkout-api", "x" * 5000, "ünïcødé-任务-🚀-ecs/app/ünïcødé-task",
           "line1\nline2\ttab", "\u202eevil\u202c", "arn:aws:ecs:us-east-1:123456789012:service/c/s"]
HOSTILE = ["\x1b]0;pwned\x07\x1b[2J", "\x00\x08\x7f\x9b31m", "\x1b[31mred\x1b[0m"]


class Generator:
    def __init__(self, seed, xml=False):
        self.seed = seed
        self.xml = xml

    def rng(self, op, n):
        return random.Random(f"{self.seed}:{op}:{n}")

    def value(self, shape, r, depth=0):
        t = shape.type_name
        if t == "structure":
            if shape.metadata.get("union"):
                # a union holds exactly one of its members
                name = r.choice(list(shape.members))
                return {name: self.value(shape.members[name], r, depth + 1)}
            out = {}
            for name, member in shape.members.items():
                required = name in shape.required_members
                # optional members are sometimes absent; deep structures thin out
                if not required and (depth > 7 or r.random() < (0.3 if depth < 4 else 0.8)):
                    continue
                out[name] = self.value(member, r, depth + 1)
            return out
        if t == "list":
            n = r.choice([0, 1, 2, 3, 12]) if depth < 5 else r.choice([0, 1])
            return [self.value(shape.member, r, depth + 1) for _ in range(n)]
        if t == "map":
            n = r.choice([0, 1, 3])
            return {self.string(shape.key, r): self.value(shape.value, r, depth + 1) for _ in range(n)}
        if t == "string":
            return self.string(shape, r)
        if t in ("integer", "long"):
            lo = shape.metadata.get("min", -(2**31) if t == "integer" else -(2**53))
            hi = shape.metadata.get("max", 2**31 - 1 if t == "integer" else 2**53)
            return r.choice([lo, hi, 0, 1, -1, r.randint(int(lo), int(hi))])
        if t in ("double", "float"):
            return r.choice([0.0, -1.5, 1e300, -1e300, 1e-300, r.uniform(-1e6, 1e6)])
        if t == "boolean":
            return r.random() < 0.5
        if t == "timestamp":
            return r.choice([0, 1, 32503680000, 1780000000.5, r.uniform(0, 4102444800)])
        if t == "blob":
            return base64.b64encode(bytes(r.randrange(256) for _ in range(8))).decode()
        return None

    def string(self, shape, r):
        enum = shape.enum
        if enum:
            return r.choice(list(enum) + [FUTURE])
        pool = STRINGS if self.xml else STRINGS + HOSTILE
        s = r.choice(pool)
        lo, hi = shape.metadata.get("min", 0), shape.metadata.get("max")
        if len(s) < lo:
            s = s + "x" * (lo - len(s))
        if hi is not None and len(s) > hi:
            s = s[:hi]
        return s


def _xml(shape, value, name):
    """awsQuery XML for one value of `shape` under element `name`."""
    t = shape.type_name
    if t == "structure":
        inner = "".join(_xml(m, value[k], k) for k, m in shape.members.items() if k in value)
        return f"<{name}>{inner}</{name}>"
    if t == "list":
        inner = "".join(_xml(shape.member, v, "member") for v in value)
        return f"<{name}>{inner}</{name}>"
    if t == "map":
        inner = "".join(f"<entry>{_xml(shape.key, k, 'key')}{_xml(shape.value, v, 'value')}</entry>"
                        for k, v in value.items())
        return f"<{name}>{inner}</{name}>"
    if t == "boolean":
        return f"<{name}>{'true' if value else 'false'}</{name}>"
    if t == "timestamp":
        when = dt.datetime.fromtimestamp(value, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return f"<{name}>{when}</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>"


def _cbor(shape, value):
    t = shape.type_name
    if t == "structure":
        return {k: _cbor(shape.members[k], v) for k, v in value.items()}
    if t == "list":
        return [_cbor(shape.member, v) for v in value]
    if t == "map":
        return {k: _cbor(shape.value, v) for k, v in value.items()}
    if t == "timestamp":
        return dt.datetime.fromtimestamp(value, dt.timezone.utc)
    if t == "blob":
        return base64.b64decode(value)
    return value


class SchemaServer:
    def __init__(self):
        self.session = botocore.session.get_session()
        self.models = {}
        self.seed = 0
        self.calls = {}
        self.answers = []  # (operation, answer) of the current case, for assertions
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def case(self, seed):
        with self.lock:
            self.seed, self.calls, self.answers = seed, {}, []

    def stop(self):
        self.server.shutdown()

    def model(self, name):
        if name not in self.models:
            self.models[name] = self.session.get_service_model(name)
        return self.models[name]

    def _wsgi(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        cbor = CBOR_PATH.match(environ.get("PATH_INFO", ""))
        if target:  # awsJson: ECS, Logs, Application Auto Scaling
            prefix, op = target.split(".", 1)
            service = {"Logs": "logs", "AnyScaleFrontendService": "application-autoscaling"}.get(
                "Logs" if prefix.startswith("Logs") else prefix, "ecs")
            protocol = "json"
        elif cbor:
            service, op, protocol = "cloudwatch", cbor.group("op"), "cbor"
        else:  # awsQuery: ELBv2
            form = dict(p.split("=", 1) for p in body.decode().split("&") if "=" in p)
            service, op, protocol = "elbv2", form.get("Action", ""), "query"
        model = self.model(service)
        try:
            shape = model.operation_model(op).output_shape
        except Exception:
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [json.dumps({"__type": "UnknownOperationException", "message": op}).encode()]
        with self.lock:
            n = self.calls.get(op, 0)
            self.calls[op] = n + 1
            seed = self.seed
        gen = Generator(seed, xml=protocol == "query")
        value = gen.value(shape, gen.rng(op, n)) if shape is not None else {}
        with self.lock:
            self.answers.append((op, value))
        if protocol == "json":
            out = json.dumps(value).encode()
            headers = [("Content-Type", "application/x-amz-json-1.1")]
        elif protocol == "cbor":
            out = cbor2.dumps(_cbor(shape, value) if shape is not None else {},
                              datetime_as_timestamp=True, timezone=dt.timezone.utc)
            headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
        else:
            inner = "".join(_xml(m, value[k], k) for k, m in shape.members.items() if k in value) if shape else ""
            ns = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"
            out = (f'<{op}Response xmlns="{ns}"><{op}Result>{inner}</{op}Result>'
                   f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
                   f"</{op}Response>").encode()
            headers = [("Content-Type", "text/xml")]
        headers += [("Content-Length", str(len(out))), ("x-amzn-RequestId", str(uuid.uuid4()))]
        start_response("200 OK", headers)
        return [out]
