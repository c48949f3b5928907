//! `/admin/people`: everyone on the team. An admin adds a person (who chooses a password
//! through a one-time link shown here to pass on), changes their role, territory, quota and
//! capacity, marks them away, resets their password, unlocks their sign-in, ends their
//! sessions, or switches them off (their open leads go to others). A manager marks people away.

use super::{field_message, refusal_text, AdminTabs, Field};
use crate::api::admin::{
    people, AddPerson, DeactivatePerson, EditPerson, EndPersonSessions, Invitation, MarkAway,
    PersonLine, ReactivatePerson, ResetPassword, UnlockPerson,
};
use crate::api::auth::current_user;
use crate::api::ApiError;
use crate::domain::role::Role;
use crate::ui::components::frame::{refusal, TopBar};
use crate::ui::components::load::load;
use leptos::prelude::*;

/// Every action on this screen, so a row can use them and the list re-reads after each.
#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddPerson>,
    edit: ServerAction<EditPerson>,
    away: ServerAction<MarkAway>,
    deactivate: ServerAction<DeactivatePerson>,
    reactivate: ServerAction<ReactivatePerson>,
    reset: ServerAction<ResetPassword>,
    unlock: ServerAction<UnlockPerson>,
    end: ServerAction<EndPersonSessions>,
}

impl Actions {
    fn version(&self) -> usize {
        self.add.version().get()
            + self.edit.version().get()
            + self.away.version().get()
            + self.deactivate.version().get()
            + self.reactivate.version().get()
            + self.reset.version().get()
            + self.unlock.version().get()
            + self.end.version().get()
    }
}

/// What the last action did, in a sentence, or why it was refused.
fn last_outcome(actions: Actions) -> Option<Result<String, ApiError>> {
    // The most recent action's outcome wins: each has its own version.
    let mut outcomes: Vec<(usize, Option<Result<String, ApiError>>)> =
        vec![
            (
                actions.edit.version().get(),
                actions
                    .edit
                    .value()
                    .get()
                    .map(|r| r.map(|()| "Saved.".to_string())),
            ),
            (
                actions.away.version().get(),
                actions
                    .away
                    .value()
                    .get()
                    .map(|r| r.map(|()| "Away dates saved.".to_string())),
            ),
            (
                actions.deactivate.version().get(),
                actions.deactivate.value().get().map(|r| {
                    r.map(|moved| format!("Switched off. {moved} open leads went to others."))
                }),
            ),
            (
                actions.reactivate.version().get(),
                actions
                    .reactivate
                    .value()
                    .get()
                    .map(|r| r.map(|()| "Switched on.".to_string())),
            ),
            (
                actions.unlock.version().get(),
                actions.unlock.value().get().map(|r| {
                    r.map(|n| format!("Sign-in unlocked ({n} failed attempts forgiven)."))
                }),
            ),
            (
                actions.end.version().get(),
                actions
                    .end
                    .value()
                    .get()
                    .map(|r| r.map(|n| format!("{n} sessions ended."))),
            ),
        ];
    outcomes.sort_by_key(|(version, _)| *version);
    outcomes
        .pop()
        .and_then(|(version, outcome)| (version > 0).then_some(outcome).flatten())
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    let actions = Actions {
        add: ServerAction::<AddPerson>::new(),
        edit: ServerAction::<EditPerson>::new(),
        away: ServerAction::<MarkAway>::new(),
        deactivate: ServerAction::<DeactivatePerson>::new(),
        reactivate: ServerAction::<ReactivatePerson>::new(),
        reset: ServerAction::<ResetPassword>::new(),
        unlock: ServerAction::<UnlockPerson>::new(),
        end: ServerAction::<EndPersonSessions>::new(),
    };
    let me = load(|| (), |_| current_user());
    let team = load(move || actions.version(), |_| people());
    view! {
        <Transition fallback=|| view! { <p class="page">"Loading the team…"</p> }>
            {move || Suspend::new(async move {
                let user = match me.await {
                    Ok(Some(user)) => user,
                    Ok(None) => return refusal(ApiError::Unauthenticated),
                    Err(e) => return refusal(e),
                };
                let team = match team.await {
                    Ok(team) => team,
                    Err(e) => return refusal(e),
                };
                let can_edit = team.can_edit;
                let capacity = team.team_capacity;
                let rows = team
                    .people
                    .into_iter()
                    .map(|person| person_row(person, can_edit, capacity, actions))
                    .collect_view();
                view! {
                    <TopBar user=user.clone() title="Team"/>
                    <main class="page wide admin">
                        <AdminTabs user current="/admin/people"/>
                        {can_edit.then(|| add_form(actions, capacity))}
                        {move || invitation(actions.add.value().get().and_then(Result::ok))}
                        {move || invitation(actions.reset.value().get().and_then(Result::ok))}
                        <div role="status" class="outcome">
                            {move || match last_outcome(actions) {
                                Some(Ok(text)) => Some(view! { <p class="saved" data-testid="people-saved">{text}</p> }.into_any()),
                                Some(Err(e)) => Some(view! { <p class="error" data-testid="people-error">{refusal_text(&e)}</p> }.into_any()),
                                None => None,
                            }}
                        </div>
                        <div class="scroll">
                            <table class="grid people">
                                <caption class="sr-only">"Everyone on the team"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Person"</th>
                                        <th scope="col">"Role"</th>
                                        <th scope="col">"Territory"</th>
                                        <th scope="col">"Open leads"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col">"Change"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    </main>
                }
                .into_any()
            })}
        </Transition>
    }
}

