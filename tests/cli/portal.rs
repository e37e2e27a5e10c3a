//! Issue 16: the per-site manifest (`lore-site.json`) and the organisation portal over three
//! small sites (`tests/fixtures/portal/org/`: payments, platform, identity and a portal).
//!
//! The sites are built on 2026-04-01, the portal on 2026-06-01: states are computed again at
//! the portal's day.

use crate::harness::SiteTest;

const SITES: [&str; 3] = ["payments", "platform", "identity"];

/// The fixture with each site built on 2026-04-01 (each is its own repository).
pub(crate) fn org(name: &str) -> SiteTest {
    let org = SiteTest::empty(name).with_build_dir("portal/book");
    org.overlay("portal/org");
    for site in SITES {
        std::fs::create_dir(org.path(&format!("{site}/.git"))).expect("create .git");
        org.run(&["build", "-q", site, "--today", "2026-04-01"]).success();
    }
    std::fs::create_dir(org.path("portal/.git")).expect("create .git");
    org
}

const STALE_PAGING: &str = "portal/book.toml:6:1: warning: paging alert `PaymentsHighErrorRate` of site `payments` has a stale runbook: `https://docs.example.com/payments/runbooks/high-error-rate/`
  = hint: verify the runbook, then `lore verify` it in its repository

portal/book.toml:7:1: warning: paging alert `KubePodCrashLooping` of site `platform` has a stale runbook: `https://docs.example.com/platform/runbooks/KubePodCrashLooping/`
  = hint: verify the runbook, then `lore verify` it in its repository
";

#[test]
fn issue_16_portal_organisation_freshness_and_alerts() {
    let org = org("portal-org");
    let run = org.run(&["build", "portal", "--today", "2026-06-01"]);
    run.success().stderr_eq(&format!("{STALE_PAGING}\nbuilt 1 page in [TIME] s → portal/book/\n"));
    let json: serde_json::Value = serde_json::from_str(&run.page("freshness.json")).expect("freshness.json");
    assert_eq!(json["today"], "2026-06-01");
    let states: Vec<String> = json["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .filter(|p| p["state"] != "exempt")
        .map(|p| format!("{} {} {} {}", p["site"], p["path"], p["state"], p["url"]).replace('"', ""))
        .collect();
    assert_eq!(
        states,
        [
            "payments payments/runbooks/high-error-rate/ stale https://docs.example.com/payments/runbooks/high-error-rate/",
            "payments payments/runbooks/refunds/ due-soon https://docs.example.com/payments/runbooks/refunds/",
            "payments payments/services/payments-api/ fresh https://docs.example.com/payments/services/payments-api/",
            "platform platform/runbooks/KubePodCrashLooping/ stale https://docs.example.com/platform/runbooks/KubePodCrashLooping/",
            "platform platform/services/kube-platform/ fresh https://docs.example.com/platform/services/kube-platform/",
            "identity identity/runbooks/login-failures/ stale https://docs.example.com/identity/runbooks/login-failures/",
            "identity identity/services/identity/ fresh https://docs.example.com/identity/services/identity/",
        ]
    );
    assert_eq!(json["counts"]["stale"], 3);
    assert_eq!(json["sites"][0]["counts"]["stale"], 1);
    assert_eq!(
        run.page("alerts.json"),
        r#"{
  "alerts": {
    "KubePodCrashLooping": {
      "alert_url": "alerts/KubePodCrashLooping/",
      "paging": true,
      "runbook": "https://docs.example.com/platform/runbooks/KubePodCrashLooping/",
      "site": "platform",
      "state": "stale",
      "title": "Pod crash looping"
    },
    "LoginFailures": {
      "alert_url": "alerts/LoginFailures/",
      "paging": false,
      "runbook": "https://docs.example.com/identity/runbooks/login-failures/",
      "site": "identity",
      "state": "stale",
      "title": "Login failures"
    },
    "PaymentsHighErrorRate": {
      "alert_url": "alerts/PaymentsHighErrorRate/",
      "paging": true,
      "runbook": "https://docs.example.com/payments/runbooks/high-error-rate/",
      "site": "payments",
      "state": "stale",
      "title": "Payments API error rate"
    }
  },
  "conflicts": [],
  "today": "2026-06-01",
  "version": 1
}
"#
    );
    let refresh = "<meta http-equiv=\"refresh\" content=\"0; url=https://docs.example.com/platform/runbooks/KubePodCrashLooping/\">";
    assert!(run.page("alerts/KubePodCrashLooping/index.html").contains(refresh));
    assert!(run.page("alerts/kubepodcrashlooping/index.html").contains(refresh), "lowercase alias");
    let dashboard = run.main_of("freshness/index.html");
    assert!(
        dashboard.contains("<h2 id=\"owner-payments-team\">payments-team · 2 to review</h2>"),
        "{dashboard}"
    );
    assert!(
        dashboard
            .contains("<a href=\"https://docs.example.com/payments/runbooks/refunds/\">Refunds stuck</a>"),
        "{dashboard}"
    );
}

