//! The mobile networks a customer can buy credit for, and each provider's code for them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A Thai mobile network (prepaid credit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Network {
    /// AIS (One-2-Call).
    Ais,
    /// dtac (Happy).
    Dtac,
    /// TrueMove H.
    TrueMove,
    /// my by NT (formerly CAT / TOT).
    My,
    /// Penguin SIM (an MVNO).
    Penguin,
    /// Feels (an MVNO).
    Feels,
}

/// A network name that Termdee does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown network {0:?} (expected ais, dtac, true_move, my, penguin or feels)")]
pub struct UnknownNetwork(pub String);

impl Network {
    /// Every network, in the order the screens show them.
    pub const ALL: [Network; 6] = [
        Network::Ais,
        Network::Dtac,
        Network::TrueMove,
        Network::My,
        Network::Penguin,
        Network::Feels,
    ];

    /// The stable code stored in the ledger and used in settings (`ais`, `true_move`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Network::Ais => "ais",
            Network::Dtac => "dtac",
            Network::TrueMove => "true_move",
            Network::My => "my",
            Network::Penguin => "penguin",
            Network::Feels => "feels",
        }
    }

    /// The name shown to customers.
    pub fn display_name(self) -> &'static str {
        match self {
            Network::Ais => "AIS",
            Network::Dtac => "dtac",
            Network::TrueMove => "TrueMove H",
            Network::My => "my by NT",
            Network::Penguin => "Penguin",
            Network::Feels => "Feels",
        }
    }

    /// wePAY's `pay_to_company` for prepaid credit (wepay.md §4.3), if wePAY sells it.
    pub fn wepay_company(self) -> Option<&'static str> {
        match self {
            Network::Ais => Some("12CALL"),
            Network::Dtac => Some("HAPPY"),
            Network::TrueMove => Some("TRMV"),
            Network::My => Some("MY"),
            Network::Penguin | Network::Feels => None,
        }
    }

    /// Easysoft's `network` number (easysoft.md §3.1): 1 AIS, 2 DTAC, 3 TRUE H, 5 MY, 6 FEELS,
    /// 7 PENGUIN (4, TOT 3G, is closed and folded into my by NT).
    pub fn easysoft_network(self) -> u8 {
        match self {
            Network::Ais => 1,
            Network::Dtac => 2,
            Network::TrueMove => 3,
            Network::My => 5,
            Network::Feels => 6,
            Network::Penguin => 7,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Network {
    type Err = UnknownNetwork;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Network::ALL
            .into_iter()
            .find(|n| n.code().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownNetwork(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_names_are_refused() {
        for network in Network::ALL {
            assert_eq!(network.code().parse::<Network>(), Ok(network));
        }
        assert_eq!("AIS".parse::<Network>(), Ok(Network::Ais));
        assert!("vodafone".parse::<Network>().is_err());
    }

    #[test]
    fn easysoft_numbers_are_distinct() {
        let mut numbers: Vec<u8> = Network::ALL.iter().map(|n| n.easysoft_network()).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), Network::ALL.len());
    }
}
