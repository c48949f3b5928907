//! What the binary does for each command.

use crate::domain::cadence::Policy;
use crate::server::cli::{Cli, Command, PolicyAction, SourceAction, TerritoryAction, UserAction};
use crate::server::clock::Clock;
use crate::server::config::Config;
use crate::server::live::Live;
use crate::server::passwords::Passwords;
use crate::server::services::{
    accounts, boards, demo, generate, housekeeping, lifecycle, policy, scheduler, sources, team,
    territories, webhooks, ServiceError,
};
use crate::server::state::AppState;
use crate::server::{connections, store};
use clap::Parser;
use leptos::config::{get_configuration, LeptosOptions};
use tokio::io::AsyncBufReadExt;

/// Parses the command line and runs the command. Errors come back as a sentence for the user.
pub async fn main() -> Result<(), String> {
    let cli = Cli::parse();
    let config = Config::from_env();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let db = store::connect(&config.database_url)
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", config.database_url))?;
    let clock = Clock::default();
    let backfilled = lifecycle::backfill_assignments(&db)
        .await
        .map_err(|e| format!("cannot bring the compliance records up to date: {e}"))?;
    if backfilled > 0 {
        tracing::info!("started compliance records for {backfilled} leads reps already held");
    }
    let policy = store::policy::load(&db, config.timezone)
        .await
        .map_err(|e| format!("cannot read the follow-up policy: {e}"))?;

    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(db, config, policy, clock).await,
        Command::User {
            action:
                UserAction::Add {
                    role,
                    email,
                    name,
                    territory,
                    quota,
                },
        } => {
            let mut password = String::new();
            tokio::io::BufReader::new(tokio::io::stdin())
                .read_line(&mut password)
                .await
                .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']);
            let passwords = Passwords::for_this_machine();
            let user =
                accounts::add_user(&db, &passwords, clock.now(), role, &email, &name, password)
                    .await
                    .map_err(explain)?;
            if territory.is_some() || quota.is_some() {
                store::users::set_territory(
                    &db,
                    &user.id,
                    territory.as_deref().unwrap_or("Main"),
                    i64::from(quota.unwrap_or(4)),
                )
                .await
                .map_err(|e| format!("cannot set the territory: {e}"))?;
            }
            println!("Added {} ({}) as {}.", user.name, user.email, user.role);
            Ok(())
        }
        Command::Territory { action } => {
            match action {
                TerritoryAction::Add {
                    name,
                    country,
                    region,
                    postcode,
                    source,
                } => {
                    let definition = territories::Definition {
                        country: country.as_deref(),
                        regions: &region,
                        postcodes: &postcode,
                        sources: &source,
                    };
                    let added = territories::add(&db, clock.now(), &name, definition)
                        .await
                        .map_err(explain)?;
                    println!("Added {added} rule(s) to {name}.");
                }
                TerritoryAction::Join { name, email } => {
                    territories::join(&db, &name, &email)
                        .await
                        .map_err(explain)?;
                    println!("{email} now works {name}.");
                }
                TerritoryAction::List => {
                    for line in territories::describe(&db).await.map_err(explain)? {
                        println!("{line}");
                    }
                }
            }
            Ok(())
        }
        Command::Policy { action } => {
            let changed = match action {
                PolicyAction::Show => policy,
                PolicyAction::Hours {
                    days,
                    opens,
                    closes,
                    timezone,
                } => policy::set_hours(&db, &policy, &days, &opens, &closes, timezone.as_deref())
                    .await
                    .map_err(explain)?,
                PolicyAction::CallingWindow { opens, closes, .. } => {
                    let window = opens.as_deref().zip(closes.as_deref());
                    policy::set_calling_window(&db, &policy, window)
                        .await
                        .map_err(explain)?
                }
            };
            println!("{}", policy::describe(&changed));
            Ok(())
        }
        Command::User {
            action: UserAction::Deactivate { email },
        } => {
            let moved = team::deactivate(&db, &policy, clock.now(), &email, &Live::default())
                .await
                .map_err(explain)?;
            println!("Switched off {email}; {moved} open leads went to others.");
            Ok(())
        }
        Command::User {
            action: UserAction::Away { email, from, until },
        } => {
            let start_of = |day: chrono::NaiveDate| {
                day.and_hms_opt(0, 0, 0)
                    .and_then(|t| t.and_local_timezone(config.timezone).earliest())
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .ok_or_else(|| format!("{day} is not a day in {}", config.timezone))
            };
            let from = match from {
                Some(day) => start_of(day)?,
                None => clock.now(),
            };
            team::set_away(&db, &email, from, start_of(until)?)
                .await
                .map_err(explain)?;
            println!("{email} is away until {until}: no new leads meanwhile.");
            Ok(())
        }
        Command::Source {
            action: SourceAction::Add { name, cost },
        } => {
            let (source, key) = sources::add_source(&db, clock.now(), &name)
                .await
                .map_err(explain)?;
            if let Some(cost) = cost {
                sources::set_cost(&db, &source.id, &cost)
                    .await
                    .map_err(explain)?;
            }
            println!("Added source {}. Its API key (shown once):", source.name);
            println!("{key}");
            Ok(())
        }
        Command::Demo => {
            let passwords = Passwords::for_this_machine();
            let loaded = demo::load(&db, &passwords, &policy, &config.phone_region, clock.now())
                .await
                .map_err(explain)?;
            match loaded {
                demo::Loaded::Fresh {
                    leads,
                    web_form_key,
                } => {
                    println!("Loaded the demo team and {leads} leads.");
                    println!("API key of the 'Website form' source: {web_form_key}");
                }
                demo::Loaded::AlreadyThere => println!("The demo data is already loaded."),
            }
            println!("Demo logins (password '{}'):", demo::DEMO_PASSWORD);
            for (role, email, name) in demo::TEAM {
                println!("  {:<10} {email:<24} {name}", role.as_str());
            }
            Ok(())
        }
        Command::Generate {
            leads,
            reps,
            days,
            seed,
        } => {
            let started = std::time::Instant::now();
            let shape = generate::Shape {
                leads,
                reps,
                days,
                seed,
            };
            let passwords = Passwords::for_this_machine();
            generate::generate(&db, &passwords, clock.now(), shape, |done| {
                eprintln!("  {done} leads written");
            })
            .await
            .map_err(explain)?;
            println!(
                "Generated {leads} leads and {reps} reps in {:.0} s. Manager: {} / {}",
                started.elapsed().as_secs_f64(),
                generate::MANAGER_EMAIL,
                generate::PASSWORD
            );
            Ok(())
        }
        Command::Bench { runs } => crate::server::bench::boards(&db, &policy, clock.now(), runs)
            .await
            .map_err(explain),
        Command::BenchLive {
            connections,
            posts,
            every_ms,
        } => {
            let every = std::time::Duration::from_millis(every_ms);
            // All the boards connect from this one address.
            let config = Config {
                max_connections_per_address: connections + 64,
                max_connections: config.max_connections.max(connections + 64),
                ..config
            };
            on_scratch_database(config, policy, clock, |state| {
                crate::server::bench::live(state.db.clone(), state, connections, posts, every)
            })
            .await
        }
        Command::BenchIntake { leads, connections } => {
            // Every connection is this one address, and one source sends every lead.
            let config = Config {
                max_connections_per_address: connections + 64,
                max_connections: config.max_connections.max(connections + 64),
                source_posts_per_minute: u32::MAX,
                ..config
            };
            on_scratch_database(config, policy, clock, |state| {
                crate::server::bench_intake::run(state, leads, connections)
            })
            .await
        }
        Command::BenchSignIn { burst } => {
            // Each burst attempt names an address of its own in X-Forwarded-For.
            let config = Config {
                trust_proxy: true,
                ..config
            };
            on_scratch_database(config, policy, clock, |state| {
                crate::server::bench_sign_in::run(state, burst)
            })
            .await
        }
    }
}

