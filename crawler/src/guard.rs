//! The SSRF guard: a crawler fetches supplier sites, never the merchant's own network.
//!
//! Two checks, both needed:
//! - before a request and on every redirect, the URL's host must be one the crawler was told
//!   about (a source's host) when the fetcher is restricted to known hosts, and an IP literal must
//!   not be private unless that host allows it;
//! - at connect time, every address a name resolves to is checked ([`GuardedResolver`]): a public
//!   name that resolves to 127.0.0.1 or 169.254.169.254 (DNS rebinding, a hostile sitemap) is
//!   refused unless the host allows private networks.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, RwLock};

use url::{Host, Url};

/// Whether `url` names a loopback, private, link-local or unspecified address.
pub fn is_private_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => is_private_ip(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => is_private_ip(IpAddr::V6(ip)),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => true,
    }
}

pub fn is_private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64 // CGNAT 100.64/10
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_ip(IpAddr::V4(v4));
            }
            let seg = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (seg & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (seg & 0xffc0) == 0xfe80 // link-local fe80::/10
                || v6 == Ipv6Addr::UNSPECIFIED
        }
    }
}

/// Why a URL may not be fetched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{host} is not the host of any configured source")]
    UnknownHost { host: String },
    #[error("{host} is a loopback, private or link-local address (allow_private_networks is off)")]
    PrivateAddress { host: String },
}

/// Which hosts may be fetched, and which of those may be on private networks.
#[derive(Debug, Default)]
pub struct HostGuard {
    /// Only hosts in `hosts` may be fetched.
    only_known_hosts: bool,
    /// Private addresses are allowed for every host (tests of the crawler itself).
    allow_private_everywhere: bool,
    /// Known host (lower case) → private addresses allowed for it.
    hosts: RwLock<HashMap<String, bool>>,
}

impl HostGuard {
    pub fn new(only_known_hosts: bool, allow_private_everywhere: bool) -> HostGuard {
        HostGuard {
            only_known_hosts,
            allow_private_everywhere,
            hosts: RwLock::default(),
        }
    }

    /// Lets `host` be fetched; `allow_private` if it is a local site on purpose.
    pub fn allow(&self, host: &str, allow_private: bool) {
        let mut hosts = self.hosts.write().unwrap_or_else(|e| e.into_inner());
        let entry = hosts.entry(host.to_ascii_lowercase()).or_insert(false);
        *entry |= allow_private;
    }

    /// No longer lets `host` be fetched (no source uses it any more).
    pub fn forget(&self, host: &str) {
        let mut hosts = self.hosts.write().unwrap_or_else(|e| e.into_inner());
        hosts.remove(&host.to_ascii_lowercase());
    }

    fn private_ok(&self, host: &str) -> bool {
        self.allow_private_everywhere
            || self
                .hosts
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(&host.to_ascii_lowercase())
                .copied()
                .unwrap_or(false)
    }

    /// Checks a URL before it is requested (and each redirect target).
    pub fn check(&self, url: &Url) -> Result<(), Refusal> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if self.only_known_hosts
            && !self
                .hosts
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .contains_key(&host)
        {
            return Err(Refusal::UnknownHost { host });
        }
        if is_private_host(url) && !self.private_ok(&host) {
            return Err(Refusal::PrivateAddress { host });
        }
        Ok(())
    }

    /// The addresses `host` resolved to that may be connected to.
    pub fn filter_addrs(
        &self,
        host: &str,
        addrs: Vec<SocketAddr>,
    ) -> Result<Vec<SocketAddr>, Refusal> {
        if self.private_ok(host) {
            return Ok(addrs);
        }
        let public: Vec<SocketAddr> = addrs
            .into_iter()
            .filter(|a| !is_private_ip(a.ip()))
            .collect();
        if public.is_empty() {
            return Err(Refusal::PrivateAddress {
                host: host.to_owned(),
            });
        }
        Ok(public)
    }
}

/// reqwest's resolver (`ClientBuilder::dns_resolver`), checking what each name resolves to
/// against the [`HostGuard`].
pub(crate) struct GuardedResolver(pub(crate) Arc<HostGuard>);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = Arc::clone(&self.0);
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed = guard.filter_addrs(&host, addrs)?;
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_loopback_hosts_are_recognised() {
        let private = [
            "http://127.0.0.1:8080/",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://172.16.5.4/",
            "http://100.64.0.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://localhost:3000/",
            "http://shop.localhost/",
            "http://0.0.0.0/",
        ];
        for u in private {
            assert!(is_private_host(&Url::parse(u).expect("url")), "{u}");
        }
        for u in [
            "https://detail.1688.com/offer/1.html",
            "http://8.8.8.8/",
            "http://[2001:db8::1]/",
        ] {
            assert!(!is_private_host(&Url::parse(u).expect("url")), "{u}");
        }
    }

    #[test]
    fn only_known_hosts_pass_and_private_ones_only_when_allowed() {
        let guard = HostGuard::new(true, false);
        let shop = Url::parse("https://Shop.Example/p/1").expect("url");
        assert_eq!(
            guard.check(&shop),
            Err(Refusal::UnknownHost {
                host: "shop.example".into()
            })
        );
        guard.allow("shop.example", false);
        assert_eq!(guard.check(&shop), Ok(()));
        let local = Url::parse("http://127.0.0.1:9/p").expect("url");
        guard.allow("127.0.0.1", false);
        assert!(matches!(
            guard.check(&local),
            Err(Refusal::PrivateAddress { .. })
        ));
        guard.allow("127.0.0.1", true);
        assert_eq!(guard.check(&local), Ok(()));
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_that_resolve_to_private_addresses() {
        use reqwest::dns::{Name, Resolve};
        let guard = Arc::new(HostGuard::new(false, false));
        let resolver = GuardedResolver(Arc::clone(&guard));
        let name: Name = "localhost".parse().expect("name");
        let refused = resolver.resolve(name).await.err().expect("refused");
        assert!(refused.to_string().contains("private"), "{refused}");
        guard.allow("localhost", true);
        let name: Name = "localhost".parse().expect("name");
        let addrs: Vec<SocketAddr> = resolver.resolve(name).await.expect("allowed").collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty());
    }

    #[test]
    fn a_public_name_resolving_to_a_private_address_is_refused() {
        let guard = HostGuard::new(false, false);
        let loopback: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        let metadata: SocketAddr = "169.254.169.254:0".parse().expect("addr");
        let public: SocketAddr = "93.184.216.34:0".parse().expect("addr");
        assert!(guard
            .filter_addrs("rebind.example", vec![loopback, metadata])
            .is_err());
        assert_eq!(
            guard.filter_addrs("mixed.example", vec![loopback, public]),
            Ok(vec![public]),
            "only the public address is connected to"
        );
        guard.allow("rebind.example", true);
        assert_eq!(
            guard.filter_addrs("rebind.example", vec![loopback]),
            Ok(vec![loopback])
        );
    }
}
