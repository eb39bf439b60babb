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
