//! Benchmark data: a large, realistic pipeline — years of leads, most of them closed, a big
//! nurture pool, every rep holding a full queue — so the boards can be measured at scale.
//! Deterministic for a given seed. Some reps are made to drop no-phone leads, so the bias
//! watch has something to find.

use super::{accounts, sources, ServiceError};
use crate::domain::role::Role;
use crate::domain::segment::SegmentFlags;
use crate::server::passwords::Passwords;
use crate::server::store::bulk::{self, BulkAssignment, BulkLead};
use crate::server::store::{self};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::SqlitePool;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub leads: u32,
    pub reps: u32,
    /// Leads arrive evenly over this many days up to now.
    pub days: u32,
    pub seed: u64,
}

/// The password of every generated user.
pub const PASSWORD: &str = "leadline-bench";
/// The generated manager, for signing in to look at the boards.
pub const MANAGER_EMAIL: &str = "manager@bench.leadline";
const TERRITORIES: [&str; 4] = ["North", "South", "East", "West"];
const TIMEFRAMES: [&str; 5] = [
    "now",
    "within 3 months",
    "3-6 months",
    "6-12 months",
    "1-3 months",
];
const BATCH: u32 = 20_000;

/// Writes the team and `shape.leads` leads. Refuses a database that already has leads.
pub async fn generate(
    db: &SqlitePool,
    passwords: &Passwords,
    now: DateTime<Utc>,
    shape: Shape,
    mut progress: impl FnMut(u32),
) -> Result<(), ServiceError> {
    let mut conn = db.acquire().await?;
    if bulk::lead_count(&mut conn).await? > 0 {
        return Err(ServiceError::Refused(
            "This database already has leads; generate into an empty one.".to_string(),
        ));
    }
    drop(conn);
    let mut reps = Vec::new();
    for i in 0..shape.reps {
        let email = format!("rep{i:03}@bench.leadline");
        let user = accounts::add_user(
            db,
            passwords,
            now,
            Role::Rep,
            &email,
            &format!("Rep {i:03}"),
            PASSWORD,
        )
        .await?;
        reps.push(user.id);
    }
    for (role, email, name) in [
        (Role::Manager, MANAGER_EMAIL, "Bench Manager"),
        (
            Role::Marketing,
            "marketing@bench.leadline",
            "Bench Marketing",
        ),
        (
            Role::Qualifier,
            "qualifier@bench.leadline",
            "Bench Qualifier",
        ),
    ] {
        accounts::add_user(db, passwords, now, role, email, name, PASSWORD).await?;
    }
    let mut source_ids = Vec::new();
    for (name, cost) in [
        ("Website form", "40,000"),
        ("Trade show", "90,000"),
        ("Paid search", "120,000"),
        ("Referral", "0"),
    ] {
        let (source, _) = sources::add_source(db, now, name).await?;
        sources::set_cost(db, &source.id, cost).await?;
        source_ids.push(source.id);
    }
    let mut tx = store::begin_write(db).await?;
    for (i, rep) in reps.iter().enumerate() {
        crate::server::store::users::set_territory(
            &mut *tx,
            rep,
            TERRITORIES[i % TERRITORIES.len()],
            4,
        )
        .await?;
    }
    tx.commit().await?;

    let mut rng = StdRng::seed_from_u64(shape.seed);
    let span = Duration::days(i64::from(shape.days)).num_seconds();
    let mut tx = store::begin_write(db).await?;
    for n in 0..shape.leads {
        let age = Duration::seconds(rng.gen_range(0..span.max(1)));
        let lead = make_lead(&mut rng, n, now, now - age, &reps, &source_ids);
        bulk::insert_lead(&mut tx, &lead.lead).await?;
        if let Some(assignment) = &lead.assignment {
            bulk::insert_assignment(&mut tx, assignment).await?;
        }
        if lead.lead.stage != "won"
            && lead.lead.stage != "dead"
            && lead.lead.owner_kind != "marketing"
        {
            bulk::insert_inquiry(
                &mut tx,
                &store::new_id(),
                &lead.lead,
                "Please call me about a quote.",
            )
            .await?;
            if let (Some(rep), Some(first)) = (&lead.lead.owner_id, lead.lead.first_attempt_at) {
                for k in 0..lead.lead.attempts {
                    let at = first + Duration::hours(k * 20);
                    bulk::insert_call(
                        &mut tx,
                        &store::new_id(),
                        &lead.lead.id,
                        rep,
                        "no_answer",
                        at,
                    )
                    .await?;
                }
            }
        }
        if (n + 1) % BATCH == 0 {
            tx.commit().await?;
            progress(n + 1);
            tx = store::begin_write(db).await?;
        }
    }
    tx.commit().await?;
    progress(shape.leads);
    // Statistics for the query planner, as a long-running database would have.
    sqlx::query("ANALYZE").execute(db).await?;
    Ok(())
}

struct Made {
    lead: BulkLead,
    assignment: Option<BulkAssignment>,
}

