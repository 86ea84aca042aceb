//! Name resolution for every client of a run, without glibc's `getaddrinfo`: `/etc/hosts`
//! first, then DNS with the name servers of `/etc/resolv.conf` (hickory). A static binary
//! cannot load the NSS modules `getaddrinfo` needs, so this is what lets it resolve names in
//! an empty root; every build resolves the same way. URLs holding an IP address never get here.

use hickory_resolver::config::LookupIpStrategy;
use hickory_resolver::proto::op::Query;
use hickory_resolver::proto::rr::{Name, RecordType};
use hickory_resolver::{Hosts, TokioResolver};
use reqwest::dns::{Addrs, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};

/// The resolver of one client. Its files are read on the first name looked up: a run that
/// only sends to IP addresses (most loopback runs) never reads them.
#[derive(Clone, Default)]
pub(super) struct Resolver {
    state: Arc<OnceLock<State>>,
}

struct State {
    hosts: Hosts,
    /// `None` when `/etc/resolv.conf` is missing or unreadable: names outside the hosts file
    /// then fail, rather than going to a public resolver nobody configured.
    dns: Option<TokioResolver>,
}

impl State {
    fn from_system() -> State {
        let dns = TokioResolver::builder_tokio().ok().and_then(|mut builder| {
            // Both families, for happy eyeballs: what the server listens on decides.
            builder.options_mut().ip_strategy = LookupIpStrategy::Ipv6AndIpv4;
            builder.build().ok()
        });
        State {
            hosts: Hosts::from_system().unwrap_or_default(),
            dns,
        }
    }

    /// The addresses the hosts file gives `name`, of either family. A name the file knows
    /// is answered by the file alone, as glibc's `files` source does: an IPv4-only entry does
    /// not wait on an IPv6 query to a name server.
    fn in_hosts(&self, name: &str) -> Vec<IpAddr> {
        let Ok(name) = Name::from_ascii(name) else {
            return Vec::new();
        };
        [RecordType::AAAA, RecordType::A]
            .into_iter()
            .filter_map(|kind| {
                self.hosts
                    .lookup_static_host(&Query::query(name.clone(), kind))
            })
            .flat_map(|lookup| {
                lookup
                    .answers()
                    .iter()
                    .filter_map(|r| r.data.ip_addr())
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

impl Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> Resolving {
        let state = self.state.clone();
        Box::pin(async move {
            let state = state.get_or_init(State::from_system);
            let mut found = state.in_hosts(name.as_str());
            if found.is_empty() {
                let Some(dns) = &state.dns else {
                    return Err("no name servers: /etc/resolv.conf is missing or unreadable".into());
                };
                // Said as text: a name server that does not answer is a name that could not
                // be resolved, not the request's --timeout running out.
                let lookup = dns.lookup_ip(name.as_str()).await;
                found = lookup.map_err(|e| e.to_string())?.iter().collect();
            }
            let addrs: Addrs = Box::new(found.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(hosts: &str) -> State {
        let mut parsed = Hosts::default();
        parsed.read_hosts_conf(hosts.as_bytes()).unwrap();
        State {
            hosts: parsed,
            dns: None,
        }
    }

    #[test]
    fn the_hosts_file_answers_with_every_family_it_lists() {
        let s = state("127.0.0.1 api.baton.test\n::1 both.test\n10.0.0.2 both.test\n");
        assert_eq!(
            s.in_hosts("api.baton.test"),
            ["127.0.0.1".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(
            s.in_hosts("both.test"),
            [
                "::1".parse::<IpAddr>().unwrap(),
                "10.0.0.2".parse().unwrap()
            ]
        );
        assert!(s.in_hosts("elsewhere.test").is_empty());
        assert!(s.in_hosts("not a name").is_empty());
    }

    #[tokio::test]
    async fn a_name_outside_the_hosts_file_without_name_servers_is_an_error() {
        let resolver = Resolver::default();
        let _ = resolver.state.set(state("127.0.0.1 api.baton.test\n"));
        let name: reqwest::dns::Name = "api.baton.test".parse().unwrap();
        let addrs: Vec<SocketAddr> = resolver.resolve(name).await.unwrap().collect();
        assert_eq!(addrs, ["127.0.0.1:0".parse().unwrap()]);
        let name: reqwest::dns::Name = "nowhere.baton.test".parse().unwrap();
        let error = resolver.resolve(name).await.err().unwrap().to_string();
        assert!(error.contains("/etc/resolv.conf"), "{error}");
    }
}
