//! Running the team from the screens: people, sources and their keys, the follow-up policy and
//! the audit log. Admins change them; managers see the people and mark them away.

use crate::api::ApiError;
use crate::domain::policy_form::PolicyForm;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One person on the people screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonLine {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub active: bool,
    pub territory: String,
    pub monthly_quota: i64,
    /// Their own limit of open leads, or empty for the team's.
    pub capacity: String,
    /// "Away until 3 Dec", "Away from 1 Dec until 3 Dec", or empty.
    pub away: String,
    pub open_leads: i64,
    /// "Signed in 2 h ago", "Has not chosen a password yet", "Never signed in".
    pub last_seen: String,
}

/// The people screen: everyone, and whether the caller may change them (an admin) or only mark
/// them away (a manager).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub people: Vec<PersonLine>,
    pub can_edit: bool,
    /// The team's capacity per rep, for the placeholder of an empty capacity.
    pub team_capacity: u32,
}

/// A one-time link for a person to choose their password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub name: String,
    pub link: String,
    pub expires: String,
}

/// One source on the sources screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLine {
    pub id: String,
    pub name: String,
    pub cost: String,
    pub phone_country: String,
    pub thank_you_url: String,
    pub leads: i64,
    /// "Key in use", "Old key works until …", "Revoked 3 Dec".
    pub key_state: String,
    pub revoked: bool,
    pub last_lead: String,
    /// The HTML a website pastes to post its form here (`POST /f/{id}`).
    pub form_snippet: String,
}

/// A key, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewKey {
    pub source: String,
    pub key: String,
}

/// The policy screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyView {
    pub form: PolicyForm,
    pub can_edit: bool,
    /// The working hours and calling window in a sentence.
    pub summary: String,
    /// The team's currency ("USD").
    pub currency: String,
}

/// One territory on the territories screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerritoryLine {
    pub name: String,
    /// Each rule: its id and what it matches ("US · California", "source Trade show").
    pub rules: Vec<(String, String)>,
    /// Its active reps' names; empty: its leads go to the whole team.
    pub reps: Vec<String>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub id: String,
    pub when: String,
    pub who: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    /// The line's place, to ask for the page after it.
    pub cursor: String,
}

/// The kinds of action the audit log can be filtered by, with their labels.
pub const AUDIT_ACTIONS: [(&str, &str); 24] = [
    ("sign_in", "Signed in"),
    ("sign_in_failed", "Failed sign-in"),
    ("password_set", "Chose a password"),
    ("password_reset", "Password reset"),
    ("unlocked", "Sign-in unlocked"),
    ("sessions_ended", "Sessions ended"),
    ("user_added", "Person added"),
    ("user_changed", "Person changed"),
    ("role_changed", "Role changed"),
    ("away", "Marked away"),
    ("user_deactivated", "Switched off"),
    ("user_reactivated", "Switched on"),
    ("policy_changed", "Policy changed"),
    ("territory_changed", "Territory changed"),
    ("currency_changed", "Currency changed"),
    ("source_added", "Source added"),
    ("source_changed", "Source changed"),
    ("key_rotated", "Key rotated"),
    ("key_revoked", "Key revoked"),
    ("reassigned", "Reassigned"),
    ("closed", "Closed"),
    ("won", "Won"),
    ("reopened", "Closure reversed"),
    ("csv_export", "CSV export"),
];

/// The label of an audit action ("Key rotated"), or the action itself.
pub fn action_label(action: &str) -> &str {
    AUDIT_ACTIONS
        .iter()
        .find(|(code, _)| *code == action)
        .map_or(action, |(_, label)| label)
}

#[cfg(feature = "ssr")]
mod build {
    use super::*;
    use crate::domain::aging::short_age;
    use crate::server::store::{sources::SourceDetail, users::Person};
    use chrono::{DateTime, Utc};
    use chrono_tz::Tz;

