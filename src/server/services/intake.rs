//! Intake: a new inquiry becomes a lead with an owner and a first call due, or — when the same
//! person asked before — a new inquiry on their existing lead, which turns hot again.

use super::ServiceError;
use crate::domain::cadence::Policy;
use crate::domain::intake::{self, Inquiry, RawInquiry};
use crate::domain::lead::{self, LeadState, Owner, Reach, Stage, Transition};
use crate::server::live::Live;
use crate::server::services::routing::{self, Route};
use crate::server::store::group::GroupCommit;
use crate::server::store::{
    self, alerts, idempotency, inquiries, leads, sources, sources::SourceRow, territories, users,
};
use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};

/// Who holds a lead, as the intake reply names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OwnerReply {
    /// `rep`, `marketing` or `qualifier`.
    pub kind: &'static str,
    pub id: Option<String>,
    pub name: String,
}

/// What the intake API answers for an accepted inquiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    /// The lead's id (an existing lead's for a known person).
    pub id: String,
    pub owner: OwnerReply,
    pub stage: &'static str,
    pub repeat: bool,
    /// For a customer's new opportunity: the lead they bought on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follows: Option<String>,
    /// Who held the lead before this inquiry, if anyone (not part of the reply).
    #[serde(skip)]
    pub previous_owner: Option<Owner>,
    /// Who holds it now (not part of the reply).
    #[serde(skip)]
    pub owner_now: Owner,
}

/// An HTTP status and JSON body, ready to send (and to replay for a retried request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

/// Receives one inquiry from `source`. With an idempotency key, a retry of a request that was
/// already accepted gets the first reply again and changes nothing; the key is claimed inside
/// the write, so concurrent retries cannot both store a lead. The same key sent with a
/// different inquiry is refused rather than answered with someone else's lead.
#[tracing::instrument(skip_all, fields(source = %source.name))]
#[expect(
    clippy::too_many_arguments,
    reason = "a use case names its dependencies and its input explicitly"
)]
pub async fn receive(
    db: &SqlitePool,
    writer: &IntakeWriter,
    policy: &Policy,
    phone_region: &str,
    now: DateTime<Utc>,
    source: &SourceRow,
    raw: RawInquiry,
    idempotency_key: Option<&str>,
    live: &Live,
) -> Result<Reply, ServiceError> {
    let fingerprint = fingerprint(&raw)?;
    if let Some(key) = idempotency_key {
        // Most retries are answered here, without waiting for the write lock.
        if let Some(stored) = idempotency::find(db, &source.id, key).await? {
            return replay(stored, &fingerprint);
        }
    }
    let inquiry = intake::check(raw, phone_region).map_err(ServiceError::Invalid)?;
    let policy = policy.clone();
    let source_id = source.id.clone();
    let key = idempotency_key.map(str::to_string);
    // Stored with the inquiries that arrive with it, in one transaction: answered once durable.
    let (reply, accepted) = writer
        .run(move |conn| {
            async move {
                    store_one(conn, &policy, now, &source_id, &inquiry, key, fingerprint).await
                }
                .boxed()
        })
        .await?;
    if let Some(accepted) = accepted {
        tracing::info!(lead_id = %accepted.id, repeat = accepted.repeat, "inquiry accepted");
        announce(live, &accepted);
    }
    Ok(reply)
}

/// One inquiry's part of a group's transaction: the reply to give, and the lead it made or
/// changed (none when it repeats a request already answered).
async fn store_one(
    conn: &mut SqliteConnection,
    policy: &Policy,
    now: DateTime<Utc>,
    source_id: &str,
    inquiry: &Inquiry,
    key: Option<String>,
    fingerprint: String,
) -> Result<(Reply, Option<Accepted>), ServiceError> {
    if let Some(key) = &key {
        // A concurrent request with this key may have been stored since the first look.
        if let Some(stored) = idempotency::find(&mut *conn, source_id, key).await? {
            return Ok((replay(stored, &fingerprint)?, None));
        }
    }
    let accepted = admit(conn, policy, now, source_id, inquiry).await?;
    let reply = Reply {
        // A customer's new opportunity is a new lead.
        status: if accepted.repeat && accepted.follows.is_none() {
            200
        } else {
            201
        },
        body: serde_json::to_string(&accepted)
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
    };
    if let Some(key) = &key {
        let stored = idempotency::Stored {
            request_hash: fingerprint,
            status: reply.status,
            body: reply.body.clone(),
        };
        idempotency::insert(&mut *conn, source_id, key, &stored, now).await?;
    }
    Ok((reply, Some(accepted)))
}

/// The one writer every door's inquiries are stored through, a group at a time.
pub type IntakeWriter = GroupCommit<(Reply, Option<Accepted>), ServiceError>;