#[test]
fn issue_16_sites_write_a_deterministic_versioned_manifest() {
    let org = org("portal-manifest");
    let first = std::fs::read(org.path("payments/book/lore-site.json")).expect("lore-site.json");
    org.run(&["build", "-q", "payments", "--today", "2026-04-01", "--no-cache"]).success();
    let second = std::fs::read(org.path("payments/book/lore-site.json")).expect("lore-site.json");
    assert_eq!(first, second, "same site, same day: same bytes");
    let json: serde_json::Value = serde_json::from_slice(&first).expect("json");
    assert_eq!(json["schema"], 1);
    assert_eq!(json["base_url"], "https://docs.example.com/payments/");
    // Issue 16: what a portal's search needs, from the statistics the build wrote.
    assert_eq!(
        json["search"],
        serde_json::json!({"stats": "search/stats.bin.gz", "format": 1, "sections": 7, "terms": 26})
    );
    assert_eq!(
        json["alerts"],
        serde_json::json!([
            {"name": "KubePodCrashLooping", "runbook": null, "paging": false, "severity": "warning"},
            {"name": "PaymentsHighErrorRate", "runbook": "runbooks/high-error-rate/", "paging": true, "severity": "critical"},
        ])
    );
    assert_eq!(json["services"][0]["depends_on"], serde_json::json!(["identity", "kube-platform"]));
    assert_eq!(json["adrs"][0]["number"], 1);
    assert_eq!(json["adrs"][0]["lifecycle"], "accepted");
}

#[test]
fn issue_16_two_sites_claiming_one_alert_is_an_error_naming_both() {
    let org = org("portal-conflict");
    org.write(
        "payments/src/runbooks/crashloop.md",
        "---\nowner: payments-team\nlast_verified: 2026-03-01\nalerts: [KubePodCrashLooping]\n---\n# Our pods crash\n",
    );
    org.run(&["build", "-q", "payments", "--today", "2026-04-01"]).success();
    org.run(&["build", "portal", "--today", "2026-06-01"]).code(2).stderr_contains(
        "portal/book.toml:7:1: error: alert `KubePodCrashLooping` is claimed by two sites: `payments` (`https://docs.example.com/payments/runbooks/crashloop/`) and `platform` (`https://docs.example.com/platform/runbooks/KubePodCrashLooping/`)
  = hint: keep one runbook for it: remove the alert from the other site's runbook `alerts:`
",
    );
}

#[test]
fn issue_16_incompatible_manifest_is_listed_unavailable_with_the_reason() {
    let org = org("portal-version");
    let path = org.path("platform/book/lore-site.json");
    let text =
        std::fs::read_to_string(&path).expect("manifest").replacen("\"schema\": 1", "\"schema\": 7", 1);
    std::fs::write(&path, text).expect("write");
    let run = org.run(&["build", "portal", "--today", "2026-06-01"]);
    run.success().stderr_contains(
        "portal/book.toml:7:1: warning: portal site `platform` is unavailable: manifest from an incompatible version: schema 7, this lore reads 1
  = hint: the portal lists it as unavailable on its front page
",
    );
    let front = run.main_of("index.html");
    assert!(
        front.contains("<li><strong>platform</strong>: manifest from an incompatible version: schema 7, this lore reads 1</li>"),
        "{front}"
    );
    // Its alerts are not in the namespace; the other sites' are.
    run.no_file("alerts/KubePodCrashLooping/index.html").file("alerts/PaymentsHighErrorRate/index.html");
}

