//! Routing: which top-up provider sells a network now, and how often to ask for a result.
//!
//! Per network, an ordered list of providers (settings). A provider is skipped while it is
//! offline for the network (Easysoft `online=1`), when its last known balance is below the
//! amount, or while it is "failing" (several unknown outcomes in a row opens a short circuit).
//! Routing only ever picks a provider for a sale with no unsettled top-up: the ledger refuses a
//! second live attempt, so a sale whose outcome is unknown is never failed over.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use termdee_domain::{Network, Satang, UnixMillis};
use termdee_providers::{CatalogueEntry, NetworkAvailability};

use super::ports::TopupPort;

/// Which providers sell which network, in order of preference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routing {
    /// Network code → provider names (`wepay`, `easysoft`).
    pub routes: BTreeMap<Network, Vec<String>>,
}

impl Default for Routing {
    /// wePAY first (it deduplicates on our key, so its unknown outcomes settle themselves),
    /// Easysoft second; Penguin and Feels only through Easysoft.
    fn default() -> Self {
        let both = vec!["wepay".to_owned(), "easysoft".to_owned()];
        let mut routes = BTreeMap::new();
        for network in Network::ALL {
            let list = if network.wepay_company().is_some() {
                both.clone()
            } else {
                vec!["easysoft".to_owned()]
            };
            routes.insert(network, list);
        }
        Routing { routes }
    }
}

impl Routing {
    /// The providers for a network, in order.
    pub fn providers_for(&self, network: Network) -> &[String] {
        self.routes.get(&network).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// When to ask for a top-up's result: `first`, then doubling up to `max`, at most `max_checks`
/// times before a person is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backoff {
    /// Wait before the first status query (ms).
    pub first_ms: i64,
    /// Longest wait between queries (ms).
    pub max_ms: i64,
    /// Queries before giving the sale to a person.
    pub max_checks: i64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first_ms: 5_000,
            max_ms: 60_000,
            max_checks: 60,
        }
    }
}

impl Backoff {
    /// The wait before query number `checks` (0-based), in ms.
    pub fn delay(&self, checks: i64) -> i64 {
        let shift = u32::try_from(checks.clamp(0, 20)).unwrap_or(20);
        self.first_ms
            .saturating_mul(1_i64 << shift)
            .min(self.max_ms)
            .max(1)
    }

    /// A fast schedule for tests and the soak.
    pub fn fast() -> Self {
        Backoff {
            first_ms: 5,
            max_ms: 40,
            max_checks: 200,
        }
    }
}

/// Production schedules: Easysoft's result comes at least 10 s after a refill (easysoft.md §4),
/// wePAY's within seconds (wepay.md §5).
pub fn default_backoff() -> BTreeMap<String, Backoff> {
    BTreeMap::from([
        (
            "wepay".to_owned(),
            Backoff {
                first_ms: 3_000,
                max_ms: 60_000,
                max_checks: 90,
            },
        ),
        (
            "easysoft".to_owned(),
            Backoff {
                first_ms: 10_000,
                max_ms: 120_000,
                max_checks: 60,
            },
        ),
    ])
}

/// Unknown outcomes in a row that open the circuit.
const FAILURES_TO_OPEN: u32 = 3;
/// How long an open circuit (or an out-of-balance mark) keeps a provider out of routing.
const SKIP_FOR_MS: i64 = 60_000;

/// One provider's catalogue entry for a product, and whether it can sell it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProductOffer {
    pub(crate) denominations: Vec<Satang>,
    pub(crate) min: Option<Satang>,
    pub(crate) max: Option<Satang>,
    pub(crate) usable: bool,
}

#[derive(Debug, Default)]
struct ProviderView {
    catalogue: Option<Vec<CatalogueEntry>>,
    networks: Option<Vec<NetworkAvailability>>,
    balance: Option<Satang>,
    failures_in_a_row: u32,
    skip_until: Option<UnixMillis>,
}

/// What the engine has learnt about each provider lately.
#[derive(Debug, Default)]
pub struct Health {
    providers: Mutex<HashMap<String, ProviderView>>,
}

impl Health {
    fn with<T>(&self, name: &str, f: impl FnOnce(&mut ProviderView) -> T) -> T {
        let mut providers = self
            .providers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(providers.entry(name.to_owned()).or_default())
    }

    pub(crate) fn set_catalogue(&self, name: &str, entries: Vec<CatalogueEntry>) {
        self.with(name, |v| v.catalogue = Some(entries));
    }

    pub(crate) fn set_networks(&self, name: &str, networks: Vec<NetworkAvailability>) {
        self.with(name, |v| v.networks = Some(networks));
    }

