//! The address of the client a request is from, behind the proxies the server trusts.
//!
//! Behind nginx or a CDN every request comes from the proxy's address. The proxy says whom it
//! forwards for in `X-Forwarded-For` or `Forwarded` (RFC 7239, `for=`), but anyone can send
//! those headers, so they count only when the TCP peer is a trusted proxy; the list is then
//! read from the right (the hop the peer saw), skipping the trusted proxies, and the first
//! address that is not one is the client. Without trusted proxies the headers are ignored.

use std::net::{IpAddr, SocketAddr};

use axum::http::{header, HeaderMap};
use ipnet::IpNet;

/// The networks whose requests may say whom they forward for.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

/// A trusted proxy as given on the command line: a network (`10.0.0.0/8`, `2001:db8::/32`) or
/// one address (`127.0.0.1`).
pub fn parse_proxy(s: &str) -> Result<IpNet, ipnet::AddrParseError> {
    let s = s.trim();
    match s.parse::<IpAddr>() {
        Ok(ip) => Ok(IpNet::from(ip.to_canonical())),
        Err(_) => s.parse::<IpNet>().map(|n| n.trunc()),
    }
}

impl TrustedProxies {
    /// Trusts the proxies in `nets`.
    pub fn new(nets: Vec<IpNet>) -> TrustedProxies {
        TrustedProxies(nets)
    }

    /// Whether `ip` is a trusted proxy.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client of a request from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        for hop in forwarded_for(headers).into_iter().rev() {
            match hop {
                Some(ip) => {
                    client = ip.to_canonical();
                    if !self.contains(client) {
                        return client;
                    }
                }
                // A hop that is hidden (`unknown`, `_obfuscated`) or garbled: the last trusted
                // proxy stands for it, so its clients share one limit rather than choosing one.
                None => return client,
            }
        }
        client
    }
}

/// The addresses a request was forwarded for, the client first: `X-Forwarded-For` (what nginx,
/// HAProxy and CDNs append to), or else `Forwarded`. `None` for a hop that gives no address.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
    };
    let xff = values(header::HeaderName::from_static("x-forwarded-for"));
    if !xff.is_empty() {
        return xff
            .into_iter()
            .flat_map(|v| match v {
                Some(v) => v.split(',').map(node).collect(),
                None => vec![None],
            })
            .collect();
    }
    values(header::FORWARDED)
        .into_iter()
        .flat_map(|v| match v {
            Some(v) => v.split(',').map(forwarded_element).collect(),
            None => vec![None],
        })
        .collect()
}

/// The `for=` of one element of `Forwarded` (`for=192.0.2.60;proto=http;by=203.0.113.43`).
fn forwarded_element(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| node(value))?
    })
}

/// An address with or without its port: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711`, quoted or not.
fn node(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Some(sa.ip());
    }
    s.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn trusted(nets: &[&str]) -> TrustedProxies {
        TrustedProxies::new(nets.iter().map(|n| parse_proxy(n).unwrap()).collect())
    }

    #[test]
    fn proxies_as_given() {
        assert_eq!(
            parse_proxy("10.1.2.3/8").unwrap(),
            "10.0.0.0/8".parse().unwrap()
        );
        assert_eq!(
            parse_proxy("127.0.0.1").unwrap(),
            "127.0.0.1/32".parse().unwrap()
        );
        assert_eq!(
            parse_proxy("::ffff:127.0.0.1").unwrap(),
            "127.0.0.1/32".parse().unwrap()
        );
        assert!(parse_proxy("2001:db8::/32").is_ok());
        assert!(parse_proxy("10.0.0.0/33").is_err());
        assert!(parse_proxy("nginx").is_err());
    }

    #[test]
    fn headers_count_only_from_a_trusted_peer() {
        let t = trusted(&["10.0.0.0/8"]);
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(t.client(ip("198.51.100.1"), &h), ip("198.51.100.1"));
        assert_eq!(t.client(ip("10.0.0.2"), &h), ip("203.0.113.9"));
        assert_eq!(
            TrustedProxies::default().client(ip("10.0.0.2"), &h),
            ip("10.0.0.2"),
            "no trusted proxy: the peer"
        );
        assert_eq!(
            t.client(ip("::ffff:10.0.0.2"), &h),
            ip("203.0.113.9"),
            "an IPv4 peer on an IPv6 socket"
        );
        assert_eq!(
            t.client(ip("10.0.0.2"), &HeaderMap::new()),
            ip("10.0.0.2"),
            "a trusted peer that says nothing is the client"
        );
    }

    #[test]
    fn the_chain_is_read_from_the_right() {
        let t = trusted(&["10.0.0.0/8", "2001:db8::/32"]);
        // The client made up the first address; the proxies appended the rest.
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4, 203.0.113.9"),
            ("x-forwarded-for", "10.0.0.7:4711"),
        ]);
        assert_eq!(t.client(ip("10.0.0.2"), &h), ip("203.0.113.9"));
        let h = headers(&[("x-forwarded-for", "10.0.0.9, 10.0.0.8")]);
        assert_eq!(
            t.client(ip("10.0.0.2"), &h),
            ip("10.0.0.9"),
            "all trusted: the first"
        );
        let h = headers(&[("x-forwarded-for", "203.0.113.9, unknown, 10.0.0.8")]);
        assert_eq!(
            t.client(ip("10.0.0.2"), &h),
            ip("10.0.0.8"),
            "a hidden hop: the proxy that saw it"
        );
        let h = headers(&[(
            "forwarded",
            "for=1.2.3.4, for=\"[2001:db8:cafe::17]:4711\";proto=https, For=198.51.100.3;by=10.0.0.1",
        )]);
        assert_eq!(t.client(ip("10.0.0.2"), &h), ip("198.51.100.3"));
        let h = headers(&[("forwarded", "for=198.51.100.3, for=\"[2001:db8::1]\"")]);
        assert_eq!(t.client(ip("2001:db8::2"), &h), ip("198.51.100.3"));
        let h = headers(&[("forwarded", "for=_hidden, for=10.0.0.3")]);
        assert_eq!(t.client(ip("10.0.0.2"), &h), ip("10.0.0.3"));
        let h = headers(&[
            ("forwarded", "for=1.2.3.4"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(
            t.client(ip("10.0.0.2"), &h),
            ip("203.0.113.9"),
            "X-Forwarded-For first"
        );
    }
}