fn make_lead(
    rng: &mut StdRng,
    n: u32,
    now: DateTime<Utc>,
    received_at: DateTime<Utc>,
    reps: &[String],
    sources: &[String],
) -> Made {
    let id = store::new_id();
    let has_phone = rng.gen::<f64>() < 0.7;
    let free_mail = rng.gen::<f64>() < 0.3;
    let timeframe = TIMEFRAMES[rng.gen_range(0..TIMEFRAMES.len())];
    let rep_index = rng.gen_range(0..reps.len().max(1));
    let rep = reps.get(rep_index).cloned();
    // The first tenth of reps drop no-phone leads: the bias watch should flag them.
    let biased = rep_index < reps.len() / 10;
    let follow_chance = if biased && !has_phone { 0.3 } else { 0.88 };
    let followed = rng.gen::<f64>() < follow_chance;
    let delay = Duration::seconds(if rng.gen::<f64>() < 0.6 {
        rng.gen_range(30..300)
    } else {
        rng.gen_range(300..7_200)
    });
    let age = now - received_at;
    let recent = age < Duration::days(10);
    let roll = rng.gen::<f64>();
    let (stage, owner_kind) = match () {
        _ if recent && roll < 0.01 => ("queued", "qualifier"),
        _ if recent && roll < 0.80 => {
            let stages = ["assigned", "attempting", "attempting", "qualifying", "hot"];
            (stages[rng.gen_range(0..stages.len())], "rep")
        }
        _ if roll < 0.12 || (recent && roll < 0.85) => ("nurture", "marketing"),
        _ if roll < 0.22 => ("won", "rep"),
        _ => ("dead", "rep"),
    };
    let open_with_rep = owner_kind == "rep" && stage != "won" && stage != "dead";
    let followed = followed && !(stage == "assigned" && age < delay);
    let first_attempt_at =
        (followed && owner_kind != "qualifier").then(|| (received_at + delay).min(now));
    let attempts = match first_attempt_at {
        Some(_) => rng.gen_range(1..7),
        None => 0,
    };
    let conversations = i64::from(
        matches!(stage, "qualifying" | "won") || (stage == "dead" && rng.gen::<f64>() < 0.6),
    );
    let closed = matches!(stage, "won" | "dead");
    let closed_at = closed.then(|| (received_at + Duration::days(rng.gen_range(1..40))).min(now));
    let next_due_at = (!closed).then(|| match owner_kind {
        "marketing" => now + Duration::days(rng.gen_range(-3..30)),
        _ => received_at + delay + Duration::hours(rng.gen_range(0..72)),
    });
    let reclaimed = rng.gen::<f64>() < 0.05;
    let assignment = rep
        .clone()
        .filter(|_| owner_kind != "qualifier")
        .map(|rep_id| BulkAssignment {
            id: store::new_id(),
            lead_id: id.clone(),
            rep_id,
            assigned_at: received_at,
            first_attempt_at,
            attempts,
            ended_at: (!open_with_rep)
                .then(|| closed_at.unwrap_or(received_at + Duration::days(10))),
            end_kind: match (open_with_rep, reclaimed) {
                (true, _) => None,
                (false, true) => Some("reclaimed"),
                (false, false) => Some("outcome"),
            },
            outcome: (!open_with_rep).then_some(stage),
            flags: SegmentFlags::of(has_phone, free_mail, false, timeframe, Duration::zero()),
        });
    let lead = BulkLead {
        name: format!("Lead {n}"),
        email: Some(if free_mail {
            format!("lead{n}@gmail.com")
        } else {
            format!("lead{n}@company{}.example", n % 5_000)
        }),
        phone: has_phone.then(|| format!("+1555{:07}", n % 10_000_000)),
        company: format!("Company {}", n % 5_000),
        timeframe: timeframe.to_string(),
        free_mail,
        source_id: sources[rng.gen_range(0..sources.len())].clone(),
        stage,
        owner_kind,
        // A closed lead keeps the rep who held it.
        owner_id: (owner_kind == "rep").then(|| rep.clone()).flatten(),
        attempts,
        conversations,
        next_action: (!closed).then(|| match owner_kind {
            "marketing" => "nurture_touch".to_string(),
            _ if stage == "qualifying" => "qualify".to_string(),
            _ => format!("call:{}", attempts + 1),
        }),
        next_due_at,
        nurture_reason: (stage == "nurture").then_some("unreached"),
        closed_outcome: closed.then_some(stage),
        dead_reason: (stage == "dead").then_some(if conversations > 0 {
            "not_a_buyer"
        } else {
            "invalid_contact"
        }),
        won_amount_cents: (stage == "won").then(|| rng.gen_range(100_000..2_000_000)),
        won_on: (stage == "won").then(|| closed_at.unwrap_or(now).date_naive()),
        closed_at,
        closed_by: closed.then(|| rep.clone()).flatten(),
        last_rep_id: rep.filter(|_| owner_kind != "qualifier"),
        received_at,
        first_attempt_at,
        last_touch_at: first_attempt_at
            .map(|first| first + Duration::hours((attempts - 1).max(0) * 20)),
        id,
    };
    Made { lead, assignment }
}