    pub fn day(at: DateTime<Utc>, tz: Tz) -> String {
        at.with_timezone(&tz).format("%-d %b %Y").to_string()
    }

    pub fn moment(at: DateTime<Utc>, tz: Tz) -> String {
        at.with_timezone(&tz).format("%-d %b %Y %H:%M").to_string()
    }

    pub fn person(p: Person, now: DateTime<Utc>, tz: Tz) -> PersonLine {
        let away = match (p.away_from, p.away_until) {
            (Some(from), Some(until)) if until > now && from <= now => {
                format!("Away until {}", day(until, tz))
            }
            (Some(from), Some(until)) if until > now => {
                format!("Away from {} until {}", day(from, tz), day(until, tz))
            }
            _ => String::new(),
        };
        let last_seen = match (p.last_sign_in, p.link_pending) {
            (_, true) => "Has not chosen a password yet".to_string(),
            (Some(at), false) => format!("Signed in {} ago", short_age(now - at)),
            (None, false) => "Never signed in".to_string(),
        };
        PersonLine {
            id: p.id,
            name: p.name,
            email: p.email,
            role: p.role,
            active: p.active,
            territory: p.territory,
            monthly_quota: p.monthly_quota,
            capacity: p.capacity.map(|c| c.to_string()).unwrap_or_default(),
            away,
            open_leads: p.open,
            last_seen,
        }
    }

    pub fn source(s: SourceDetail, now: DateTime<Utc>, tz: Tz, origin: &str) -> SourceLine {
        let key_state = match (s.revoked_at, s.old_key_until) {
            (Some(at), _) => format!("Revoked {}", day(at, tz)),
            (None, Some(until)) if until > now => {
                format!(
                    "New key in use; the old key works until {}",
                    moment(until, tz)
                )
            }
            _ => "Key in use".to_string(),
        };
        let form_snippet = crate::domain::form_fields::snippet(&format!("{origin}/f/{}", s.id));
        SourceLine {
            id: s.id,
            name: s.name,
            cost: crate::domain::money::Money::from_cents(s.cost_cents)
                .map(|m| m.to_string())
                .unwrap_or_default(),
            phone_country: s.phone_country.unwrap_or_default(),
            thank_you_url: s.thank_you_url.unwrap_or_default(),
            leads: s.leads,
            revoked: s.revoked_at.is_some(),
            key_state,
            last_lead: s.last_lead_at.map_or_else(
                || "no leads yet".to_string(),
                |at| format!("last lead {} ago", short_age(now - at)),
            ),
            form_snippet,
        }
    }

    /// Where the people this server serves open it: the public URL, else this request's host.
    pub fn origin(state: &crate::server::state::AppState) -> String {
        if let Some(origin) = &state.config.public_origin {
            return origin.trim_end_matches('/').to_string();
        }
        let host = use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(http::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| state.leptos_options.site_addr.to_string());
        let scheme = if state.config.https { "https" } else { "http" };
        format!("{scheme}://{host}")
    }

    pub fn invitation(
        state: &crate::server::state::AppState,
        name: String,
        token: &str,
    ) -> Invitation {
        let expires =
            state.clock.now() + chrono::Duration::days(crate::server::services::team::LINK_DAYS);
        Invitation {
            name,
            link: format!("{}/welcome?token={token}", origin(state)),
            expires: moment(expires, state.config.timezone),
        }
    }

    /// The start of local day `text` (`YYYY-MM-DD`) in `tz`.
    pub fn local_day(field: &str, text: &str, tz: Tz) -> Result<DateTime<Utc>, ApiError> {
        use crate::domain::intake::FieldError;
        chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| {
                ApiError::Invalid(vec![FieldError::new(field, "is not a date (YYYY-MM-DD)")])
                    .respond()
            })
    }
}

