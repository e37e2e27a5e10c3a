//! Reading one site's `lore-site.json`: from a build folder, or over HTTPS.
//!
//! HTTPS goes through ureq with rustls (Mozilla's roots, plus `[portal] ca-file` for an
//! internal CA), one overall timeout per fetch, no plain HTTP, and a size cap on the body. The
//! bytes are parsed by [`super::manifest::Manifest::parse`]; this module only gets them. A
//! site's search statistics come through the same client ([`Fetcher::read_at`]), with their
//! own size cap.

use std::io::Read;
use std::path::Path;

use crate::config::portal::{PortalConfig, PortalSite, SiteSource};

use super::manifest::{FILE, MAX_BYTES};

/// A ready HTTPS client (one per portal build, shared by every site).
pub struct Fetcher {
    agent: ureq::Agent,
}

impl Fetcher {
    /// A client with the portal's timeout and roots; fails when `ca-file` cannot be read.
    pub fn new(config: &PortalConfig) -> Result<Self, String> {
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(path) = &config.ca_file {
            let shown = crate::config::display_path(path);
            let pem = std::fs::read(path)
                .map_err(|e| format!("cannot read `ca-file` `{}`: {e}", shown.display()))?;
            let certs: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(format!("`ca-file` `{}` holds no PEM certificate", shown.display()));
            }
            // The internal CA is trusted besides Mozilla's roots only for this portal's fetches.
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .https_only(true)
            .http_status_as_error(false)
            .max_redirects(5)
            // The `auth-env` header goes only to the site's own URL, never to a redirect target.
            .redirect_auth_headers(ureq::config::RedirectAuthHeaders::Never)
            .tls_config(tls.build())
            .build()
            .into();
        Ok(Self { agent })
    }

    /// The manifest bytes of `site`, or why they cannot be had (one line, escaped).
    pub fn read(&self, site: &PortalSite) -> Result<Vec<u8>, String> {
        match &site.source {
            SiteSource::Path(dir) => read_file(&dir.join(FILE), MAX_BYTES),
            SiteSource::Url(url) => {
                self.read_at(&format!("{url}{FILE}"), site.auth_env.as_deref(), MAX_BYTES)
            }
        }
    }

    /// The file at `url` (the site's `auth-env` header sent with it), at most `cap` bytes plus
    /// one, so that a larger one is seen as such.
    pub fn read_at(&self, url: &str, auth_env: Option<&str>, cap: u64) -> Result<Vec<u8>, String> {
        let shown = crate::diag::escape(url);
        if crate::config::data_url::scheme(url).as_deref() != Some("https") {
            return Err(format!("`{shown}` is not fetched: lore fetches manifests over `https` only"));
        }
        let mut request = self.agent.get(url);
        if let Some(var) = auth_env {
            let value = std::env::var(var)
                .map_err(|_| format!("the environment variable `{var}` (`auth-env`) is not set"))?;
            request = request.header("Authorization", value.trim());
        }
        let response = request
            .call()
            .map_err(|e| format!("cannot fetch `{shown}`: {}", crate::diag::escape(&e.to_string())))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("cannot fetch `{shown}`: the server answered {}", status.as_u16()));
        }
        let mut bytes = Vec::new();
        let reader = response.into_body().into_reader();
        reader
            .take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot fetch `{shown}`: {}", crate::diag::escape(&e.to_string())))?;
        Ok(bytes)
    }
}

/// A file of a site's build folder, at most `cap` bytes (plus one, so that a larger one is seen
/// as such).
pub fn read_file(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    let shown = crate::config::display_path(path);
    let shown = crate::diag::escape(&shown.display().to_string()).into_owned();
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!("`{shown}` does not exist (was the site built with `lore build`?)")
        }
        _ => format!("cannot read `{shown}`: {e}"),
    })?;
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    Ok(bytes)
}