/// What a website's form posted, once it is known to be a person's (the honeypot empty).
pub struct FormPost<'a> {
    pub source: &'a SourceRow,
    pub raw: RawInquiry,
    /// Where it came from (as the rate limit counts it).
    pub address: &'a str,
}

/// How long a second identical post from one address is the same inquiry (a double click, a
/// reload of the posted page).
const DOUBLE_SUBMIT: chrono::Duration = chrono::Duration::minutes(1);

/// An inquiry from a website's form: the same checks and routing as any other, with the same
/// post from the same address within [`DOUBLE_SUBMIT`] answered as the first.
pub async fn from_form(
    db: &SqlitePool,
    writer: &IntakeWriter,
    policy: &Policy,
    phone_region: &str,
    now: DateTime<Utc>,
    post: FormPost<'_>,
    live: &Live,
) -> Result<Reply, ServiceError> {
    let fingerprint = fingerprint(&post.raw)?;
    let minute = now.timestamp().div_euclid(60);
    let key = |minute: i64| {
        format!(
            "form:{}",
            super::token_hash(&format!("{}|{fingerprint}|{minute}", post.address))
        )
    };
    let earlier = key(minute - 1);
    if idempotency::used_since(db, &post.source.id, &earlier, now - DOUBLE_SUBMIT).await? {
        if let Some(stored) = idempotency::find(db, &post.source.id, &earlier).await? {
            return replay(stored, &fingerprint);
        }
    }
    let key = key(minute);
    receive(
        db,
        writer,
        policy,
        phone_region,
        now,
        post.source,
        post.raw,
        Some(&key),
        live,
    )
    .await
}

/// Tells the screens of whoever held the lead before and whoever holds it now.
fn announce(live: &Live, accepted: &Accepted) {
    live.publish(
        &accepted.id,
        [
            accepted.previous_owner.clone(),
            Some(accepted.owner_now.clone()),
        ]
        .into_iter()
        .flatten(),
    );
}

/// SHA-256 of the inquiry as received, field by field: what a retry must repeat.
fn fingerprint(raw: &RawInquiry) -> Result<String, ServiceError> {
    let canonical =
        serde_json::to_string(raw).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(super::token_hash(&canonical))
}

/// The first answer given for a key, if this request repeats the inquiry it was used for.
fn replay(stored: idempotency::Stored, fingerprint: &str) -> Result<Reply, ServiceError> {
    if !stored.request_hash.is_empty() && stored.request_hash != fingerprint {
        return Err(ServiceError::invalid(
            "Idempotency-Key",
            "was already used for a different inquiry; send a new key with a new inquiry",
        ));
    }
    Ok(Reply {
        status: stored.status,
        body: stored.body,
    })
}

async fn owner_reply(
    conn: &mut SqliteConnection,
    owner: &Owner,
) -> Result<OwnerReply, sqlx::Error> {
    let name = match owner {
        Owner::Rep(id) => users::find(&mut *conn, id)
            .await?
            .map_or_else(String::new, |u| u.name),
        Owner::Marketing => "Marketing".to_string(),
        Owner::Qualifier => "Qualifier queue".to_string(),
    };
    Ok(OwnerReply {
        kind: owner.kind_str(),
        id: owner.rep_id().map(str::to_string),
        name,
    })
}

/// The source of leads reps add after meeting someone.
pub const IN_PERSON: &str = "In person";

/// A person a rep met, as they tell it.
#[derive(Debug, Clone)]
pub struct Met<'a> {
    pub person: RawInquiry,
    /// What was talked about.
    pub note: &'a str,
}

/// A rep (or qualifier) adds a person they met: the same checks and the same matching of a
/// known person as any inquiry, from the "In person" source; a new lead is offered first to
/// them (routing still applies: a full or absent rep's goes to the next), and the meeting is
/// logged as its first touch (a conversation) with the note. A known person's lead stays with
/// whoever holds it and turns hot for them, as a repeat inquiry does.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn met_in_person(
    db: &SqlitePool,
    policy: &Policy,
    phone_region: &str,
    now: DateTime<Utc>,
    user: &crate::domain::role::User,
    met: Met<'_>,
    live: &Live,
) -> Result<Accepted, ServiceError> {
    let inquiry = intake::check(met.person, phone_region).map_err(ServiceError::Invalid)?;
    let note = crate::domain::touch::note(met.note).map_err(|e| ServiceError::Invalid(vec![e]))?;
    let mut tx = store::begin_write(db).await?;
    let source = match sources::find_by_name(&mut *tx, IN_PERSON).await? {
        Some(source) => source,
        None => {
            let source = SourceRow {
                id: store::new_id(),
                name: IN_PERSON.to_string(),
                phone_country: None,
            };
            // It takes no posts: its key is a random one nobody is ever shown.
            let unusable = super::token_hash(&store::new_id());
            sources::insert(&mut *tx, &source, &unusable, now).await?;
            source
        }
    };
    let mut accepted =
        admit_for(&mut tx, policy, now, &source.id, &inquiry, Some(&user.id)).await?;
    let theirs = match &accepted.owner_now {
        Owner::Rep(rep) => *rep == user.id,
        Owner::Qualifier => user.role == crate::domain::role::Role::Qualifier,
        Owner::Marketing => false,
    };
    if theirs {
        let met = super::touches::Logged {
            note: &note,
            ..super::touches::Logged::touch(crate::domain::touch::Touch::Meeting)
        };
        let state = super::touches::apply(&mut tx, policy, now, user, &accepted.id, met).await?;
        accepted.stage = state.stage.as_str();
    }
    tx.commit().await?;
    tracing::info!(lead_id = %accepted.id, repeat = accepted.repeat, "met in person");
    announce(live, &accepted);
    Ok(accepted)
}

