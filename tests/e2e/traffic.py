"""What DescribeTargetHealth reports in a real account and moto 5.2.5 does not: a target's
`AdministrativeOverride` (a zonal shift keeps its Availability Zone's traffic away) and, when the
request asks for it with `Include=[AnomalyDetection]` or `Include=[All]`, its `AnomalyDetection`
(result `anomalous` or `normal`, `MitigationInEffect` `yes` or `no`), shaped as the ELBv2 API
reference's TargetHealthDescription says (member names as in aws-sdk-elasticloadbalancingv2 1.134).
moto answers the call; this rewrites its XML in the WSGI layer, adding the elements to the member
of each target a test names, and keeps what each request asked to include in `includes`."""

import re
import threading
import urllib.parse


class TargetHealthExtras:
    def __init__(self):
        self.lock = threading.Lock()
        self.overrides = {}  # target id -> (state, reason, description)
        self.anomalies = {}  # target id -> (result, mitigation in effect)
        self.includes = []  # the Include values of each DescribeTargetHealth request

    def zonal_shift(self, target_id, description="Zonal shift is active in the target's Availability Zone"):
        with self.lock:
            self.overrides[target_id] = ("zonal_shift_active", "AdministrativeOverride.ZonalShiftActive",
                                         description)

    def anomalous(self, target_id, mitigation="yes"):
        with self.lock:
            self.anomalies[target_id] = ("anomalous", mitigation)

    def active(self):
        with self.lock:
            return bool(self.overrides or self.anomalies)

    def note_request(self, body):
        params = urllib.parse.parse_qs(body.decode(errors="replace"))
        include = [v[0] for k, v in sorted(params.items()) if k.startswith("Include.member.")]
        with self.lock:
            self.includes.append(include)
        return include

    def decorate(self, raw, include):
        text = raw.decode()
        anomaly_asked = any(i in ("All", "AnomalyDetection") for i in include)

        def member(m):
            body = m.group(1)
            tid = re.search(r"<Target>.*?<Id>(.*?)</Id>", body, re.S)
            if not tid:
                return m.group(0)
            tid = tid.group(1)
            extra = ""
            with self.lock:
                o = self.overrides.get(tid)
                a = self.anomalies.get(tid)
            if o:
                extra += (f"<AdministrativeOverride><State>{o[0]}</State><Reason>{o[1]}</Reason>"
                          f"<Description>{o[2]}</Description></AdministrativeOverride>")
            if a and anomaly_asked:
                extra += (f"<AnomalyDetection><Result>{a[0]}</Result>"
                          f"<MitigationInEffect>{a[1]}</MitigationInEffect></AnomalyDetection>")
            return f"<member>{body}{extra}</member>"

        text = re.sub(r"<member>(.*?)</member>", member, text, flags=re.S)
        return text.encode()


class LatticeTargets:
    """VPC Lattice's ListTargets, which moto 5.2.5 does not implement: `POST
    /targetgroups/{targetGroupIdentifier}/listtargets?maxResults=&nextToken=`, answering `items`
    (`id`, `port`, `status`, `reasonCode`) and `nextToken`, as the VPC Lattice API reference
    shapes them; maxResults 1-100 (ValidationException otherwise); an unknown group is a
    ResourceNotFoundException (404). The group is named by its ARN or its `tg-` id."""

    # the SDK percent-encodes an ARN; the WSGI path is decoded (its "targetgroup/tg-..." slash too)
    PATH = re.compile(r"^/targetgroups/(?P<group>.+)/listtargets$")

    def __init__(self):
        self.lock = threading.Lock()
        self.groups = {}  # target group ARN -> [TargetSummary]
        self.requests = []

    def set(self, arn, targets):
        with self.lock:
            self.groups[arn] = targets

    def handle(self, path, query):
        group = urllib.parse.unquote(self.PATH.match(path).group("group"))
        q = urllib.parse.parse_qs(query)
        with self.lock:
            self.requests.append(group)
            found = next((t for a, t in self.groups.items() if group in (a, a.rsplit("/", 1)[-1])), None)
        if found is None:
            return 404, {"__type": "ResourceNotFoundException", "message": f"Target group {group} not found",
                         "resourceId": group, "resourceType": "TARGET_GROUP"}
        max_results = int(q.get("maxResults", ["100"])[0])
        if not 1 <= max_results <= 100:
            return 400, {"__type": "ValidationException", "message": "maxResults must be between 1 and 100"}
        start = int(q.get("nextToken", ["0"])[0] or 0)
        out = {"items": found[start:start + max_results]}
        if start + max_results < len(found):
            out["nextToken"] = str(start + max_results)
        return 200, out