/// Everyone on the team (admins and managers).
#[server(endpoint = "admin/people")]
pub async fn people() -> Result<TeamView, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::role::Role;
    use crate::server::services::team;
    let Ctx { user, state, .. } = Ctx::enter(Action::SeeTeam).await?;
    let now = state.clock.now();
    let tz = state.config.timezone;
    Ok(TeamView {
        people: team::people(&state.db, now)
            .await?
            .into_iter()
            .map(|p| build::person(p, now, tz))
            .collect(),
        can_edit: user.role == Role::Admin,
        team_capacity: state.policy.get().rep_capacity,
    })
}

/// Adds a person; answers the one-time link they choose their password with.
#[server(endpoint = "admin/person-add")]
pub async fn add_person(
    name: String,
    email: String,
    role: String,
    territory: String,
    monthly_quota: String,
    capacity: String,
) -> Result<Invitation, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::team::{self, PersonForm};
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    let form = PersonForm {
        name: &name,
        email: &email,
        role: &role,
        territory: &territory,
        monthly_quota: &monthly_quota,
        capacity: &capacity,
    };
    let (user, token) = team::invite(&state.db, state.clock.now(), &actor, form).await?;
    Ok(build::invitation(&state, user.name, &token))
}

/// Changes a person's name, role, territory, quota and capacity.
#[server(endpoint = "admin/person-edit")]
pub async fn edit_person(
    user_id: String,
    name: String,
    role: String,
    territory: String,
    monthly_quota: String,
    capacity: String,
) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::team::{self, PersonForm};
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    let form = PersonForm {
        name: &name,
        email: "",
        role: &role,
        territory: &territory,
        monthly_quota: &monthly_quota,
        capacity: &capacity,
    };
    team::edit(&state.db, state.clock.now(), &actor, &user_id, form).await?;
    Ok(())
}

/// Marks a person away from `from` until `until` (dates, `YYYY-MM-DD`; both empty: back now).
/// Admins and managers.
#[server(endpoint = "admin/person-away")]
pub async fn mark_away(user_id: String, from: String, until: String) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::team;
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::SeeTeam).await?;
    let tz = state.config.timezone;
    let now = state.clock.now();
    let away = if from.trim().is_empty() && until.trim().is_empty() {
        None
    } else {
        let from = if from.trim().is_empty() {
            now
        } else {
            build::local_day("from", &from, tz)?
        };
        // Away until the end of the day named.
        let until = build::local_day("until", &until, tz)? + chrono::Duration::days(1);
        Some((from, until))
    };
    team::mark_away(&state.db, now, &actor, &user_id, away).await?;
    Ok(())
}

/// Switches a person off; their open leads go to others. Answers how many moved.
#[server(endpoint = "admin/person-deactivate")]
pub async fn deactivate_person(user_id: String) -> Result<usize, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::team;
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    Ok(team::deactivate_user(
        &state.db,
        &state.policy.get(),
        state.clock.now(),
        &actor,
        &user_id,
        &state.live,
    )
    .await?)
}

/// Switches a person back on.
#[server(endpoint = "admin/person-reactivate")]
pub async fn reactivate_person(user_id: String) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::team;
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    team::reactivate(&state.db, state.clock.now(), &actor, &user_id).await?;
    Ok(())
}

/// Resets a person's password (every session of theirs ends); answers a new one-time link.
#[server(endpoint = "admin/person-reset")]
pub async fn reset_password(user_id: String) -> Result<Invitation, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::team;
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    let (name, token) =
        team::reset_password(&state.db, state.clock.now(), &actor, &user_id, &state.live).await?;
    Ok(build::invitation(&state, name, &token))
}

/// Unlocks a person's sign-in after too many failed attempts. Answers how many were forgiven.
#[server(endpoint = "admin/person-unlock")]
pub async fn unlock_person(user_id: String) -> Result<u64, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::team;
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    Ok(team::unlock(&state.db, state.clock.now(), &actor, &user_id).await?)
}

/// Ends every session of a person. Answers how many ended.
#[server(endpoint = "admin/person-end-sessions")]
pub async fn end_person_sessions(user_id: String) -> Result<usize, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::team;
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    Ok(team::end_sessions(&state.db, state.clock.now(), &actor, &user_id, &state.live).await?)
}

