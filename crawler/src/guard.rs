//! The SSRF guard: a crawler fetches supplier sites, never the merchant's own network.
//!
//! Permission to reach a private address belongs to a source's exact origin (scheme, host,
//! port), never to a host name: a local test shop on `127.0.0.1:18300` lets nothing else on
//! `127.0.0.1` be fetched. Three checks, all needed:
//! - before a request and on every redirect ([`HostGuard::check`]), the URL's host must be one
//!   the crawler was told about (a source's host) when the fetcher is restricted to known hosts;
//!   a URL on a private address (an IP literal in any writing the URL standard accepts:
//!   `2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`, `[::127.0.0.1]`), or on a name some
//!   origin was allowed private addresses for, passes only when its exact origin is allowed
//!   them and it is the origin the request started from: a redirect is checked against the
//!   source that made the request, not against whichever source allowed that address;
//! - a redirect carrying credentials (`http://a@b/`) is refused;
//! - at connect time, every address a name resolves to is checked ([`GuardedResolver`]): a public
//!   name that resolves to 127.0.0.1 or 169.254.169.254 (DNS rebinding, a hostile sitemap) is
//!   refused unless an origin on that name is allowed private addresses (and the first check
//!   has made sure the request is for that origin).

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
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

/// Whether `ip` is not a public internet address: loopback, private, link-local, CGNAT,
/// unspecified, broadcast, multicast, reserved, and IPv6 forms that embed such an IPv4 address
/// (mapped `::ffff:a.b.c.d`, the old compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4
/// `2002::/16`).
pub fn is_private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            let embedded = |hi: u16, lo: u16| {
                Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8)
            };
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_v4(v4);
            }
            if seg[..6] == [0; 6] {
                // `::a.b.c.d` (and `::`, `::1`): no public address is written this way.
                return true;
            }
            if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                return is_private_v4(embedded(seg[6], seg[7]));
            }
            if seg[0] == 0x2002 {
                return is_private_v4(embedded(seg[1], seg[2]));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (seg[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (seg[0] & 0xffc0) == 0xfec0 // site-local fec0::/10
                || v6 == Ipv6Addr::UNSPECIFIED
        }
    }
}

fn is_private_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || a == 0 // "this network" 0/8
        || a >= 240 // reserved 240/4
        || a == 100 && (b & 0xc0) == 64 // CGNAT 100.64/10
        || a == 192 && b == 0 && v4.octets()[2] == 0 // IETF 192.0.0/24
        || a == 198 && (b & 0xfe) == 18 // benchmarking 198.18/15
}

/// Why a URL may not be fetched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{host} is not the host of any configured source")]
    UnknownHost { host: String },
    #[error(
        "{origin} is a loopback, private or link-local address no source allows (a source \
         added with --allow-private-networks may reach its own; `extract` takes the flag too)"
    )]
    PrivateAddress { origin: String },
    #[error(
        "{origin} is a private address allowed for another source, not for {from}, which made \
         the request"
    )]
    OtherOrigin { origin: String, from: String },
    #[error("the URL carries credentials (user:password@)")]
    Credentials,
}

/// Which hosts may be fetched, and which origins may be on private networks.
#[derive(Debug, Default)]
pub struct HostGuard {
    /// Only hosts in `hosts` may be fetched.
    only_known_hosts: bool,
    /// Private addresses are allowed for every host (tests of the crawler itself).
    allow_private_everywhere: bool,
    /// Known host (lower case) → its origins that allow private addresses.
    hosts: RwLock<HashMap<String, HashSet<String>>>,
}

/// `url`'s origin as text: `http://127.0.0.1:18300` (the default port left out).
pub fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

impl HostGuard {
    pub fn new(only_known_hosts: bool, allow_private_everywhere: bool) -> HostGuard {
        HostGuard {
            only_known_hosts,
            allow_private_everywhere,
            hosts: RwLock::default(),
        }
    }

    /// Lets `base`'s host be fetched; `allow_private` if `base`'s origin is a local site on
    /// purpose (only that origin: the same host on another port is not).
    pub fn allow(&self, base: &Url, allow_private: bool) {
        let host = base.host_str().unwrap_or_default().to_ascii_lowercase();
        let mut hosts = self.hosts.write().unwrap_or_else(|e| e.into_inner());
        let origins = hosts.entry(host).or_default();
        if allow_private {
            origins.insert(origin_of(base));
        }
    }

    /// No longer lets `host` be fetched (no source uses it any more).
    pub fn forget(&self, host: &str) {
        let mut hosts = self.hosts.write().unwrap_or_else(|e| e.into_inner());
        hosts.remove(&host.to_ascii_lowercase());
    }

