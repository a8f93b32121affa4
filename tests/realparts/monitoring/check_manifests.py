"""Static checks of manifests/monitoring that promtool, amtool and kubernetes-validate cannot do.

Usage: check_manifests.py REPO_ROOT RENDERED   (RENDERED: `kubectl kustomize manifests/monitoring`)

- The PrometheusRule's spec is the plain rules file, object for object.
- Every alert has a `severity` of critical, warning or info and non-empty `summary`,
  `description` and `runbook` annotations; promtool's unit tests make every alert fire at least
  once and check at least one evaluation of it where it stays silent.
- Every metric family a rule or a dashboard panel names is in docs/OBSERVABILITY.md.
- The Prometheus Operator's objects (PrometheusRule, PodMonitor, ServiceMonitor) match a
  hand-written schema of the fields this project uses (unknown fields are refused). It is not
  the operator's CRD schema, which is not available offline: a field the operator would
  refuse with a different type or name than written here is not caught.
- The PodMonitor scrapes the port name and selects the label the injector uses.
- The dashboard ConfigMap carries the Grafana sidecar label and exactly the dashboard file.
Needs PyYAML and jsonschema (both in the kubernetes-validate venv).
"""
import json
import re
import sys

import jsonschema
import yaml

SEVERITIES = {"critical", "warning", "info"}
ANNOTATIONS = ("summary", "description", "runbook")
METRIC = re.compile(r"\bstrata_[a-z0-9_]+")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def strict(properties, required=()):
    return {"type": "object", "properties": properties, "required": list(required),
            "additionalProperties": False}


STRING = {"type": "string"}
STRING_MAP = {"type": "object", "additionalProperties": STRING}
METADATA = strict({"name": STRING, "namespace": STRING, "labels": STRING_MAP}, ["name"])
SELECTOR = strict({"matchLabels": STRING_MAP})
RULE = strict({"alert": STRING, "record": STRING, "expr": STRING, "for": STRING,
               "labels": STRING_MAP, "annotations": STRING_MAP}, ["expr"])
SCHEMAS = {
    "PrometheusRule": strict({
        "apiVersion": {"const": "monitoring.coreos.com/v1"}, "kind": STRING, "metadata": METADATA,
        "spec": strict({"groups": {"type": "array", "minItems": 1, "items": strict(
            {"name": STRING, "interval": STRING,
             "rules": {"type": "array", "minItems": 1, "items": RULE}},
            ["name", "rules"])}}, ["groups"]),
    }, ["apiVersion", "kind", "metadata", "spec"]),
    "PodMonitor": strict({
        "apiVersion": {"const": "monitoring.coreos.com/v1"}, "kind": STRING, "metadata": METADATA,
        "spec": strict({
            "namespaceSelector": strict({"any": {"type": "boolean"}}),
            "selector": SELECTOR,
            "podMetricsEndpoints": {"type": "array", "minItems": 1, "items": strict(
                {"port": STRING, "path": STRING, "interval": STRING, "scrapeTimeout": STRING},
                ["port"])},
        }, ["selector", "podMetricsEndpoints"]),
    }, ["apiVersion", "kind", "metadata", "spec"]),
    "ServiceMonitor": strict({
        "apiVersion": {"const": "monitoring.coreos.com/v1"}, "kind": STRING, "metadata": METADATA,
        "spec": strict({
            "selector": SELECTOR,
            "endpoints": {"type": "array", "minItems": 1, "items": strict({
                "port": STRING, "scheme": {"enum": ["http", "https"]}, "path": STRING,
                "interval": STRING,
                "tlsConfig": strict({"serverName": STRING, "ca": strict({"secret": strict(
                    {"name": STRING, "key": STRING}, ["name", "key"])})}),
            }, ["port"])},
        }, ["selector", "endpoints"]),
    }, ["apiVersion", "kind", "metadata", "spec"]),
}

failures = []


def fail(message):
    failures.append(message)
    print(f"FAIL {message}", file=sys.stderr)


def families(expr):
    """Metric family names in a PromQL expression (histogram series names to their family)."""
    names = set()
    for name in METRIC.findall(expr):
        for suffix in HISTOGRAM_SUFFIXES:
            if name.endswith(suffix) and name[: -len(suffix)].endswith("_seconds"):
                name = name[: -len(suffix)]
        names.add(name)
    return names


