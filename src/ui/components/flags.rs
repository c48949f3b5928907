//! The segment flags a lead carries (the segments reps tend to drop), as small badges.

use leptos::prelude::*;

/// Badges for the flags that are on, in a fixed order.
pub fn flags(hot: bool, repeat_inquirer: bool, no_phone: bool, free_mail: bool) -> impl IntoView {
    [
        (hot, "Hot"),
        (repeat_inquirer, "Repeat inquirer"),
        (no_phone, "No phone"),
        (free_mail, "Free-mail"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, label)| view! { <span class="flag">{label}</span> })
    .collect_view()
}