#[test]
fn issue_16_missing_site_does_not_stop_the_portal_unless_all_are_required() {
    let org = org("portal-missing");
    std::fs::remove_dir_all(org.path("identity/book")).expect("remove the build");
    let reason =
        "`portal/../identity/book/lore-site.json` does not exist (was the site built with `lore build`?)";
    let run = org.run(&["build", "portal", "--today", "2026-06-01"]);
    run.success().stderr_contains(&format!(
        "portal/book.toml:8:1: warning: portal site `identity` is unavailable: {reason}\n"
    ));
    let front = run.main_of("index.html");
    assert!(front.contains("<li><strong>identity</strong>: ") && front.contains("lore-site.json"), "{front}");
    let before = org.read("portal/book/index.html");
    org.run(&["build", "portal", "--today", "2026-06-01", "--require-all-sites"]).code(2).stderr_contains(
        &format!(
            "portal/book.toml:8:1: error: portal site `identity` is unavailable: {reason}
  = hint: without `--require-all-sites` the portal is built without it and lists it as unavailable
"
        ),
    );
    assert_eq!(org.read("portal/book/index.html"), before, "a failed build leaves the portal untouched");
    org.run(&["check", "portal", "--today", "2026-06-01", "--require-all-sites"]).code(1);
}

#[test]
fn issue_16_service_catalog_links_cross_site_dependencies_to_their_home_site() {
    let org = org("portal-services");
    let run = org.run(&["build", "-q", "portal", "--today", "2026-06-01"]);
    run.success();
    let services = run.main_of("services/index.html");
    assert!(
        services.contains("<a href=\"https://docs.example.com/identity/services/identity/\">identity (identity)</a>, <a href=\"https://docs.example.com/platform/services/kube-platform/\">kube-platform (platform)</a>"),
        "{services}"
    );
    let decisions = run.main_of("decisions/index.html");
    assert!(
        decisions.contains("<td data-sort=\"platform\">platform</td><td data-sort=\"0002\">0002</td>"),
        "{decisions}"
    );
    org.write(
        "identity/src/services/identity.md",
        "---\nowner: identity-team\ndepends_on: [kube-platform, secrets-vault]\n---\n# Identity\n",
    );
    org.run(&["build", "-q", "identity", "--today", "2026-04-01"]).success();
    org.run(&["build", "portal", "--today", "2026-06-01"]).success().stderr_contains(
        "portal/book.toml:8:1: warning: service `identity` of site `identity` depends on `secrets-vault`, which no site of the portal defines\n",
    );
}

#[test]
fn issue_16_check_on_a_portal_reports_in_every_format() {
    let org = org("portal-check");
    let run = org.run(&["check", "portal", "--today", "2026-06-01", "--format", "github"]);
    run.code(1);
    assert!(
        run.stdout().starts_with("::warning file=portal/book.toml,line=6,col=1::paging alert `PaymentsHighErrorRate` of site `payments` has a stale runbook"),
        "{}",
        run.stdout()
    );
    assert!(run.stdout().contains("file=payments/runbooks/high-error-rate/"), "{}", run.stdout());
    let json = org.run(&["check", "portal", "--today", "2026-06-01", "--format", "json"]);
    json.code(1);
    let value: serde_json::Value = serde_json::from_str(json.stdout()).expect("json");
    assert_eq!(value["counts"]["stale"], 3);
    assert_eq!(value["diagnostics"].as_array().map(Vec::len), Some(2));
    org.run(&["check", "portal", "--today", "2026-06-01", "--format", "markdown"]).code(1);
    org.run(&["check", "portal", "--today", "2026-04-01", "--fail-on", "never"]).success();
}