/// Every source.
#[server(endpoint = "admin/sources")]
pub async fn sources() -> Result<Vec<SourceLine>, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::sources;
    let Ctx { state, .. } = Ctx::enter(Action::RunTeam).await?;
    let now = state.clock.now();
    let origin = build::origin(&state);
    Ok(sources::list(&state.db)
        .await?
        .into_iter()
        .map(|s| build::source(s, now, state.config.timezone, &origin))
        .collect())
}

/// Adds a source; answers its key (shown once).
#[server(endpoint = "admin/source-add")]
pub async fn add_source(
    name: String,
    cost: String,
    phone_country: String,
    thank_you_url: String,
) -> Result<NewKey, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::sources::{self, SourceForm};
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    let form = SourceForm {
        name: &name,
        cost: &cost,
        phone_country: &phone_country,
        thank_you_url: &thank_you_url,
    };
    let (source, key) = sources::create(&state.db, state.clock.now(), &actor, form).await?;
    Ok(NewKey {
        source: source.name,
        key,
    })
}

/// Changes a source's cost, phone country and thank-you address.
#[server(endpoint = "admin/source-edit")]
pub async fn edit_source(
    source_id: String,
    cost: String,
    phone_country: String,
    thank_you_url: String,
) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::sources::{self, SourceForm};
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    let form = SourceForm {
        name: "",
        cost: &cost,
        phone_country: &phone_country,
        thank_you_url: &thank_you_url,
    };
    sources::update(&state.db, state.clock.now(), &actor, &source_id, form).await?;
    Ok(())
}

/// Gives a source a new key (shown once); the old one works `grace_hours` more.
#[server(endpoint = "admin/source-rotate")]
pub async fn rotate_key(source_id: String, grace_hours: String) -> Result<NewKey, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::sources;
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    let (source, key) = sources::rotate(
        &state.db,
        state.clock.now(),
        &actor,
        &source_id,
        &grace_hours,
    )
    .await?;
    Ok(NewKey { source, key })
}

/// Stops every key of a source at once.
#[server(endpoint = "admin/source-revoke")]
pub async fn revoke_source(source_id: String) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::sources;
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    sources::revoke(&state.db, state.clock.now(), &actor, &source_id).await?;
    Ok(())
}

/// The follow-up policy in force (admins and managers read it; admins change it).
#[server(endpoint = "admin/policy")]
pub async fn policy() -> Result<PolicyView, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::domain::role::Role;
    let Ctx { user, state, .. } = Ctx::enter(Action::SeeTeam).await?;
    let policy = state.policy.get();
    Ok(PolicyView {
        form: PolicyForm::of(&policy),
        can_edit: user.role == Role::Admin,
        summary: crate::server::services::policy::describe(&policy),
        currency: crate::server::services::policy::currency(&state.db).await?,
    })
}

/// Puts a changed follow-up policy in force. Fields arrive as `policy[first_contact]` …
#[server(endpoint = "admin/policy-save")]
pub async fn save_policy(policy: PolicyForm) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    let Ctx {
        user: actor, state, ..
    } = Ctx::enter(Action::RunTeam).await?;
    crate::server::services::policy::change(
        &state.db,
        &state.policy,
        state.clock.now(),
        &actor,
        &policy,
    )
    .await?;
    // Boards computed under the old policy are stale; open screens re-read.
    state.live.publish("", []);
    Ok(())
}