/// Writes a checked inquiry inside the caller's transaction: a new lead, or a repeat inquiry
/// on the person's existing lead.
pub async fn admit(
    conn: &mut SqliteConnection,
    policy: &Policy,
    now: DateTime<Utc>,
    source_id: &str,
    inquiry: &Inquiry,
) -> Result<Accepted, ServiceError> {
    admit_for(conn, policy, now, source_id, inquiry, None).await
}

/// [`admit`], offering a new lead first to `met_by` (the rep who met the person).
async fn admit_for(
    conn: &mut SqliteConnection,
    policy: &Policy,
    now: DateTime<Utc>,
    source_id: &str,
    inquiry: &Inquiry,
    met_by: Option<&str>,
) -> Result<Accepted, ServiceError> {
    let email = inquiry.email_text();
    let phone = inquiry.phone_text();
    let existing = leads::find_by_contact(&mut *conn, email, phone).await?;

    let previous_owner = existing.as_ref().map(|lead| lead.state.owner.clone());
    let (lead_id, name, transition, repeat, follows) = match existing {
        Some(bought) if bought.state.stage == Stage::Won => {
            // A sale is history: the customer's new inquiry is a new opportunity that follows
            // it, offered first to the rep who won them.
            let prefer = Route {
                prefer: bought.state.owner.rep_id(),
                arriving: Some((&inquiry.place, source_id)),
                ..Route::default()
            };
            let owner = routing::route(&mut *conn, now, policy.rep_capacity, prefer).await?;
            let contact = leads::LeadContact {
                id: store::new_id(),
                name: Some(inquiry.name.clone())
                    .filter(|name| !name.is_empty())
                    .unwrap_or(bought.contact.name),
                email: email.map(str::to_string).or(bought.contact.email),
                phone: phone.map(str::to_string).or(bought.contact.phone),
                company: Some(inquiry.company.clone())
                    .filter(|company| !company.is_empty())
                    .unwrap_or(bought.contact.company),
                timeframe: inquiry.timeframe.clone(),
                free_mail: inquiry.free_mail() || bought.contact.free_mail,
                source_id: source_id.to_string(),
                received_at: now,
                follows: Some(bought.contact.id.clone()),
            };
            let reach = Reach::of(
                contact.phone.as_deref(),
                contact.email.is_some(),
                &inquiry.place,
            );
            let transition = lead::customer_returns(owner, reach, now, policy);
            leads::insert(&mut *conn, &contact, &transition.state).await?;
            territories::add_place(&mut *conn, &contact.id, &inquiry.place).await?;
            leads::mark_repeat_inquirer(&mut *conn, &contact.id).await?;
            (
                contact.id,
                contact.name,
                transition,
                true,
                Some(bought.contact.id),
            )
        }
        Some(lead) => {
            // What the person tells us now about where they are is kept on the lead.
            territories::add_place(&mut *conn, &lead.contact.id, &inquiry.place).await?;
            // The rep who holds (or last held) the lead keeps it while they are active.
            let prefer = Route {
                prefer: lead.last_rep_id.as_deref(),
                lead: Some(&lead.contact.id),
                ..Route::default()
            };
            let owner = routing::route(&mut *conn, now, policy.rep_capacity, prefer).await?;
            let transition = lead::repeat_inquiry(&lead.state, owner, now, policy);
            leads::save_state(&mut *conn, &lead.contact.id, &transition.state).await?;
            leads::mark_repeat_inquirer(&mut *conn, &lead.contact.id).await?;
            // What the person tells us now that the lead did not know is kept on it.
            leads::add_contact_details(
                &mut *conn,
                &lead.contact.id,
                &inquiry.name,
                email,
                phone,
                &inquiry.company,
            )
            .await?;
            (lead.contact.id, lead.contact.name, transition, true, None)
        }
        None => {
            let (id, name, transition) =
                new_lead(conn, policy, now, now, source_id, inquiry, met_by).await?;
            (id, name, transition, false, None)
        }
    };
    let Transition { state, event } = transition;
    inquiries::insert(
        &mut *conn,
        &store::new_id(),
        &lead_id,
        source_id,
        inquiry,
        now,
    )
    .await?;
    super::lifecycle::record_event(conn, &lead_id, now, None, &event, &state, None).await?;
    if state.owner == Owner::Qualifier {
        super::alerts::if_queue_unworked(&mut *conn, &lead_id, &name, now).await?;
    }
    if let (true, Stage::Hot, Owner::Rep(rep)) = (repeat, state.stage, &state.owner) {
        let who = if follows.is_some() {
            format!("{name}, a customer,")
        } else {
            name.clone()
        };
        let message = match super::lifecycle::call_when(&state, now, policy) {
            // Open now: the first-contact minutes are what the rep has.
            call if call == "call now" => format!(
                "{who} inquired again and is hot: call within {} min.",
                policy.first_contact.num_minutes()
            ),
            call => format!("{who} inquired again and is hot: {call}."),
        };
        alerts::insert(&mut *conn, rep, &lead_id, "hot", &message, now).await?;
    }
    Ok(Accepted {
        owner: owner_reply(conn, &state.owner).await?,
        stage: state.stage.as_str(),
        id: lead_id,
        repeat,
        follows,
        previous_owner,
        owner_now: state.owner.clone(),
    })
}