    /// Whether some origin on `host` is allowed private addresses.
    fn host_has_private_origin(&self, host: &str) -> bool {
        self.hosts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&host.to_ascii_lowercase())
            .is_some_and(|origins| !origins.is_empty())
    }

    fn origin_private_ok(&self, host: &str, origin: &str) -> bool {
        self.hosts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(host)
            .is_some_and(|origins| origins.contains(origin))
    }

    /// Checks a URL before it is requested (`from` is `url` itself) and each redirect target
    /// (`from` is the URL the request started at).
    pub fn check(&self, url: &Url, from: &Url) -> Result<(), Refusal> {
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
        if url != from && (!url.username().is_empty() || url.password().is_some()) {
            return Err(Refusal::Credentials);
        }
        if self.allow_private_everywhere {
            return Ok(());
        }
        if !is_private_host(url) && !self.host_has_private_origin(&host) {
            // A public name: what it resolves to is checked when connecting.
            return Ok(());
        }
        let origin = origin_of(url);
        if !self.origin_private_ok(&host, &origin) {
            return Err(Refusal::PrivateAddress { origin });
        }
        let from = origin_of(from);
        if from != origin {
            return Err(Refusal::OtherOrigin { origin, from });
        }
        Ok(())
    }

    /// The addresses `host` resolved to that may be connected to.
    pub fn filter_addrs(
        &self,
        host: &str,
        addrs: Vec<SocketAddr>,
    ) -> Result<Vec<SocketAddr>, Refusal> {
        if self.allow_private_everywhere || self.host_has_private_origin(host) {
            return Ok(addrs);
        }
        let public: Vec<SocketAddr> = addrs
            .into_iter()
            .filter(|a| !is_private_ip(a.ip()))
            .collect();
        if public.is_empty() {
            return Err(Refusal::PrivateAddress {
                origin: host.to_owned(),
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

    fn url(u: &str) -> Url {
        Url::parse(u).expect("url")
    }

    #[test]
    fn private_and_loopback_hosts_are_recognised_in_every_writing() {
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
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::a00:1]/",
            "http://[2002:7f00:1::]/",
            "http://localhost:3000/",
            "http://shop.localhost/",
            "http://0.0.0.0/",
            "http://0.1.2.3/",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://0x7f.1/",
            "http://224.0.0.1/",
            "http://255.255.255.255/",
        ];
        for u in private {
            assert!(is_private_host(&url(u)), "{u}");
        }
        for u in [
            "https://detail.1688.com/offer/1.html",
            "http://8.8.8.8/",
            "http://[2001:db8::1]/",
            "http://[2002:0808:0808::]/",
        ] {
            assert!(!is_private_host(&url(u)), "{u}");
        }
    }

    #[test]
    fn only_known_hosts_pass_and_private_ones_only_for_the_allowed_origin() {
        let guard = HostGuard::new(true, false);
        let shop = url("https://Shop.Example/p/1");
        assert_eq!(
            guard.check(&shop, &shop),
            Err(Refusal::UnknownHost {
                host: "shop.example".into()
            })
        );
        guard.allow(&shop, false);
        assert_eq!(guard.check(&shop, &shop), Ok(()));
        let local = url("http://127.0.0.1:18300/p");
        guard.allow(&local, false);
        assert!(matches!(
            guard.check(&local, &local),
            Err(Refusal::PrivateAddress { .. })
        ));
        guard.allow(&local, true);
        assert_eq!(guard.check(&local, &local), Ok(()));
        let other_port = url("http://127.0.0.1:18301/p");
        assert!(
            matches!(
                guard.check(&other_port, &other_port),
                Err(Refusal::PrivateAddress { .. })
            ),
            "the permission is the origin's, not the address's"
        );
    }

    #[test]
    fn a_redirect_is_checked_against_the_source_that_made_the_request() {
        let guard = HostGuard::new(false, false);
        let local = url("http://127.0.0.1:18300/p/1");
        guard.allow(&local, true);
        let public = url("https://supplier.example/p/1");
        guard.allow(&public, false);
        // Another source's permission does not carry a public source's redirect.
        assert!(matches!(
            guard.check(&local, &public),
            Err(Refusal::OtherOrigin { .. })
        ));
        // Nor the allowed source's own redirects to other ports, in any writing.
        for target in [
            "http://127.0.0.1:18301/internal",
            "http://2130706433:18301/",
            "http://0x7f000001:18301/",
            "http://0177.0.0.1:18301/",
            "http://127.1:18301/",
            "http://[::127.0.0.1]:18301/",
            "http://[::ffff:127.0.0.1]:18301/",
            "http://localhost:18300/",
            "http://169.254.169.254/latest/meta-data",
        ] {
            assert!(guard.check(&url(target), &local).is_err(), "{target}");
        }
        // Its redirects within its own origin are followed, in any writing of it.
        assert_eq!(
            guard.check(&url("http://2130706433:18300/p/2"), &local),
            Ok(())
        );
        // A userinfo trick names the host after the `@`; credentials are refused anyway.
        assert_eq!(
            guard.check(&url("http://127.0.0.1:18301@127.0.0.1:18300/p"), &local),
            Err(Refusal::Credentials)
        );
        assert!(guard
            .check(&url("http://127.0.0.1:18300@127.0.0.1:18301/p"), &local)
            .is_err());
    }

    #[test]
    fn a_name_allowed_private_addresses_on_one_port_is_refused_on_the_others() {
        let guard = HostGuard::new(false, false);
        let shop = url("http://shop.test:18300/");
        guard.allow(&shop, true);
        assert_eq!(guard.check(&shop, &shop), Ok(()));
        let elsewhere = url("http://shop.test:18301/");
        assert!(guard.check(&elsewhere, &elsewhere).is_err());
        assert!(guard.check(&elsewhere, &shop).is_err());
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_that_resolve_to_private_addresses() {
        use reqwest::dns::{Name, Resolve};
        let guard = Arc::new(HostGuard::new(false, false));
        let resolver = GuardedResolver(Arc::clone(&guard));
        let name: Name = "localhost".parse().expect("name");
        let refused = resolver.resolve(name).await.err().expect("refused");
        assert!(refused.to_string().contains("private"), "{refused}");
        guard.allow(&url("http://localhost:3000/"), true);
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
        guard.allow(&url("http://rebind.example/"), true);
        assert_eq!(
            guard.filter_addrs("rebind.example", vec![loopback]),
            Ok(vec![loopback])
        );
    }
}