#[test]
fn issue_16_untrusted_manifest_urls_and_control_characters() {
    let org = org("portal-untrusted");
    let path = org.path("platform/book/lore-site.json");
    let text = std::fs::read_to_string(&path).expect("manifest");
    std::fs::write(
        &path,
        text.replacen("\"url\": \"runbooks/KubePodCrashLooping/\"", "\"url\": \"javascript:alert(1)\"", 1),
    )
    .expect("write");
    let text = std::fs::read_to_string(org.path("identity/book/lore-site.json")).expect("manifest");
    let text = text.replacen("\"title\": \"Login failures\"", "\"title\": \"Login \\u001b[31mfailures\"", 1);
    let text = text.replacen("\"name\": \"LoginFailures\"", "\"name\": \"../../escape\"", 1);
    std::fs::write(org.path("identity/book/lore-site.json"), text).expect("write");
    let run = org.run(&["build", "portal", "--today", "2026-06-01"]);
    run.success().stderr_contains(
        "portal/book.toml:7:1: warning: portal site `platform` is unavailable: manifest has a `javascript:` URL in `pages.url`: `javascript:alert(1)`\n",
    );
    let dashboard = run.main_of("freshness/index.html");
    assert!(dashboard.contains(">Login \\x1b[31mfailures</a>"), "{dashboard}");
    assert!(!org.path("portal/escape").exists() && !org.path("escape").exists());
    run.no_file("alerts/../../escape/index.html");
}

/// A TLS server on loopback with a self-signed certificate for `localhost`: answers
/// `GET /payments/lore-site.json` with `body` when the `Authorization` header is `Bearer s3cret`,
/// 401 otherwise. It serves `requests` connections, then stops (or gives up after 60 s).
fn https_server(body: Vec<u8>, requests: usize) -> (u16, String, std::thread::JoinHandle<Vec<String>>) {
    https_files(vec![("/payments/lore-site.json".to_owned(), body)], requests)
}

/// [`https_server`] with a body for each path (`/payments/lore-site.json`, …).
pub(crate) fn https_files(
    files: Vec<(String, Vec<u8>)>,
    requests: usize,
) -> (u16, String, std::thread::JoinHandle<Vec<String>>) {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::Arc;
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let pem = cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(signing_key.serialize_der().into());
    let config =
        rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone()], key)
            .expect("server config");
    let config = Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("address").port();
    listener.set_nonblocking(true).expect("nonblocking");
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while seen.len() < requests && std::time::Instant::now() < deadline {
            let Ok((tcp, _)) = listener.accept() else {
                std::thread::sleep(std::time::Duration::from_millis(10));
                continue;
            };
            tcp.set_nonblocking(false).expect("blocking");
            tcp.set_read_timeout(Some(std::time::Duration::from_secs(10))).expect("timeout");
            let conn = rustls::ServerConnection::new(config.clone()).expect("tls");
            let mut stream = rustls::StreamOwned::new(conn, tcp);
            let mut head = Vec::new();
            {
                let mut reader = BufReader::new(&mut stream);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                    head.push(line.trim_end().to_owned());
                    line.clear();
                }
            }
            let authorised = head.iter().any(|h| h.eq_ignore_ascii_case("authorization: Bearer s3cret"));
            let body = files.iter().find_map(|(path, body)| {
                head.first().filter(|l| l.starts_with(&format!("GET {path} "))).map(|_| body.as_slice())
            });
            let (status, payload): (&str, &[u8]) = match (body, authorised) {
                (Some(body), true) => ("200 OK", body),
                (Some(_), false) => ("401 Unauthorized", b"no"),
                _ => ("404 Not Found", b"no"),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                payload.len()
            );
            let _ = stream.write_all(payload);
            let _ = stream.flush();
            stream.conn.send_close_notify();
            let _ = stream.flush();
            seen.push(head.first().cloned().unwrap_or_default());
        }
        seen
    });
    (port, pem, handle)
}

