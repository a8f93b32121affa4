//! `--trusted-proxies`: behind a load balancer, the client is the one its `X-Forwarded-For`
//! names and its connection is what `X-Forwarded-Proto` says, but only when the request
//! comes from a proxy the operator named. Anyone else can write those headers, so from
//! anyone else they are ignored (they would forge `aws:SourceIp` and `aws:SecureTransport`).

use std::net::{IpAddr, SocketAddr};

use http::HeaderMap;

use crate::config::TrustedProxies;
use crate::observe::Peer;

impl TrustedProxies {
    /// The request's peer as the client is: `socket` itself unless it is a trusted proxy.
    /// The client is the right-most `X-Forwarded-For` entry that is not itself a trusted
    /// proxy (entries to its left are the client's to write, so never believed).
    pub fn peer(&self, socket: Peer, headers: &HeaderMap) -> Peer {
        let Some(proxy) = socket.addr.filter(|a| self.trusts(a.ip())) else {
            return socket;
        };
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = proxy.ip();
        for entry in forwarded.iter().rev() {
            let Some(ip) = parse_hop(entry) else {
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        let https = headers
            .get_all("x-forwarded-proto")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
        Peer {
            addr: Some(SocketAddr::new(client, 0)),
            proxy: Some(proxy),
            forwarded_https: https,
            ..socket
        }
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`[v6]:port`, `v4:port`).
fn parse_hop(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(addr: &str) -> Peer {
        Peer {
            addr: Some(addr.parse().unwrap()),
            ..Default::default()
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(*n, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_a_trusted_proxy_is_believed_and_only_its_own_hop() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.0.2.7").unwrap();
        let via = headers(&[
            ("x-forwarded-for", "6.6.6.6, 203.0.113.9"),
            ("x-forwarded-for", "10.1.1.1"),
            ("x-forwarded-proto", "https"),
        ]);
        // Through two trusted hops: the client is the first untrusted from the right.
        let p = trusted.peer(peer("192.0.2.7:4000"), &via);
        assert_eq!(p.addr, Some("203.0.113.9:0".parse().unwrap()));
        assert_eq!(p.proxy, Some("192.0.2.7:4000".parse().unwrap()));
        assert!(p.forwarded_https && p.is_secure());
        // The same headers from anyone else: ignored.
        let p = trusted.peer(peer("198.51.100.1:4000"), &via);
        assert_eq!(p, peer("198.51.100.1:4000"));
        assert!(!p.is_secure());
        // No proxies configured: nothing believed.
        let p = TrustedProxies::default().peer(peer("10.0.0.1:1"), &via);
        assert_eq!(p, peer("10.0.0.1:1"));
        // Garbage stops the walk at the last good hop; ports and IPv6 are read.
        let odd = headers(&[
            ("x-forwarded-for", "nonsense, [2001:db8::1]:443"),
            ("x-forwarded-proto", "http"),
        ]);
        let p = trusted.peer(peer("10.9.9.9:1"), &odd);
        assert_eq!(p.addr, Some("[2001:db8::1]:0".parse().unwrap()));
        assert!(!p.forwarded_https);
        let garbage = headers(&[("x-forwarded-for", "not-an-ip")]);
        let p = trusted.peer(peer("10.9.9.9:1"), &garbage);
        assert_eq!(p.addr, Some("10.9.9.9:0".parse().unwrap()));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
    }
}
