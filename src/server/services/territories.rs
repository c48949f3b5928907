//! Territories: rules that say which reps a lead is offered to first (from the admin screen or
//! the command line). A rep works the territory their profile names.

use super::ServiceError;
use crate::domain::role::Role;
use crate::domain::territory::Rule;
use crate::server::store::{self, sources, territories, users};
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

/// What a territory is made of: places and sources.
#[derive(Debug, Clone, Default)]
pub struct Definition<'a> {
    pub country: Option<&'a str>,
    pub regions: &'a [String],
    pub postcodes: &'a [String],
    pub sources: &'a [String],
}

/// Adds rules to territory `name` (creating it): the country alone, or narrowed to each region
/// and each postcode prefix; and each source by name. Returns how many rules were added.
pub async fn add(
    db: &SqlitePool,
    now: DateTime<Utc>,
    name: &str,
    definition: Definition<'_>,
) -> Result<usize, ServiceError> {
    let invalid =
        |e: crate::domain::territory::RuleError| ServiceError::invalid("territory", e.to_string());
    let mut rules = Vec::new();
    let country = definition.country.unwrap_or_default();
    if definition.regions.is_empty() && definition.postcodes.is_empty() {
        if !country.trim().is_empty() {
            rules.push(Rule::place(name, country, None, None).map_err(invalid)?);
        }
    } else {
        for region in definition.regions {
            rules.push(Rule::place(name, country, Some(region), None).map_err(invalid)?);
        }
        for prefix in definition.postcodes {
            rules.push(Rule::place(name, country, None, Some(prefix)).map_err(invalid)?);
        }
    }
    for source in definition.sources {
        let found = sources::find_by_name(db, source.trim())
            .await?
            .ok_or_else(|| {
                ServiceError::invalid("source", format!("'{source}' is not a source"))
            })?;
        rules.push(Rule {
            territory: name.trim().to_string(),
            country: None,
            region: None,
            postcode_prefix: None,
            source_id: Some(found.id),
        });
    }
    if rules.is_empty() {
        return Err(invalid(crate::domain::territory::RuleError::Empty));
    }
    let mut tx = store::begin_write(db).await?;
    for rule in &rules {
        territories::add_rule(&mut *tx, &store::new_id(), rule, now).await?;
    }
    tx.commit().await?;
    Ok(rules.len())
}

/// Every rule with its id, and the active reps of each territory.
pub async fn rules_and_reps(
    db: &SqlitePool,
) -> Result<(Vec<territories::RuleLine>, Vec<(String, String)>), ServiceError> {
    Ok((
        territories::rule_lines(db).await?,
        territories::reps_by_territory(db).await?,
    ))
}

/// Adds rules from the admin screen, with an audit entry.
pub async fn add_from_screen(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &crate::domain::role::User,
    name: &str,
    definition: Definition<'_>,
) -> Result<usize, ServiceError> {
    let name = crate::domain::text::clean_name(name);
    let added = add(db, now, &name, definition).await?;
    store::audit::record(
        db,
        store::audit::Entry {
            at: now,
            actor_id: Some(&actor.id),
            action: "territory_changed",
            subject: &name,
            detail: &format!("{added} rule(s) added"),
        },
    )
    .await?;
    Ok(added)
}

/// Removes a rule, with an audit entry.
pub async fn remove(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &crate::domain::role::User,
    rule_id: &str,
) -> Result<(), ServiceError> {
    let mut tx = store::begin_write(db).await?;
    let territory = territories::remove_rule(&mut *tx, rule_id.trim())
        .await?
        .ok_or(ServiceError::NotFound)?;
    store::audit::record(
        &mut *tx,
        store::audit::Entry {
            at: now,
            actor_id: Some(&actor.id),
            action: "territory_changed",
            subject: &territory,
            detail: "a rule removed",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Makes the rep with `email` a member of territory `name` (a rep works one territory).
pub async fn join(db: &SqlitePool, name: &str, email: &str) -> Result<(), ServiceError> {
    let user = users::find_by_email(db, &email.trim().to_lowercase())
        .await?
        .filter(|u| u.role == Role::Rep)
        .ok_or_else(|| ServiceError::invalid("email", format!("{email} is not a rep")))?;
    let name = name.trim();
    if !territories::rules(db)
        .await?
        .iter()
        .any(|rule| rule.territory == name)
    {
        return Err(ServiceError::invalid(
            "territory",
            format!("there is no territory '{name}' (add it first with `territory add`)"),
        ));
    }
    users::set_territory_only(db, &user.id, name).await?;
    Ok(())
}

/// Each territory and its active reps, as lines to print.
pub async fn describe(db: &SqlitePool) -> Result<Vec<String>, ServiceError> {
    Ok(territories::overview(db)
        .await?
        .into_iter()
        .map(|(name, reps)| {
            if reps.is_empty() {
                format!("{name}: no active reps (its leads go to the whole team)")
            } else {
                format!("{name}: {}", reps.join(", "))
            }
        })
        .collect())
}
