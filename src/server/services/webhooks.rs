//! Webhooks: admins subscribe addresses to lead events; each event is put in the outbox in the
//! transaction of the change it tells of, and a sender posts it, signed, until the receiver
//! answers 2xx — at least once, across restarts, backing off between tries. A delivery that
//! fails every try switches its webhook off, and the admin screens say so.

use super::{audit, new_token, ServiceError};
use crate::domain::lead::{Event, LeadState};
use crate::domain::role::User;
use crate::domain::webhook::{self, Handover};
use crate::server::clock::Clock;
use crate::server::store::{self, leads, webhooks};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use sqlx::{SqliteConnection, SqlitePool};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries in flight at once.
const AT_ONCE: usize = 16;
/// Deliveries in flight at once to one webhook.
const PER_WEBHOOK: usize = 4;
/// The header carrying the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`, the HMAC keyed
/// with the webhook's secret over `<unix seconds>.<body>`.
pub const SIGNATURE_HEADER: &str = "Leadline-Signature";

/// The signature of `body` sent at `timestamp` (unix seconds) with `secret`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// A webhook just added, with its secret (shown once).
pub struct Added {
    /// The address as kept (and posted to).
    pub url: String,
    pub secret: String,
}

/// The webhooks and the latest `lines` deliveries in `state` ("failed", "pending",
/// "delivered", or any when empty), newest first.
pub async fn overview(
    db: &SqlitePool,
    state: &str,
    lines: i64,
) -> Result<(Vec<webhooks::WebhookRow>, Vec<webhooks::LogRow>), ServiceError> {
    if !matches!(state, "" | "failed" | "pending" | "delivered") {
        return Err(ServiceError::invalid(
            "show",
            "must be failed, pending, delivered or empty (all)",
        ));
    }
    Ok((
        webhooks::list(db).await?,
        webhooks::log(db, state, lines).await?,
    ))
}

/// How many webhooks the server switched off for failing (until switched on or removed).
pub async fn trouble(db: &SqlitePool) -> Result<i64, ServiceError> {
    Ok(webhooks::count_failing(db).await?)
}