/// A lead for a person not known yet, routed at `now`, its first-contact clock starting at
/// `arrives` (now, or a listed person's turn): its id, name and arrival.
async fn new_lead(
    conn: &mut SqliteConnection,
    policy: &Policy,
    now: DateTime<Utc>,
    arrives: DateTime<Utc>,
    source_id: &str,
    inquiry: &Inquiry,
    met_by: Option<&str>,
) -> Result<(String, String, Transition), ServiceError> {
    let email = inquiry.email_text();
    let phone = inquiry.phone_text();
    let reach = Reach::of(phone, email.is_some(), &inquiry.place);
    let arriving = Route {
        prefer: met_by,
        arriving: Some((&inquiry.place, source_id)),
        ..Route::default()
    };
    let owner = routing::route(&mut *conn, now, policy.rep_capacity, arriving).await?;
    let transition = lead::arrive(owner, reach, arrives, policy);
    let contact = leads::LeadContact {
        id: store::new_id(),
        name: inquiry.display_name(),
        email: email.map(str::to_string),
        phone: phone.map(str::to_string),
        company: inquiry.company.clone(),
        timeframe: inquiry.timeframe.clone(),
        free_mail: inquiry.free_mail(),
        source_id: source_id.to_string(),
        received_at: now,
        follows: None,
    };
    leads::insert(&mut *conn, &contact, &transition.state).await?;
    territories::add_place(&mut *conn, &contact.id, &inquiry.place).await?;
    Ok((contact.id, contact.name, transition))
}

/// What a listed person became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listed {
    /// A new lead (and who holds it), its first call due from its turn in the list.
    New(String, Owner),
    /// A person already known: the list's row is kept on their lead as an inquiry, and the
    /// lead is left as it is (a list is not the person asking again).
    Known(String),
}

/// Writes one checked person from an imported list inside the caller's transaction. Routing
/// is as for any lead; the first-contact clock starts at `arrives`, the person's turn in the
/// list's pace, so a long list never makes a rep hundreds of calls due at once.
pub async fn admit_listed(
    conn: &mut SqliteConnection,
    policy: &Policy,
    now: DateTime<Utc>,
    arrives: DateTime<Utc>,
    source_id: &str,
    inquiry: &Inquiry,
) -> Result<Listed, ServiceError> {
    let email = inquiry.email_text();
    let phone = inquiry.phone_text();
    if let Some(lead) = leads::find_by_contact(&mut *conn, email, phone).await? {
        let id = lead.contact.id;
        inquiries::insert(&mut *conn, &store::new_id(), &id, source_id, inquiry, now).await?;
        return Ok(Listed::Known(id));
    }
    let (id, _, Transition { state, event }) =
        new_lead(conn, policy, now, arrives, source_id, inquiry, None).await?;
    inquiries::insert(&mut *conn, &store::new_id(), &id, source_id, inquiry, now).await?;
    super::lifecycle::record_event(conn, &id, now, None, &event, &state, None).await?;
    Ok(Listed::New(id, state.owner))
}

/// The current state of a lead, for callers that only hold its id.
pub async fn state_of(db: &SqlitePool, lead_id: &str) -> Result<Option<LeadState>, ServiceError> {
    Ok(leads::get(db, lead_id).await?.map(|lead| lead.state))
}