/// The one-time link just made, to copy and pass on.
fn invitation(invitation: Option<Invitation>) -> Option<impl IntoView> {
    invitation.map(|inv| {
        view! {
            <div class="card invite" data-testid="invite">
                <p>
                    "Give " <strong>{inv.name}</strong>
                    " this link to choose a password. It works once, until " {inv.expires}
                    ", and is not shown again:"
                </p>
                <label class="sr-only" for="invite-link">"One-time link"</label>
                <input id="invite-link" class="copy" type="text" readonly value=inv.link
                    data-testid="invite-link"/>
            </div>
        }
    })
}

fn role_options(current: &str) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|role| {
            let name = role.as_str();
            view! { <option value=name selected=name == current>{name}</option> }
        })
        .collect_view()
}

fn add_form(actions: Actions, capacity: u32) -> impl IntoView {
    let add = actions.add;
    let error =
        move |field: &'static str| Signal::derive(move || field_message(add.value().get(), field));
    view! {
        <details class="card add-person" open=move || matches!(add.value().get(), Some(Err(_)))>
            <summary data-testid="add-person">"Add a person"</summary>
            <ActionForm action=add attr:class="stack columns">
                <Field label="Name" name="name" value="" error=error("name") testid="person-name"/>
                <Field label="Email" name="email" value="" kind="email" error=error("email") testid="person-email"/>
                <label for="new-role">"Role"</label>
                <select id="new-role" name="role" data-testid="person-role">{role_options("rep")}</select>
                <Field label="Territory" name="territory" value="Main" error=error("territory")/>
                <Field label="Sales a month (quota)" name="monthly_quota" value="4" error=error("monthly_quota")/>
                <Field label="Open leads at most" name="capacity" value="" hint="empty: the team's"
                    placeholder=capacity.to_string() error=error("capacity")/>
                <button type="submit" class="primary narrow" data-testid="person-add"
                    disabled=move || add.pending().get()>"Add and make a link"</button>
                {move || match add.value().get() {
                    Some(Err(e)) => Some(view! { <p class="error" role="alert" data-testid="add-error">{refusal_text(&e)}</p> }),
                    _ => None,
                }}
            </ActionForm>
        </details>
    }
}

