//! Demo data: a small team and a few dozen leads of varied ages, stages and segments, so a new
//! user sees a working pipeline on first run.

use super::{accounts, intake, lifecycle, sources, touches, ServiceError};
use crate::domain::cadence::Policy;
use crate::domain::intake::{check, RawInquiry};
use crate::domain::lead::{self, Closure, DeadReason};
use crate::domain::money::Money;
use crate::domain::role::Role;
use crate::domain::touch::{CallOutcome, Touch};
use crate::server::passwords::Passwords;
use crate::server::store::leads;
use crate::server::store::{self, users};
use chrono::{DateTime, Duration, Utc};
use sqlx::SqlitePool;

/// Every demo user signs in with this password.
pub const DEMO_PASSWORD: &str = "leadline-demo";

/// The demo team: (role, email, name).
pub const TEAM: [(Role, &str, &str); 7] = [
    (Role::Rep, "rita@leadline.demo", "Rita Alvarez"),
    (Role::Rep, "raj@leadline.demo", "Raj Patel"),
    (Role::Rep, "rosa@leadline.demo", "Rosa Chen"),
    (Role::Marketing, "maya@leadline.demo", "Maya Brooks"),
    (Role::Manager, "max@leadline.demo", "Max Keller"),
    (Role::Qualifier, "quinn@leadline.demo", "Quinn Doyle"),
    (Role::Admin, "ada@leadline.demo", "Ada Novak"),
];

/// What loading the demo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    /// Loaded now: this many leads.
    Fresh { leads: usize, web_form_key: String },
    /// The demo team was already there; nothing changed.
    AlreadyThere,
}

const FIRST: [&str; 12] = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sofia", "Lucas", "Mia", "Ethan", "Zoe",
    "Omar",
];
const LAST: [&str; 9] = [
    "Nguyen", "Smith", "Garcia", "Kowalski", "Okafor", "Larsen", "Rossi", "Haddad", "Moreau",
];
const COMPANIES: [&str; 8] = [
    "Northwind Traders",
    "Bluebird Dental",
    "Harbor Logistics",
    "Summit Roofing",
    "Cedar Analytics",
    "Orchid Spa",
    "Keystone Builders",
    "",
];
const TIMEFRAMES: [&str; 5] = [
    "now",
    "within 3 months",
    "3-6 months",
    "6-12 months",
    "just researching",
];
/// Ages of the demo leads, from minutes to over a year.
const AGES_MINUTES: [i64; 12] = [
    2,
    12,
    45,
    3 * 60,
    20 * 60,
    3 * 24 * 60,
    12 * 24 * 60,
    25 * 24 * 60,
    50 * 24 * 60,
    120 * 24 * 60,
    250 * 24 * 60,
    420 * 24 * 60,
];

