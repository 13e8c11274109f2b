#!/usr/bin/env python3
"""Check that every metric a Grafana dashboard (and optionally a Prometheus rule file) queries
exists in the app's /metrics.

usage: check_dashboard_metrics.py DASHBOARD.json SOURCE [--rules RULES.yml ...] [--ca-file PEM]

SOURCE is the exposition to check against, in the Prometheus text format: an http(s):// URL
(fetched with the CA file, if given, as the only trusted certificate), a file, or - for stdin.

The metric names are taken from every panel query (panels nested in rows too), every query
variable of the templating, and with --rules from every `expr:` of the rule files. Functions,
label matchers, strings, ranges, grouping clauses and Grafana variables are stripped. A name is
known when the source has samples of it, or a `# TYPE` line for it (families without samples
yet): a histogram family X knows X_bucket, X_sum and X_count, a summary X_sum and X_count, an
OpenMetrics counter X also X_total. Names of other exporters and of Prometheus itself (up,
pg_*, node_*, nginx_*, ...; see --ignore) are not checked unless the source has them;
recording rules of the rule files count as known.

Exit status: 0 all names known, 1 some are not (listed with the panels and alerts using them),
2 the inputs could not be read. Python 3 standard library only.
"""

import argparse
import json
import re
import ssl
import sys
import urllib.error
import urllib.request

DEFAULT_IGNORE = r"up|ALERTS|ALERTS_FOR_STATE|scrape_.*|(pg|node|nginx|prometheus|process|go|promhttp)_.*"

_KEYWORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "bool", "offset", "inf", "nan",
}
_GRAFANA_VARIABLE = re.compile(r"\$\{[^}]*\}|\$__\w+|\$\w+|\[\[\w+(?::\w+)?\]\]")
_STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
_LABEL_MATCHERS = re.compile(r"\{[^}]*\}")
_RANGE = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w:.])([A-Za-z_:][\w:]*)(?!\w|\s*\()")
# Grafana's templating functions of the Prometheus data source
_LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(.*?)\s*(?:,\s*\w+\s*)?\)\s*$", re.S)
_TEMPLATING_NO_METRIC = re.compile(r"^\s*(?:label_names|metrics)\(.*\)\s*$", re.S)
_QUERY_RESULT = re.compile(r"^\s*query_result\((.*)\)\s*$", re.S)


def metric_names(expr):
    """The metric names a PromQL expression reads, in order of first use."""
    text = _GRAFANA_VARIABLE.sub(" ", expr)
    text = _STRING.sub('""', text)
    text = _LABEL_MATCHERS.sub(" ", text)
    text = _RANGE.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    names = []
    for match in _IDENTIFIER.finditer(text):
        name = match.group(1)
        if name.lower() in _KEYWORDS or name in names:
            continue
        names.append(name)
    return names


def templating_expr(query):
    """The PromQL inside a Grafana query variable ('' when it names no metric)."""
    if _TEMPLATING_NO_METRIC.match(query):
        return ""
    match = _LABEL_VALUES.match(query)
    if match:
        inner = match.group(1)
        # label_values(label): one bare label name, no metric
        return "" if re.fullmatch(r"\w+", inner) and "," not in query else inner
    match = _QUERY_RESULT.match(query)
    return match.group(1) if match else query


def dashboard_queries(dashboard):
    """(where, expr) for each query of the dashboard: panels (also inside rows) and variables."""
    queries = []

    def walk_panels(panels):
        for panel in panels or []:
            title = panel.get("title") or f"panel {panel.get('id', '?')}"
            for target in panel.get("targets") or []:
                expr = target.get("expr")
                if isinstance(expr, str) and expr.strip():
                    queries.append((f'panel "{title}"', expr))
            walk_panels(panel.get("panels"))

    walk_panels(dashboard.get("panels"))
    for row in dashboard.get("rows") or []:  # schema before 16
        walk_panels(row.get("panels"))
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query", "")
        if isinstance(query, str) and query.strip():
            expr = templating_expr(query)
            if expr:
                queries.append((f"variable ${variable.get('name', '?')}", expr))
    return queries