fn person_row(
    person: PersonLine,
    can_edit: bool,
    capacity: u32,
    actions: Actions,
) -> impl IntoView {
    let status = if person.active {
        [person.away.clone(), person.last_seen.clone()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    } else {
        "Switched off".to_string()
    };
    let id = person.id.clone();
    let testid = format!("person-{}", person.email);
    view! {
        <tr class:off=!person.active data-testid=testid>
            <th scope="row">{person.name.clone()}<span class="sub">{person.email.clone()}</span></th>
            <td>{person.role.clone()}</td>
            <td>{person.territory.clone()}</td>
            <td>{person.open_leads}</td>
            <td>{status}</td>
            <td>
                <details class="row-actions">
                    <summary>"Change " <span class="sr-only">{person.name.clone()}</span></summary>
                    {can_edit.then(|| edit_form(person.clone(), capacity, actions))}
                    {person.active.then(|| away_form(id.clone(), actions))}
                    {can_edit.then(|| account_buttons(person.clone(), actions))}
                </details>
            </td>
        </tr>
    }
}

fn edit_form(person: PersonLine, capacity: u32, actions: Actions) -> impl IntoView {
    let scope = format!("-{}", person.id);
    view! {
        <ActionForm action=actions.edit attr:class="stack">
            <input type="hidden" name="user_id" value=person.id.clone()/>
            <Field label="Name" name="name" value=person.name.clone() scope=scope.clone()/>
            <label for=format!("role{scope}")>"Role"</label>
            <select id=format!("role{scope}") name="role">{role_options(&person.role)}</select>
            <Field label="Territory" name="territory" value=person.territory.clone() scope=scope.clone()/>
            <Field label="Sales a month (quota)" name="monthly_quota" value=person.monthly_quota.to_string() scope=scope.clone()/>
            <Field label="Open leads at most" name="capacity" value=person.capacity.clone()
                hint="empty: the team's" placeholder=capacity.to_string() scope=scope/>
            <button type="submit" class="primary narrow">"Save"</button>
        </ActionForm>
    }
}

fn away_form(id: String, actions: Actions) -> impl IntoView {
    let scope = format!("-{id}");
    view! {
        <ActionForm action=actions.away attr:class="stack away">
            <input type="hidden" name="user_id" value=id/>
            <Field label="Away from" name="from" value="" kind="date" hint="empty: today" scope=scope.clone()/>
            <Field label="Back after" name="until" value="" kind="date" scope=scope/>
            <button type="submit" class="button" data-testid="away-save">"Mark away (no new leads)"</button>
            <p class="muted">"Both dates empty: back now."</p>
        </ActionForm>
    }
}

fn account_buttons(person: PersonLine, actions: Actions) -> impl IntoView {
    let hidden = |id: &str| {
        let id = id.to_string();
        view! { <input type="hidden" name="user_id" value=id/> }
    };
    let (a, b, c, d) = (
        hidden(&person.id),
        hidden(&person.id),
        hidden(&person.id),
        hidden(&person.id),
    );
    let switch = if person.active {
        view! {
            <ActionForm action=actions.deactivate>
                {d}
                <button type="submit" class="danger" data-testid="deactivate">
                    {format!("Switch off (their {} open leads go to others)", person.open_leads)}
                </button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! {
            <ActionForm action=actions.reactivate>
                {d}
                <button type="submit" class="button">"Switch on"</button>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <div class="button-row">
            <ActionForm action=actions.reset>
                {a}
                <button type="submit" class="button" data-testid="reset-password">"Reset password"</button>
            </ActionForm>
            <ActionForm action=actions.unlock>
                {b}
                <button type="submit" class="button" data-testid="unlock">"Unlock sign-in"</button>
            </ActionForm>
            <ActionForm action=actions.end>
                {c}
                <button type="submit" class="button" data-testid="end-sessions">"End all sessions"</button>
            </ActionForm>
            {switch}
        </div>
    }
}