/// Loads the demo team and leads, unless the demo team is already there.
pub async fn load(
    db: &SqlitePool,
    passwords: &Passwords,
    policy: &Policy,
    phone_region: &str,
    now: DateTime<Utc>,
) -> Result<Loaded, ServiceError> {
    if users::find_by_email(db, TEAM[0].1).await?.is_some() {
        return Ok(Loaded::AlreadyThere);
    }
    let mut team = Vec::new();
    for (role, email, name) in TEAM {
        team.push(accounts::add_user(db, passwords, now, role, email, name, DEMO_PASSWORD).await?);
    }
    // Two territories, so the capacity board has something to compare.
    for (user, territory) in team.iter().zip(["North", "North", "South"]) {
        users::set_territory(db, &user.id, territory, 4).await?;
    }
    let (web_form, web_form_key) = sources::add_source(db, now, "Website form").await?;
    let (trade_show, _) = sources::add_source(db, now, "Trade show 2026").await?;
    sources::set_cost(db, &web_form.id, "3,000").await?;
    sources::set_cost(db, &trade_show.id, "12,000").await?;

    let count = 36;
    // Oldest first, so round robin and history read in time order.
    let mut plan: Vec<(usize, i64)> = (0..count)
        .map(|i| (i, AGES_MINUTES[i % AGES_MINUTES.len()] + i as i64))
        .collect();
    plan.sort_by_key(|(_, age)| -age);

    let mut tx = store::begin_write(db).await?;
    // One person the cadence could not reach writes in again: the lead turns hot.
    let mut asks_again = None;
    for (i, age) in plan {
        let received = now - Duration::minutes(age);
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i * 7) % LAST.len()];
        let company = COMPANIES[i % COMPANIES.len()];
        let email = if i % 3 == 0 {
            format!(
                "{}.{}{}@gmail.com",
                first.to_lowercase(),
                last.to_lowercase(),
                i
            )
        } else if company.is_empty() {
            String::new()
        } else {
            let domain: String = company
                .to_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            format!("{}{}@{domain}.com", first.to_lowercase(), i)
        };
        let phone = if i % 4 == 3 && !email.is_empty() {
            String::new()
        } else {
            format!("+1 415 555 {:04}", 100 + i)
        };
        let raw = RawInquiry {
            name: Some(format!("{first} {last}")),
            email: Some(email),
            phone: Some(phone),
            company: Some(company.to_string()),
            message: Some(format!(
                "Interested in a quote for {} seats.",
                5 + (i * 3) % 40
            )),
            timeframe: Some(TIMEFRAMES[i % TIMEFRAMES.len()].to_string()),
            ..RawInquiry::default()
        };
        let inquiry = check(raw, phone_region).map_err(ServiceError::Invalid)?;
        if i == 8 {
            asks_again = Some(inquiry.clone());
        }
        let source = if i % 5 == 4 { &trade_show } else { &web_form };
        let accepted = intake::admit(&mut tx, policy, received, &source.id, &inquiry).await?;

        let Some(rep) = accepted
            .owner
            .id
            .as_ref()
            .and_then(|id| team.iter().find(|u| &u.id == id))
        else {
            continue;
        };
        let demo_touches = demo_touches(i, age);
        let talked = demo_touches.iter().any(|(_, t)| t.is_conversation());
        let last = demo_touches.last().map(|(offset, _)| *offset);
        for (offset, touch) in demo_touches {
            touches::apply(
                &mut tx,
                policy,
                received + offset,
                rep,
                &accepted.id,
                touches::Logged::touch(touch),
            )
            .await?;
        }
        // Some conversations ended: a sale, a lost deal, a lead not ready yet.
        if let (true, Some(last)) = (talked, last) {
            let at = received + last + Duration::hours(2);
            if at < now {
                let lead = leads::get(&mut *tx, &accepted.id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let transition = match (i / 5) % 4 {
                    1 => Some(lead::close(
                        &lead.state,
                        Closure::Won {
                            amount: Money::from_cents(250_000 + (i as i64) * 10_000)
                                .map_err(|e| ServiceError::Internal(e.to_string()))?,
                            on: at.date_naive(),
                        },
                        "signed the order",
                        at.date_naive(),
                    )),
                    2 => Some(lead::close(
                        &lead.state,
                        Closure::Dead(DeadReason::BoughtElsewhere),
                        "went with a cheaper supplier",
                        at.date_naive(),
                    )),
                    3 => Some(lead::not_ready(
                        &lead.state,
                        "budget opens next quarter",
                        now + Duration::days(45),
                        at,
                        policy,
                    )),
                    _ => None,
                };
                if let Some(transition) = transition {
                    let transition =
                        transition.map_err(|e| ServiceError::Refused(e.to_string()))?;
                    lifecycle::record(&mut tx, &accepted.id, at, Some(&rep.id), &transition)
                        .await?;
                    if !transition.state.stage.is_open() {
                        leads::set_closed_by(&mut tx, &accepted.id, Some((at, &rep.id))).await?;
                    }
                }
            }
        }
    }
    if let Some(inquiry) = asks_again {
        intake::admit(
            &mut tx,
            policy,
            now - Duration::minutes(3),
            &web_form.id,
            &inquiry,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Loaded::Fresh {
        leads: count,
        web_form_key,
    })
}

/// The touches a demo lead of this age has had, as (time after arrival, touch). Some leads are
/// left as ghosts on purpose: the board should show them.
fn demo_touches(i: usize, age_minutes: i64) -> Vec<(Duration, Touch)> {
    let no_answer = Touch::Call(CallOutcome::NoAnswer);
    let voicemail = Touch::Call(CallOutcome::Voicemail);
    let mut touches = match i % 5 {
        0 => vec![],
        1 => vec![(Duration::minutes(4), voicemail)],
        2 => vec![
            (Duration::minutes(3), no_answer),
            (Duration::minutes(70), Touch::Call(CallOutcome::Connected)),
        ],
        3 => [0, 60, 24 * 60, 3 * 24 * 60, 6 * 24 * 60, 10 * 24 * 60]
            .into_iter()
            .map(|m| (Duration::minutes(m + 3), no_answer))
            .collect(),
        _ => vec![
            (Duration::minutes(9), Touch::Email { bounced: false }),
            (Duration::minutes(30), voicemail),
        ],
    };
    touches.retain(|(offset, _)| offset.num_minutes() < age_minutes);
    touches
}