/// The territories, their rules and their reps.
#[server(endpoint = "admin/territories")]
pub async fn territories() -> Result<Vec<TerritoryLine>, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::territories;
    let Ctx { state, .. } = Ctx::enter(Action::RunTeam).await?;
    let (rules, reps) = territories::rules_and_reps(&state.db).await?;
    let mut lines: Vec<TerritoryLine> = Vec::new();
    for rule in rules {
        let what = match (&rule.source, &rule.country) {
            (Some(source), _) => format!("leads from the source {source}"),
            (None, Some(country)) => [
                Some(country.clone()),
                rule.region.clone(),
                rule.postcode_prefix
                    .as_ref()
                    .map(|p| format!("postcodes {p}…")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
            (None, None) => "nothing".to_string(),
        };
        match lines.iter_mut().find(|l| l.name == rule.territory) {
            Some(line) => line.rules.push((rule.id, what)),
            None => lines.push(TerritoryLine {
                name: rule.territory.clone(),
                rules: vec![(rule.id, what)],
                reps: Vec::new(),
            }),
        }
    }
    for line in &mut lines {
        line.reps = reps
            .iter()
            .filter(|(territory, _)| *territory == line.name)
            .map(|(_, name)| name.clone())
            .collect();
    }
    Ok(lines)
}

/// Adds rules to territory `name` (made if new): a country, narrowed to regions and postcode
/// prefixes (comma-separated), and sources by name (comma-separated).
#[server(endpoint = "admin/territory-add")]
pub async fn add_territory_rules(
    name: String,
    country: String,
    regions: String,
    postcodes: String,
    sources: String,
) -> Result<usize, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::territories::{self, Definition};
    let Ctx { user, state, now } = Ctx::enter(Action::RunTeam).await?;
    let list = |text: &str| -> Vec<String> {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (regions, postcodes, sources) = (list(&regions), list(&postcodes), list(&sources));
    let country = country.trim();
    let definition = Definition {
        country: (!country.is_empty()).then_some(country),
        regions: &regions,
        postcodes: &postcodes,
        sources: &sources,
    };
    Ok(territories::add_from_screen(&state.db, now, &user, &name, definition).await?)
}

/// Removes one territory rule.
#[server(endpoint = "admin/territory-remove")]
pub async fn remove_territory_rule(rule_id: String) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::territories;
    let Ctx { user, state, now } = Ctx::enter(Action::RunTeam).await?;
    territories::remove(&state.db, now, &user, &rule_id).await?;
    Ok(())
}

/// Sets the team's currency (three letters, such as EUR).
#[server(endpoint = "admin/currency-save")]
pub async fn save_currency(currency: String) -> Result<(), ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    let Ctx { user, state, now } = Ctx::enter(Action::RunTeam).await?;
    crate::server::services::policy::set_currency(&state.db, now, &user, &currency).await?;
    state.live.publish("", []);
    Ok(())
}

/// A page of the audit log, newest first: of one `action` (empty: all), by one person
/// (`who`, a user id; empty: all), after the line `after` (a cursor; empty: the newest).
#[server(endpoint = "admin/audit")]
pub async fn audit(action: String, who: String, after: String) -> Result<Vec<AuditLine>, ApiError> {
    use crate::api::context::Ctx;
    use crate::domain::access::Action;
    use crate::server::services::audit::{self, Filter};
    let Ctx { state, .. } = Ctx::enter(Action::RunTeam).await?;
    let action = action.trim();
    let action = AUDIT_ACTIONS
        .iter()
        .find(|(code, _)| *code == action)
        .map(|(code, _)| *code);
    let who = who.trim();
    let before = after.split_once('|').and_then(|(at, id)| {
        chrono::DateTime::parse_from_rfc3339(at)
            .ok()
            .map(|at| (at.with_timezone(&chrono::Utc), id))
    });
    let filter = Filter {
        action,
        actor_id: (!who.is_empty()).then_some(who),
        before,
    };
    let tz = state.config.timezone;
    Ok(audit::page(&state.db, &filter)
        .await?
        .into_iter()
        .map(|line| AuditLine {
            cursor: format!("{}|{}", line.at.to_rfc3339(), line.id),
            when: build::moment(line.at, tz),
            who: if line.who.is_empty() {
                "Leadline".to_string()
            } else {
                line.who
            },
            action: action_label(&line.action).to_string(),
            subject: line.subject,
            detail: line.detail,
            id: line.id,
        })
        .collect())
}