def rule_queries(text, path):
    """(where, expr) for each rule of a Prometheus rule file, and the names recording rules make.

    A small reader of the rule file's shape, not a YAML parser: `- alert:`/`- record:` lines
    name the rule, `expr:` is followed by a plain or quoted scalar or by a block scalar (| or >).
    """
    queries, recorded = [], []
    lines = text.splitlines()
    name = "?"
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^\s*-?\s*(alert|record):\s*(\S+)", line)
        if m:
            name = m.group(2).strip("'\"")
            if m.group(1) == "record":
                recorded.append(name)
        m = re.match(r"^(\s*)(?:-\s*)?expr:\s*(.*)$", line)
        if m:
            indent, value = len(m.group(1)), m.group(2).strip()
            if value[:1] in ("|", ">"):
                body = []
                i += 1
                while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                    body.append(lines[i].strip())
                    i += 1
                value = " ".join(body)
                queries.append((f"rule {name} ({path})", value))
                continue
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            queries.append((f"rule {name} ({path})", value))
        i += 1
    return queries, recorded


_SAMPLE = re.compile(r"^([A-Za-z_:][\w:]*)(?:\{|\s)")
_TYPE = re.compile(r"^#\s*TYPE\s+([A-Za-z_:][\w:]*)\s+(\w+)")


def known_names(exposition):
    """Every metric name a query may use against this exposition."""
    known = set()
    for line in exposition.splitlines():
        m = _TYPE.match(line)
        if m:
            name, kind = m.groups()
            if kind == "histogram":
                known.update({name + "_bucket", name + "_sum", name + "_count"})
            elif kind == "summary":
                known.update({name, name + "_sum", name + "_count"})
            elif kind == "counter" and not name.endswith("_total"):
                known.update({name, name + "_total"})
            else:
                known.add(name)
            continue
        if line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if m:
            known.add(m.group(1))
    return known


def read_source(source, ca_file, timeout):
    if re.match(r"^https?://", source):
        context = None
        if source.startswith("https://"):
            context = ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()
        request = urllib.request.Request(source, headers={"Accept": "text/plain;version=0.0.4"})
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return response.read().decode("utf-8", "replace")
    if source == "-":
        return sys.stdin.read()
    with open(source, encoding="utf-8") as f:
        return f.read()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dashboard", help="Grafana dashboard JSON")
    parser.add_argument("source", help="the app's /metrics: http(s) URL, file, or - for stdin")
    parser.add_argument("--rules", action="append", default=[], help="a Prometheus rule file to check too")
    parser.add_argument("--ca-file", default="", help="CA certificate (PEM) to verify an https source with")
    parser.add_argument("--ignore", default=DEFAULT_IGNORE,
                        help="regex of names from other exporters to skip unless exported (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds for fetching a URL")
    args = parser.parse_args(argv)

    try:
        with open(args.dashboard, encoding="utf-8") as f:
            dashboard = json.load(f)
        queries = dashboard_queries(dashboard)
        recorded = []
        for path in args.rules:
            with open(path, encoding="utf-8") as f:
                more, made = rule_queries(f.read(), path)
            queries += more
            recorded += made
    except (OSError, ValueError) as e:
        print(f"check_dashboard_metrics: cannot read the dashboard or rules: {e}", file=sys.stderr)
        return 2
    if not queries:
        print(f"check_dashboard_metrics: no queries found in {args.dashboard}", file=sys.stderr)
        return 2
    try:
        exposition = read_source(args.source, args.ca_file, args.timeout)
    except urllib.error.HTTPError as e:
        print(f"check_dashboard_metrics: GET {args.source}: HTTP {e.code} {e.reason}", file=sys.stderr)
        return 2
    except (OSError, urllib.error.URLError, ssl.SSLError) as e:
        print(f"check_dashboard_metrics: cannot read {args.source}: {e}", file=sys.stderr)
        return 2

    known = known_names(exposition) | set(recorded)
    if not any(name.startswith("gw_") for name in known):
        print(f"check_dashboard_metrics: {args.source} has no gw_* metric: not the app's /metrics?",
              file=sys.stderr)
        return 2
    ignore = re.compile(args.ignore)
    used, skipped, missing = {}, set(), {}
    for where, expr in queries:
        for name in metric_names(expr):
            used.setdefault(name, []).append(where)
    for name, places in used.items():
        if name in known:
            continue
        if ignore.fullmatch(name):
            skipped.add(name)
        else:
            missing[name] = places
    for name in sorted(missing):
        places = sorted(set(missing[name]))
        print(f"MISSING {name}: not in {args.source}; used by {', '.join(places)}")
    found = len(used) - len(missing) - len(skipped)
    print(f"{len(queries)} queries, {len(used)} metric names: {found} found, {len(missing)} missing, "
          f"{len(skipped)} of other exporters not checked ({', '.join(sorted(skipped)) or 'none'})")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
