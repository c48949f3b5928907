//! Who a user is to Leadline, and the home screen each role lands on.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The five kinds of people who use Leadline (PRODUCT.md, "Users").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Rep,
    Marketing,
    Manager,
    Qualifier,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Rep,
        Role::Marketing,
        Role::Manager,
        Role::Qualifier,
        Role::Admin,
    ];

    /// The stored and typed name of the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Rep => "rep",
            Role::Marketing => "marketing",
            Role::Manager => "manager",
            Role::Qualifier => "qualifier",
            Role::Admin => "admin",
        }
    }

    /// The path of the screen this role works from.
    pub fn home_path(self) -> &'static str {
        match self {
            Role::Rep | Role::Qualifier => "/queue",
            Role::Marketing => "/nurture",
            Role::Manager | Role::Admin => "/board",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A signed-in person, as every layer sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// The text named no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}': use one of rep, marketing, manager, qualifier, admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_back_from_its_own_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
    }

    #[test]
    fn an_unknown_role_is_refused_with_the_valid_choices() {
        let err = "boss".parse::<Role>().unwrap_err();
        assert!(err.to_string().contains("rep, marketing"));
    }

    #[test]
    fn reps_land_on_their_queue_and_managers_on_the_board() {
        assert_eq!(Role::Rep.home_path(), "/queue");
        assert_eq!(Role::Manager.home_path(), "/board");
        assert_eq!(Role::Marketing.home_path(), "/nurture");
    }
}