#[test]
fn issue_16_manifest_fetched_over_https_with_auth_env() {
    let org = org("portal-https");
    let manifest = std::fs::read(org.path("payments/book/lore-site.json")).expect("manifest");
    let (port, pem, server) = https_server(manifest, 2);
    org.write("portal/ca.pem", pem).write(
        "portal/book.toml",
        format!(
            "[book]\ntitle = \"Example Corp docs\"\n\n[portal]\nca-file = \"ca.pem\"\ntimeout-secs = 5\nsites = [\n  {{ name = \"payments\", url = \"https://localhost:{port}/payments/\", auth-env = \"DOCS_TOKEN\" }},\n]\n"
        ),
    );
    // Without the variable: nothing is sent, and the reason says which variable.
    org.run(&["build", "portal", "--today", "2026-06-01"]).success().stderr_contains(
        "portal/book.toml:8:1: warning: portal site `payments` is unavailable: the environment variable `DOCS_TOKEN` (`auth-env`) is not set\n",
    );
    let wrong = org.run_wrapped(
        &["env", "DOCS_TOKEN=Bearer wrong"],
        "",
        &["build", "portal", "--today", "2026-06-01"],
    );
    wrong.success().stderr_contains(&format!(
        "portal site `payments` is unavailable: cannot fetch `https://localhost:{port}/payments/lore-site.json`: the server answered 401\n"
    ));
    let run = org.run_wrapped(
        &["env", "DOCS_TOKEN=Bearer s3cret"],
        "",
        &["build", "portal", "--today", "2026-06-01"],
    );
    run.success().file("alerts/PaymentsHighErrorRate/index.html");
    // Links go to the site's URL as configured (here the server it was fetched from).
    assert!(
        run.page("alerts.json").contains(&format!(
            "\"runbook\": \"https://localhost:{port}/payments/runbooks/high-error-rate/\""
        ))
    );
    let seen = server.join().expect("server thread");
    assert_eq!(seen, ["GET /payments/lore-site.json HTTP/1.1", "GET /payments/lore-site.json HTTP/1.1"]);
}

#[test]
fn issue_16_plain_http_and_untrusted_certificates_are_refused() {
    let org = org("portal-tls-refused");
    let manifest = std::fs::read(org.path("payments/book/lore-site.json")).expect("manifest");
    let (port, _pem, server) = https_server(manifest, 1);
    org.write(
        "portal/book.toml",
        format!(
            "[portal]\nsites = [\n  {{ name = \"payments\", url = \"https://localhost:{port}/payments/\" }},\n  {{ name = \"plain\", url = \"http://localhost:{port}/payments/\" }},\n]\n"
        ),
    );
    let run = org.run(&["build", "portal", "--today", "2026-06-01"]);
    run.success();
    assert!(
        run.stderr().contains(&format!("portal site `payments` is unavailable: cannot fetch `https://localhost:{port}/payments/lore-site.json`: ")),
        "{}",
        run.stderr()
    );
    run.stderr_contains(&format!(
        "portal site `plain` is unavailable: `http://localhost:{port}/payments/lore-site.json` is not fetched: lore fetches manifests over `https` only\n"
    ));
    drop(server);
}

#[test]
fn issue_16_portal_table_problems_are_reported_at_their_line() {
    let site = SiteTest::empty("portal-config");
    std::fs::create_dir(site.path(".git")).expect("create .git");
    site.write(
        "book.toml",
        "[portal]\nsites = [\n  { name = \"payments\", url = \"https://docs.example.com/payments/\" },\n  { name = \"payments\", path = \"../p/book\" },\n  { name = \"ops\" },\n  { name = \"files\", url = \"file:///etc/\" },\n  { name = \"Big Team\", path = \"x\" },\n]\n",
    );
    site.run(&["build"]).code(2).stderr_eq(
        "book.toml:4:12: error: portal site `payments` is listed twice
 4 |   { name = \"payments\", path = \"../p/book\" },
   |            ^
  = hint: give each site its own name

book.toml:5:12: error: portal site `ops` has neither `url` nor `path`
 5 |   { name = \"ops\" },
   |            ^
  = hint: add `url = \"https://…/\"` (a published site) or `path = \"…/book\"` (a local build)

book.toml:6:12: error: portal site `files` has a URL that is not `http(s)`: `file:///etc/`
 6 |   { name = \"files\", url = \"file:///etc/\" },
   |            ^
  = hint: write the address the site is published at, e.g. `https://docs.example.com/payments/`

book.toml:7:12: error: portal site name `Big Team` is not a short lowercase name
 7 |   { name = \"Big Team\", path = \"x\" },
   |            ^
  = hint: use lowercase letters, digits, `-` and `_`, e.g. `payments`

error: found 4 errors
",
    );
    site.write(
        "book.toml",
        "[portal]\nsites = [{ name = \"a\", path = \"x\", auth_env = \"T\" }]\ntimout-secs = 3\n",
    );
    let run = site.run(&["build"]);
    run.code(2);
    assert_eq!(
        run.diagnostics(),
        [
            "book.toml:2:36: error: invalid `book.toml`: unknown field `auth_env`, expected one of `name`, `url`, `path`, `auth-env`",
            "book.toml:3:1: error: unknown key `portal.timout-secs` in `book.toml`",
        ]
    );
}