/// Runs a benchmark against the app on a fresh database of its own, deleted afterwards.
async fn on_scratch_database<F, Fut>(
    config: Config,
    policy: Policy,
    clock: Clock,
    bench: F,
) -> Result<(), String>
where
    F: FnOnce(AppState) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let path = std::env::temp_dir().join(format!("leadline-bench-{}.db", std::process::id()));
    let url = format!("sqlite:{}", path.display());
    let result = async {
        let fresh = store::connect(&url)
            .await
            .map_err(|e| format!("cannot open a scratch database: {e}"))?;
        let state = AppState::build(fresh, config, policy, clock, leptos_options()?)
            .await
            .map_err(|e| format!("cannot load the boards: {e}"))?;
        bench(state).await
    }
    .await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    result
}

/// A service error as a sentence for the command line.
fn explain(err: ServiceError) -> String {
    match err {
        ServiceError::Invalid(errors) => errors
            .iter()
            .map(|e| format!("{} {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// Leptos settings from the environment cargo-leptos sets, else from Cargo.toml. File names
/// carry content hashes when the build wrote its hash file beside this binary.
fn leptos_options() -> Result<LeptosOptions, String> {
    let mut options = get_configuration(None)
        .or_else(|_| get_configuration(Some("Cargo.toml")))
        .map(|conf| conf.leptos_options)
        .map_err(|e| format!("cannot read the Leptos settings: {e}"))?;
    let hash_file = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())));
    options.hash_files = hash_file.is_some_and(|file| file.is_file());
    Ok(options)
}

async fn serve(
    db: sqlx::SqlitePool,
    config: Config,
    policy: Policy,
    clock: Clock,
) -> Result<(), String> {
    let leptos_options = leptos_options()?;
    let addr = leptos_options.site_addr;
    let every = std::time::Duration::from_secs(config.tick_seconds);
    let state = AppState::build(db, config, policy, clock, leptos_options)
        .await
        .map_err(|e| format!("cannot load the boards: {e}"))?;
    scheduler::spawn(
        state.db.clone(),
        state.policy.clone(),
        state.config.timezone,
        state.clock.clone(),
        state.live.clone(),
        every,
    );
    boards::spawn_aging_ticker(state.db.clone(), state.clock.clone(), state.live.clone());
    // Deliveries a stop interrupted (or still waiting for their next try) go on from the outbox.
    webhooks::load(&state.db)
        .await
        .map_err(|e| format!("cannot read the webhooks: {e}"))?;
    webhooks::spawn_sender(
        state.db.clone(),
        state.clock.clone(),
        state.config.webhooks_private,
    );
    // Lists a stop interrupted go on from their last committed rows.
    crate::server::services::imports::resume_all(&state.importer())
        .await
        .map_err(|e| format!("cannot resume imports: {e}"))?;
    housekeeping::spawn(
        state.db.clone(),
        state.clock.clone(),
        housekeeping::Retention {
            session_idle: chrono::Duration::minutes(state.config.session_idle_minutes),
            ..housekeeping::Retention::default()
        },
    );
    let live = state.live.clone();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("Leadline is listening on http://{addr}");
    println!("Leadline is running at http://{addr}");
    let shutdown = async move {
        let _ = tokio::signal::ctrl_c().await;
        // Open live streams never end by themselves; end them so shutdown can finish.
        live.close();
    };
    connections::serve(listener, state, shutdown)
        .await
        .map_err(|e| format!("the server stopped: {e}"))
}
