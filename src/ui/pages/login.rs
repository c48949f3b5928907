//! `/login`: email and password. Works as a plain HTML form before the WebAssembly loads.

use crate::api::auth::Login;
use crate::ui::components::post_form::{FormPost, PostForm};
use leptos::prelude::*;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = FormPost::to::<Login>();
    let error = move || {
        login
            .value()
            .and_then(Result::err)
            .map(|e| view! { <p class="error" role="alert" data-testid="login-error">{e.to_string()}</p> })
    };
    view! {
        <leptos_meta::Title text="Sign in · Leadline"/>
        <main class="login-page">
            <h1 class="brand-big">"Leadline"</h1>
            <p class="tagline">"Every lead followed up until it buys or dies."</p>
            <PostForm post=login class="card login-form">
                <label>
                    "Email"
                    <input type="email" name="email" required autocomplete="username"
                        data-testid="login-email"/>
                </label>
                <label>
                    "Password"
                    <input type="password" name="password" required autocomplete="current-password"
                        data-testid="login-password"/>
                </label>
                <button type="submit" class="primary" data-testid="login-submit"
                    disabled=move || login.pending().get()>
                    "Sign in"
                </button>
                {error}
            </PostForm>
        </main>
    }
}