def check_rules(root):
    with open(f"{root}/manifests/monitoring/rules/strata.rules.yml", encoding="utf-8") as f:
        rules = yaml.safe_load(f)
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    for rule in alerts:
        name = rule["alert"]
        if rule.get("labels", {}).get("severity") not in SEVERITIES:
            fail(f"{name}: severity must be one of {sorted(SEVERITIES)}")
        for key in ANNOTATIONS:
            if not rule.get("annotations", {}).get(key, "").strip():
                fail(f"{name}: annotation {key} is missing or empty")
    with open(f"{root}/manifests/monitoring/rules/strata.rules.test.yml", encoding="utf-8") as f:
        tests = yaml.safe_load(f)
    fired, silent = set(), set()
    for test in tests["tests"]:
        for case in test.get("alert_rule_test", []):
            (fired if case.get("exp_alerts") else silent).add(case["alertname"])
    for rule in alerts:
        if rule["alert"] not in fired:
            fail(f"{rule['alert']}: no promtool test makes it fire")
        if rule["alert"] not in silent:
            fail(f"{rule['alert']}: no promtool test checks that it stays silent")
    print(f"rules: {len(alerts)} alerts, each with severity, annotations, a firing and a silent test")
    return rules, [r["expr"] for g in rules["groups"] for r in g["rules"]]


def dashboard_exprs(dashboard):
    exprs = []
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        targets = [t["expr"] for t in panel.get("targets", []) if t.get("expr")]
        if not targets:
            fail(f"dashboard panel {panel.get('title')!r} has no query")
        exprs += targets
    return exprs


def check_contract(root, exprs):
    with open(f"{root}/docs/OBSERVABILITY.md", encoding="utf-8") as f:
        contract = set(METRIC.findall(f.read()))
    used = set().union(*(families(e) for e in exprs))
    for name in sorted(used - contract):
        fail(f"{name} is used by a rule or panel but is not in docs/OBSERVABILITY.md")
    print(f"contract: {len(used)} metric families used, all in docs/OBSERVABILITY.md")


def check_rendered(root, rendered, rules, dashboard_text):
    with open(rendered, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    by_kind = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
        schema = SCHEMAS.get(doc["kind"])
        if schema:
            try:
                jsonschema.validate(doc, schema)
            except jsonschema.ValidationError as e:
                fail(f"{doc['kind']}/{doc['metadata']['name']}: {e.message} at {list(e.absolute_path)}")
    expected = {"ConfigMap", "PodMonitor", "PrometheusRule", "ServiceMonitor"}
    if set(by_kind) != expected or any(len(v) != 1 for v in by_kind.values()):
        fail(f"rendered kinds {sorted((k, len(v)) for k, v in by_kind.items())}, expected one each of {sorted(expected)}")
        return
    if by_kind["PrometheusRule"][0]["spec"] != rules:
        fail("the PrometheusRule's spec differs from rules/strata.rules.yml")
    with open(f"{root}/injector/src/sidecar.rs", encoding="utf-8") as f:
        port_name = re.search(r'METRICS_PORT_NAME: &str = "([^"]+)"', f.read()).group(1)
    with open(f"{root}/injector/src/annotations.rs", encoding="utf-8") as f:
        label = re.search(r'INJECT_LABEL: &str = "([^"]+)"', f.read()).group(1)
    pod_monitor = by_kind["PodMonitor"][0]["spec"]
    if [e["port"] for e in pod_monitor["podMetricsEndpoints"]] != [port_name]:
        fail(f"the PodMonitor does not scrape the injector's port {port_name!r}")
    if pod_monitor["selector"]["matchLabels"] != {label: "true"}:
        fail(f"the PodMonitor does not select pods labelled {label}: \"true\"")
    config_map = by_kind["ConfigMap"][0]
    if config_map["metadata"].get("labels", {}).get("grafana_dashboard") != "1":
        fail("the dashboard ConfigMap lacks the label grafana_dashboard: \"1\"")
    if config_map["data"] != {"strata.json": dashboard_text}:
        fail("the dashboard ConfigMap does not hold exactly dashboards/strata.json")
    print(f"rendered: {sum(len(v) for v in by_kind.values())} objects; operator objects match the schema")


def main(root, rendered):
    with open(f"{root}/manifests/monitoring/dashboards/strata.json", encoding="utf-8") as f:
        dashboard_text = f.read()
    dashboard = json.loads(dashboard_text)
    rules, rule_exprs = check_rules(root)
    check_contract(root, rule_exprs + dashboard_exprs(dashboard))
    check_rendered(root, rendered, rules, dashboard_text)
    if failures:
        sys.exit(f"{len(failures)} monitoring manifest checks failed")
    print("monitoring manifest checks passed")


if __name__ == "__main__":
    main(*sys.argv[1:3])
