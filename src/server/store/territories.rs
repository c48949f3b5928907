//! Territory rules, and the place each lead is in.

use crate::domain::territory::{Place, Rule};
use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqliteExecutor};

type RuleRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Country, region, postcode, source.
type PlaceRow = (Option<String>, Option<String>, Option<String>, String);

/// Every rule, oldest first.
pub async fn rules(db: impl SqliteExecutor<'_>) -> Result<Vec<Rule>, sqlx::Error> {
    let rows: Vec<RuleRow> = sqlx::query_as(
        "SELECT territory, country, region, postcode_prefix, source_id FROM territory_rules
         ORDER BY created_at, id",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(territory, country, region, postcode_prefix, source_id)| Rule {
                territory,
                country,
                region,
                postcode_prefix,
                source_id,
            },
        )
        .collect())
}

/// A rule as the territories screen lists it: its id and what it matches, in words.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RuleLine {
    pub id: String,
    pub territory: String,
    pub country: Option<String>,
    pub region: Option<String>,
    pub postcode_prefix: Option<String>,
    /// The source's name, for a source rule.
    pub source: Option<String>,
}

/// Every rule with its id, by territory.
pub async fn rule_lines(db: impl SqliteExecutor<'_>) -> Result<Vec<RuleLine>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id, r.territory, r.country, r.region, r.postcode_prefix, s.name AS source
         FROM territory_rules r LEFT JOIN sources s ON s.id = r.source_id
         ORDER BY r.territory, r.created_at, r.id",
    )
    .fetch_all(db)
    .await
}

/// Removes a rule; answers its territory, if there was such a rule.
pub async fn remove_rule(
    db: impl SqliteExecutor<'_>,
    id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("DELETE FROM territory_rules WHERE id = $1 RETURNING territory")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(territory,)| territory))
}

/// The active reps of each territory, by name: (territory, rep names).
pub async fn reps_by_territory(
    db: impl SqliteExecutor<'_>,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT territory, name FROM users WHERE role = 'rep' AND active ORDER BY territory, name",
    )
    .fetch_all(db)
    .await
}

pub async fn add_rule(
    db: impl SqliteExecutor<'_>,
    id: &str,
    rule: &Rule,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO territory_rules
            (id, territory, country, region, postcode_prefix, source_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(&rule.territory)
    .bind(&rule.country)
    .bind(&rule.region)
    .bind(&rule.postcode_prefix)
    .bind(&rule.source_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Records where the person is, keeping what the lead already knew.
pub async fn add_place(
    conn: &mut SqliteConnection,
    lead_id: &str,
    place: &Place,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE leads SET country = COALESCE(country, $2), region = COALESCE(region, $3),
            postcode = COALESCE(postcode, $4)
         WHERE id = $1",
    )
    .bind(lead_id)
    .bind(&place.country)
    .bind(&place.region)
    .bind(&place.postcode)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Where the person of a lead is, and the source it came from.
pub async fn place_of(
    conn: &mut SqliteConnection,
    lead_id: &str,
) -> Result<Option<(Place, String)>, sqlx::Error> {
    let row: Option<PlaceRow> =
        sqlx::query_as("SELECT country, region, postcode, source_id FROM leads WHERE id = $1")
            .bind(lead_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|(country, region, postcode, source)| {
        (
            Place {
                country,
                region,
                postcode,
            },
            source,
        )
    }))
}

/// Each territory with its rules described and its reps' emails.
pub async fn overview(
    db: impl SqliteExecutor<'_>,
) -> Result<Vec<(String, Vec<String>)>, sqlx::Error> {
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT t.territory, group_concat(u.email, ', ') FROM
            (SELECT DISTINCT territory FROM territory_rules) t
         LEFT JOIN users u ON u.territory = t.territory AND u.role = 'rep' AND u.active
         GROUP BY t.territory ORDER BY t.territory",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, reps)| {
            (
                name,
                reps.map(|r| r.split(", ").map(str::to_string).collect())
                    .unwrap_or_default(),
            )
        })
        .collect())
}
