use std::path::Path;

use super::*;

fn fixture(rel: &str) -> Parsed {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alerts/formats");
    let text = std::fs::read_to_string(dir.join(rel)).unwrap();
    parse(&text, Path::new(rel))
}

/// `name file:line:col format [labels]` per rule.
fn outline(parsed: &Parsed) -> Vec<String> {
    parsed
        .rules
        .iter()
        .map(|r| {
            let labels: Vec<String> = r.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!(
                "{} {}:{}:{} {:?} [{}]",
                r.name,
                r.file.display(),
                r.line,
                r.col,
                r.format,
                labels.join(",")
            )
        })
        .collect()
}

fn messages(parsed: &Parsed) -> Vec<String> {
    parsed.diagnostics.iter().map(ToString::to_string).collect()
}

#[test]
fn kube_prometheus_mixin_skips_recording_rules() {
    let p = fixture("monitoring/kube-prometheus/kubernetes-apps.yml");
    assert_eq!(
        outline(&p),
        [
            "KubePodCrashLooping monitoring/kube-prometheus/kubernetes-apps.yml:5:9 Prometheus [severity=critical]",
            "KubeJobFailed monitoring/kube-prometheus/kubernetes-apps.yml:15:9 Prometheus [severity=warning]",
        ]
    );
    let crash = &p.rules[0];
    assert_eq!(crash.for_.as_deref(), Some("15m"));
    assert!(
        crash.expr.as_deref().unwrap().starts_with("max_over_time(kube_pod_container_status_waiting_reason")
    );
    let url = crash.annotation("runbook_url").unwrap();
    assert_eq!(
        (url.value.as_str(), url.line, url.col),
        ("https://runbooks.example.com/runbooks/kubernetes/kubepodcrashlooping", 8, 24)
    );
    assert!(p.diagnostics.is_empty() && !p.unrecognised);
}

#[test]
fn group_labels_apply_to_their_rules() {
    let p = fixture("monitoring/gitlab/patroni.yml");
    assert_eq!(
        outline(&p),
        [
            "PostgresSplitBrain monitoring/gitlab/patroni.yml:7:9 Prometheus [team=database,severity=page,pager=pagerduty]"
        ]
    );
    assert_eq!(p.rules[0].annotation("runbook").unwrap().value, "docs/patroni/alerts/PostgresSplitBrain.md");
}

#[test]
fn prometheus_rule_with_two_documents() {
    let p = fixture("monitoring/k8s/prometheusrule.yaml");
    assert_eq!(
        outline(&p),
        [
            "NodeClockNotSynchronising monitoring/k8s/prometheusrule.yaml:10:11 PrometheusRule [severity=warning]",
            "Watchdog monitoring/k8s/prometheusrule.yaml:27:11 PrometheusRule [severity=none]",
            "TargetDown monitoring/k8s/prometheusrule.yaml:31:11 PrometheusRule [severity=warning]",
        ]
    );
}

#[test]
fn grafana_provisioning_titles_become_path_segments() {
    let p = fixture("monitoring/grafana/alerting.yaml");
    assert_eq!(
        outline(&p),
        [
            "Checkout error rate high monitoring/grafana/alerting.yaml:8:9 Grafana [severity=critical,team=payments]"
        ]
    );
    let r = &p.rules[0];
    assert_eq!(r.segment, "Checkout-error-rate-high");
    assert_eq!(r.for_.as_deref(), Some("5m"));
    assert!(
        r.expr
            .as_deref()
            .unwrap()
            .starts_with("sum(rate(http_requests_total{service=\"checkout\",code=~\"5..\"}")
    );
}

#[test]
fn sloth_spec_gives_page_and_ticket_alerts() {
    let p = fixture("monitoring/sloth/checkout-slo.yml");
    assert_eq!(
        outline(&p),
        [
            "CheckoutAvailabilityBudgetBurn monitoring/sloth/checkout-slo.yml:14:13 Sloth [category=availability,severity=critical,sloth_severity=page]",
            "CheckoutAvailabilityBudgetBurn monitoring/sloth/checkout-slo.yml:14:13 Sloth [category=availability,severity=warning,sloth_severity=ticket]",
            "CheckoutLatencyBudgetBurn monitoring/sloth/checkout-slo.yml:32:13 Sloth [sloth_severity=ticket]",
        ]
    );
    assert_eq!(
        p.rules[0].expr.as_deref(),
        Some("error budget burn of SLO `requests-availability` (objective 99.9%)")
    );
    let spec = sloth::spec(
        &yaml::documents(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures/alerts/formats/monitoring/sloth/checkout-slo.yml"),
            )
            .unwrap(),
        )
        .unwrap()[0],
    );
    assert_eq!(spec.service.as_deref(), Some("checkout"));
    assert_eq!(spec.slos.len(), 2);
    assert_eq!(spec.slos[0].objective.as_deref(), Some("99.9"));
}

#[test]
fn yaml_error_is_reported_at_its_line_and_column() {
    let text = "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: [up\n";
    let p = parse(text, Path::new("rules.yml"));
    assert!(p.rules.is_empty());
    assert_eq!(
        messages(&p),
        [
            "rules.yml:5:15: error: invalid YAML in alert rules: unclosed bracket '['\n 5 |         expr: [up\n   |               ^"
        ]
    );
}

#[test]
fn rule_without_a_name_is_an_error_at_the_rule() {
    let text = "groups:\n  - name: a\n    rules:\n      - expr: up == 0\n        for: 5m\n";
    let p = parse(text, Path::new("rules.yml"));
    assert_eq!(
        messages(&p),
        [
            "rules.yml:4:9: error: alert rule has no name: neither `alert` nor `record` is set\n 4 |       - expr: up == 0\n   |         ^\n  = hint: name it with `alert: <AlertName>`"
        ]
    );
    let text = "apiVersion: 1\ngroups:\n  - name: g\n    rules:\n      - uid: x\n        title: ''\n";
    assert_eq!(
        messages(&parse(text, Path::new("g.yaml")))[0].lines().next().unwrap(),
        "g.yaml:5:9: error: Grafana alert rule has no `title`"
    );
}

#[test]
fn unsafe_names_are_errors_at_their_rule() {
    let text = "apiVersion: 1\ngroups:\n  - name: g\n    rules:\n      - title: '../..'\n        uid: a\n      - title: 'Disk / almost full'\n        uid: b\n";
    let p = parse(text, Path::new("g.yaml"));
    assert_eq!(p.rules.iter().map(|r| r.segment.as_str()).collect::<Vec<_>>(), ["Disk-almost-full"]);
    assert_eq!(
        messages(&p)[0].lines().next().unwrap(),
        "g.yaml:5:9: error: alert name `../..` cannot be made into a URL path segment"
    );
}

#[test]
fn segments() {
    let cases = [
        ("KubePodCrashLooping", Some("KubePodCrashLooping")),
        ("job:up", Some("job:up")),
        ("Disk usage / high", Some("Disk-usage-high")),
        ("..", None),
        ("../etc/passwd", Some("etc-passwd")),
        ("  ", None),
        ("???", None),
        ("Größe", Some("Größe")),
    ];
    for (name, want) in cases {
        assert_eq!(segment(name).as_deref(), want, "{name}");
    }
}

#[test]
fn other_yaml_is_not_a_rule_file() {
    let p = parse("apiVersion: v1\nkind: ConfigMap\n", Path::new("cm.yaml"));
    assert!(p.unrecognised && p.rules.is_empty() && p.diagnostics.is_empty());
    assert!(!parse("", Path::new("empty.yml")).unrecognised);
}