/// Subscribes `url` to `events` (an admin's choice).
pub async fn add(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &User,
    url: &str,
    events: &[String],
    private_allowed: bool,
) -> Result<Added, ServiceError> {
    let mut errors = Vec::new();
    let url = webhook::check_url(url, private_allowed)
        .map_err(|message| errors.push(("url", message)))
        .ok();
    let events = webhook::chosen_events(events)
        .map_err(|message| errors.push(("events", message)))
        .ok();
    if let (Some(checked), false) = (&url, private_allowed) {
        if let Some(why) = resolves_inside(checked).await {
            errors.push(("url", why));
        }
    }
    let (Some(url), Some(events), true) = (url, events, errors.is_empty()) else {
        return Err(ServiceError::Invalid(
            errors
                .into_iter()
                .map(|(field, message)| crate::domain::intake::FieldError::new(field, &message))
                .collect(),
        ));
    };
    let id = store::new_id();
    let added = Added {
        url: url.to_string(),
        secret: new_token("whsec_"),
    };
    let mut tx = store::begin_write(db).await?;
    webhooks::insert(
        &mut *tx,
        &id,
        url.as_str(),
        &events,
        &added.secret,
        &actor.id,
        now,
    )
    .await?;
    store::audit::record(
        &mut *tx,
        store::audit::Entry {
            at: now,
            actor_id: Some(&actor.id),
            action: "webhook_added",
            subject: url.as_str(),
            detail: &events.join(", "),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// Why a subscribed name is refused: it resolves only to this machine or private networks. A
/// name that does not resolve now is let through: it is looked up again at each delivery.
async fn resolves_inside(url: &url::Url) -> Option<String> {
    let Some(url::Host::Domain(name)) = url.host() else {
        return None;
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let lookup = tokio::net::lookup_host((name, port));
    let found: Vec<SocketAddr> = tokio::time::timeout(Duration::from_secs(3), lookup)
        .await
        .ok()?
        .ok()?
        .collect();
    (!found.is_empty() && !found.iter().any(|a| webhook::is_public(a.ip())))
        .then(|| format!("{name} is this server or a private network: must be a public address"))
}

/// Switches a webhook on (what waited goes out) or off (nothing is sent; new events are not
/// kept for it).
pub async fn switch(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &User,
    id: &str,
    on: bool,
) -> Result<(), ServiceError> {
    let url = webhooks::url_of(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let off = (!on).then_some(("switched off by an admin", now));
    if !webhooks::switch(db, id, off).await? {
        return Err(ServiceError::Refused(if on {
            "This webhook is already on.".to_string()
        } else {
            "This webhook is already off.".to_string()
        }));
    }
    let action = if on { "webhook_on" } else { "webhook_off" };
    audit::record(db, now, actor, action, &url, "").await
}

/// Removes a webhook; what waited for it is dropped.
pub async fn remove(
    db: &SqlitePool,
    now: DateTime<Utc>,
    actor: &User,
    id: &str,
) -> Result<(), ServiceError> {
    let url = webhooks::url_of(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut tx = store::begin_write(db).await?;
    if !webhooks::remove(&mut tx, id, now).await? {
        return Err(ServiceError::NotFound);
    }
    tx.commit().await?;
    audit::record(db, now, actor, "webhook_removed", &url, "").await
}

/// Sends a failed delivery again, with a fresh round of tries.
pub async fn retry(db: &SqlitePool, now: DateTime<Utc>, id: &str) -> Result<(), ServiceError> {
    if !webhooks::delivery_exists(db, id).await? {
        return Err(ServiceError::NotFound);
    }
    if webhooks::retry(db, id, now).await? {
        Ok(())
    } else {
        Err(ServiceError::Refused(
            "Only a delivery that failed can be sent again (this one is delivered, still being tried, or its webhook was removed).".to_string(),
        ))
    }
}

/// Puts `event` (which left the lead in `state`) in the outbox of every webhook subscribed to
/// what it is. Call inside the change's transaction: the change and its deliveries commit
/// together or not at all.
pub async fn enqueue(
    conn: &mut SqliteConnection,
    lead_id: &str,
    now: DateTime<Utc>,
    event: &Event,
    state: &LeadState,
    handover: Handover,
) -> Result<(), sqlx::Error> {
    let names = webhook::events_of(event, handover);
    if names.is_empty() {
        return Ok(());
    }
    let subscribers = webhooks::subscribers(&mut *conn).await?;
    let wanted: Vec<(&str, &str)> = names
        .iter()
        .flat_map(|name| {
            subscribers
                .iter()
                .filter(move |(_, events)| events.contains(&format!(" {name} ")))
                .map(move |(id, _)| (*name, id.as_str()))
        })
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let Some(lead) = leads::get(&mut *conn, lead_id).await? else {
        return Ok(());
    };
    let (holder, source) =
        webhooks::names(&mut *conn, state.owner.rep_id(), &lead.contact.source_id).await?;
    let owner = json!({
        "kind": state.owner.kind_str(),
        "id": state.owner.rep_id(),
        "name": holder.as_ref().map(|(name, _)| name),
        "email": holder.as_ref().map(|(_, email)| email),
    });
    let lead_json = json!({
        "id": lead_id,
        "name": lead.contact.name,
        "email": lead.contact.email,
        "phone": lead.contact.phone,
        "company": lead.contact.company,
        "timeframe": lead.contact.timeframe,
        "source": source,
        "received_at": lead.contact.received_at,
        "stage": state.stage.as_str(),
        "owner": owner,
        "next_action": state.next.map(|n| n.action.as_str()),
        "next_due_at": state.next.map(|n| n.due_at),
        "path": format!("/lead/{lead_id}"),
    });
    for name in names {
        // One id per event told, the same for every webhook it goes to (a receiver fed by two
        // webhooks can tell it heard the same thing twice).
        let event_id = store::new_id();
        let body = json!({
            "id": event_id,
            "type": name,
            "occurred_at": now,
            "detail": event.detail,
            "lead": lead_json,
        })
        .to_string();
        for (_, webhook_id) in wanted.iter().filter(|(wanted, _)| *wanted == name) {
            webhooks::enqueue(
                &mut *conn,
                &store::new_id(),
                webhook_id,
                name,
                lead_id,
                &body,
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// Reads at start whether any webhook is on, so events look for subscribers.
pub async fn load(db: &SqlitePool) -> Result<(), sqlx::Error> {
    if webhooks::any_on(db).await? {
        webhooks::note_subscribed();
    }
    Ok(())
}

/// Starts the sender. It keeps up to [`AT_ONCE`] deliveries in flight, at most
/// [`PER_WEBHOOK`] to any one webhook (a receiver that hangs holds up only its own), starting
/// each as soon as it is due and a place is free; it looks for due ones every second, and
/// whenever one finishes.
pub fn spawn_sender(
    db: SqlitePool,
    clock: Clock,
    private_allowed: bool,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = match client(private_allowed) {
            Ok(client) => client,
            Err(e) => {
                tracing::error!(error = %e, "webhooks: cannot make the HTTP client; none will be sent");
                return;
            }
        };
        let flying = Arc::new(std::sync::Mutex::new(InFlight::default()));
        // Dropped with this task (a stop): every try in flight stops with it, and is tried
        // again from the outbox after the restart.
        let mut tries = tokio::task::JoinSet::new();
        loop {
            while tries.try_join_next().is_some() {}
            let started = match webhooks::due(
                &db,
                clock.now(),
                2 * PER_WEBHOOK as i64,
                4 * AT_ONCE as i64,
            )
            .await
            {
                Ok(due) => {
                    let mut started = 0;
                    for delivery in due {
                        let Ok(mut place) = flying.lock() else { break };
                        if !place.take(&delivery) {
                            continue;
                        }
                        drop(place);
                        started += 1;
                        let (db, client, clock, flying) =
                            (db.clone(), client.clone(), clock.clone(), flying.clone());
                        tries.spawn(async move {
                            let outcome = attempt(&client, &delivery, clock.now()).await;
                            if let Err(e) = record(&db, clock.now(), &delivery, outcome).await {
                                tracing::error!(error = %e, "webhooks: a try's outcome was not kept; it is tried again");
                            }
                            if let Ok(mut place) = flying.lock() {
                                place.give_back(&delivery);
                            }
                        });
                    }
                    started
                }
                Err(e) => {
                    tracing::error!(error = %e, "webhooks: cannot read the outbox");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    0
                }
            };
            if started == 0 {
                tokio::select! {
                    _ = tries.join_next(), if !tries.is_empty() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    })
}

/// The deliveries being tried, by id and by webhook.
#[derive(Default)]
struct InFlight {
    ids: std::collections::HashSet<String>,
    per_webhook: std::collections::HashMap<String, usize>,
}

impl InFlight {
    /// Takes a place for `delivery`; false when it is in flight already or no place is free.
    fn take(&mut self, delivery: &webhooks::Due) -> bool {
        let hook = self
            .per_webhook
            .get(&delivery.webhook_id)
            .copied()
            .unwrap_or(0);
        if self.ids.len() >= AT_ONCE || hook >= PER_WEBHOOK || self.ids.contains(&delivery.id) {
            return false;
        }
        self.ids.insert(delivery.id.clone());
        self.per_webhook
            .insert(delivery.webhook_id.clone(), hook + 1);
        true
    }

    fn give_back(&mut self, delivery: &webhooks::Due) {
        self.ids.remove(&delivery.id);
        if let Some(n) = self.per_webhook.get_mut(&delivery.webhook_id) {
            *n = n.saturating_sub(1);
        }
    }
}

/// The client deliveries go out with: no redirects followed, an answer within [`TIMEOUT`],
/// and (unless private addresses are allowed) names that resolve inside the server's own
/// network refused at each delivery.
pub fn client(private_allowed: bool) -> Result<reqwest::Client, reqwest::Error> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .user_agent("Leadline-Webhooks/1");
    if !private_allowed {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    builder.build()
}

/// Looks names up and keeps only public addresses.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| webhook::is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!(
                    "{} resolves only to this server or a private network",
                    name.as_str()
                )
                .into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// What one try came to: the receiver's status code, or why there was none.
struct Outcome {
    code: Option<u16>,
    error: Option<String>,
}

async fn attempt(
    client: &reqwest::Client,
    delivery: &webhooks::Due,
    now: DateTime<Utc>,
) -> Outcome {
    // An address written as a number was checked when it was subscribed (it cannot change);
    // a name is checked each time it is looked up (`PublicOnly`).
    let timestamp = now.timestamp();
    let sent = client
        .post(&delivery.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Leadline-Event", &delivery.event)
        .header("Leadline-Delivery", &delivery.id)
        .header(
            SIGNATURE_HEADER,
            sign(&delivery.secret, timestamp, &delivery.payload),
        )
        .body(delivery.payload.clone())
        .send()
        .await;
    match sent {
        Ok(answer) => Outcome {
            code: Some(answer.status().as_u16()),
            error: None,
        },
        Err(e) => Outcome {
            code: None,
            error: Some(in_words(&e)),
        },
    }
}

/// A failed request in a sentence for the delivery log.
fn in_words(error: &reqwest::Error) -> String {
    use std::error::Error;
    if error.is_timeout() {
        return format!("no answer within {} s", TIMEOUT.as_secs());
    }
    let mut cause: Option<&dyn Error> = Some(error);
    let mut deepest = error.to_string();
    while let Some(e) = cause {
        deepest = e.to_string();
        cause = e.source();
    }
    let text = if error.is_connect() {
        format!("could not connect: {deepest}")
    } else {
        format!("could not send: {deepest}")
    };
    text.chars().take(300).collect()
}

async fn record(
    db: &SqlitePool,
    now: DateTime<Utc>,
    delivery: &webhooks::Due,
    outcome: Outcome,
) -> Result<(), ServiceError> {
    let delivered = outcome.code.is_some_and(|code| (200..300).contains(&code));
    let attempts = delivery.attempts + 1;
    let retry_at = (!delivered)
        .then(|| webhook::retry_after(attempts).map(|wait| now + wait))
        .flatten();
    let error = match (&outcome.error, outcome.code) {
        (Some(error), _) => Some(error.clone()),
        (None, Some(code)) if !delivered => Some(format!("answered {code}")),
        _ => None,
    };
    let mut tx = store::begin_write(db).await?;
    webhooks::record_attempt(
        &mut *tx,
        &delivery.id,
        now,
        delivered,
        retry_at,
        outcome.code.map(i64::from),
        error.as_deref(),
    )
    .await?;
    if !delivered && retry_at.is_none() {
        let why = format!(
            "{}a delivery failed all {} tries (last: {})",
            webhook::FAILING,
            webhook::MOST_ATTEMPTS,
            error.as_deref().unwrap_or("no answer")
        );
        if webhooks::switch(&mut *tx, &delivery.webhook_id, Some((&why, now))).await? {
            tracing::warn!(url = %delivery.url, "webhooks: switched off after repeated failure");
            store::audit::record(
                &mut *tx,
                store::audit::Entry {
                    at: now,
                    actor_id: None,
                    action: "webhook_off",
                    subject: &delivery.url,
                    detail: &why,
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