    /// Whether the catalogue (if read) lists this amount for the product. With no catalogue read
    /// yet, only whole baht is assumed sellable.
    pub(crate) fn catalogue_allows(&self, name: &str, product: &str, amount: Satang) -> bool {
        self.with(name, |v| match &v.catalogue {
            None => amount.is_whole_baht(),
            Some(entries) => entries.iter().any(|entry| {
                entry.product == product
                    && if entry.denominations.is_empty() {
                        amount.is_whole_baht()
                            && entry.min.is_none_or(|min| amount >= min)
                            && entry.max.is_none_or(|max| amount <= max)
                    } else {
                        entry.denominations.contains(&amount)
                    }
            }),
        })
    }

    /// What the catalogue says of a product: its denominations, min, max, and whether the
    /// provider is usable for it now (not skipped, not offline). `None` when the catalogue has
    /// not been read or does not list the product.
    pub(crate) fn product_offer(
        &self,
        name: &str,
        product: &str,
        now: UnixMillis,
    ) -> Option<ProductOffer> {
        self.with(name, |v| {
            let entry = v
                .catalogue
                .as_ref()?
                .iter()
                .find(|entry| entry.product == product)?
                .clone();
            let skipping = v.skip_until.is_some_and(|until| now < until);
            let offline = v.networks.as_ref().is_some_and(|networks| {
                networks
                    .iter()
                    .any(|n| n.product == product && n.available == Some(false))
            });
            Some(ProductOffer {
                denominations: entry.denominations,
                min: entry.min,
                max: entry.max,
                usable: !skipping && !offline,
            })
        })
    }

    pub(crate) fn note_success(&self, name: &str, balance_after: Option<Satang>) {
        self.with(name, |v| {
            v.failures_in_a_row = 0;
            v.skip_until = None;
            if balance_after.is_some() {
                v.balance = balance_after;
            }
        });
    }

    pub(crate) fn note_failure(&self, name: &str, now: UnixMillis) {
        self.with(name, |v| {
            v.failures_in_a_row += 1;
            if v.failures_in_a_row >= FAILURES_TO_OPEN {
                v.skip_until = Some(now + SKIP_FOR_MS);
                v.failures_in_a_row = 0;
            }
        });
    }

    pub(crate) fn note_out_of_balance(&self, name: &str, now: UnixMillis) {
        self.with(name, |v| {
            v.balance = Some(Satang::ZERO);
            v.skip_until = Some(now + SKIP_FOR_MS);
        });
    }

    /// Whether `port` may take a sale of `amount` for `product` now. Reads the balance when none
    /// is known (a failed read counts as a failure, not as "no money").
    pub(crate) async fn usable(
        &self,
        port: &dyn TopupPort,
        product: &str,
        amount: Satang,
        now: UnixMillis,
    ) -> bool {
        let name = port.name();
        let (skipping, offline, balance) = self.with(name, |v| {
            let skipping = v.skip_until.is_some_and(|until| now < until);
            let offline = v.networks.as_ref().is_some_and(|networks| {
                networks
                    .iter()
                    .any(|n| n.product == product && n.available == Some(false))
            });
            (skipping, offline, v.balance)
        });
        if skipping || offline || !self.catalogue_allows(name, product, amount) {
            return false;
        }
        let balance = match balance {
            Some(balance) => balance,
            None => match port.balance().await {
                Ok(balance) => {
                    self.with(name, |v| v.balance = Some(balance.available));
                    balance.available
                }
                Err(_) => {
                    self.note_failure(name, now);
                    return true;
                }
            },
        };
        if balance < amount {
            // Read again next time: the owner may have topped the wallet up.
            self.with(name, |v| v.balance = None);
            return false;
        }
        // Keep a local running balance until the provider tells us the real one.
        self.with(name, |v| {
            v.balance = Some(Satang::new(balance.as_satang() - amount.as_satang()))
        });
        true
    }
}

/// Convenience for settings screens: a routing table from `(network, [providers])` pairs.
pub fn routing_from(pairs: &[(Network, &[&str])]) -> Routing {
    Routing {
        routes: pairs
            .iter()
            .map(|(network, names)| (*network, names.iter().map(|s| (*s).to_owned()).collect()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let backoff = Backoff {
            first_ms: 10_000,
            max_ms: 60_000,
            max_checks: 5,
        };
        let delays: Vec<i64> = (0..5).map(|n| backoff.delay(n)).collect();
        assert_eq!(delays, vec![10_000, 20_000, 40_000, 60_000, 60_000]);
    }

    #[test]
    fn default_routes_send_mvnos_to_easysoft_only() {
        let routing = Routing::default();
        assert_eq!(routing.providers_for(Network::Penguin), ["easysoft"]);
        assert_eq!(routing.providers_for(Network::Ais), ["wepay", "easysoft"]);
    }
}
