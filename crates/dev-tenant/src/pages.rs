//! The tenant's HTML: the login page, the `web_message` response page, error pages.
//! Every fixture or request string is escaped; JSON inside `<script>` cannot close it.

use crate::store::Profile;
use crate::util::{html_escape, script_json};
use serde_json::Value;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}\
button{display:block;width:100%;margin:.5rem 0;padding:.75rem;text-align:left;font-size:1rem;cursor:pointer}\
small{color:#555}.banner{background:#fff3cd;padding:.5rem;border-radius:4px}";

pub fn login_page(
    tx: &str,
    client_name: &str,
    connection_label: Option<&str>,
    choices: &[(String, String, Profile)],
    confirm_hint: Option<&str>,
) -> String {
    let mut buttons = String::new();
    for (identity, connection, profile) in choices {
        let hinted =
            confirm_hint.is_some_and(|h| h == identity || profile.email.as_deref() == Some(h));
        buttons.push_str(&format!(
            "<button type=\"submit\" name=\"identity\" value=\"{}\" data-identity=\"{}\"{}>{}<br><small>{} · {}</small></button>",
            html_escape(identity),
            html_escape(identity),
            if hinted { " data-hinted=\"true\"" } else { "" },
            html_escape(&profile.name),
            html_escape(profile.email.as_deref().unwrap_or("(no email)")),
            html_escape(connection),
        ));
    }
    if choices.is_empty() {
        buttons.push_str("<p>No fixture user can sign in with this connection.</p>");
    }
    let via = connection_label
        .map(|l| format!(" with {}", html_escape(l)))
        .unwrap_or_default();
    // A login with `max_age` whose session is too old: the user is asked to prove it is
    // them (Auth0's login page shows the hinted account the same way).
    let heading = match confirm_hint {
        Some(hint) => format!(
            "<h1 data-reauthenticate=\"true\">Confirm it's you</h1><p>Sign in again as <strong>{}</strong>{via} to continue to <strong>{}</strong>:</p>",
            html_escape(hint),
            html_escape(client_name),
        ),
        None => format!(
            "<h1>Sign in{via}</h1><p>to continue to <strong>{}</strong>. Pick a fixture account:</p>",
            html_escape(client_name),
        ),
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>Sign in · dev tenant</title>\
<style>{STYLE}</style></head><body><p class=\"banner\">Local dev tenant: not a real identity provider.</p>\
{heading}\
<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"tx\" value=\"{}\">{buttons}</form></body></html>",
        html_escape(tx),
    )
}

/// Posts `{type: "authorization_response", response}` to the opener (popup) or parent
/// (iframe), targeting exactly `target_origin`.
pub fn web_message_page(target_origin: &str, response: &Value) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>Authorization response</title></head><body>\
<script>(function(){{var target={};var response={};\
var w=window.opener||(window.parent!==window?window.parent:null);\
if(w){{w.postMessage({{type:\"authorization_response\",response:response}},target);}}}})();</script>\
<p>You can close this window.</p></body></html>",
        script_json(&Value::String(target_origin.to_owned())),
        script_json(response),
    )
}

pub fn error_page(message: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>Error · dev tenant</title>\
<style>{STYLE}</style></head><body><h1>Something went wrong</h1><p id=\"error\">{}</p></body></html>",
        html_escape(message)
    )
}
