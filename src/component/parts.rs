//! The widget's parts, each a small function component. The CSS classes, `part`s and
//! `data-*` attributes are the styling and testing API hosts rely on (see the package
//! README).

use crate::browser::focus;
use crate::messages::Texts;
use crate::runner::Status;
use crate::widget::{Command, Notice};
use account_link_core::config::LinkConfig;
use account_link_core::id_token::SecondaryProfile;
use account_link_core::management::Identity;
use yew::prelude::*;

/// The `data-status` value for a status (stable: hosts and tests select on it).
pub fn status_name(status: &Status) -> &'static str {
    match status {
        Status::Idle => "idle",
        Status::Preparing => "preparing",
        Status::Ready => "ready",
        Status::PopupBlocked => "popup_blocked",
        Status::AwaitingLogin => "awaiting_login",
        Status::Verifying => "verifying",
        Status::Confirming(_) => "confirming",
        Status::Linking => "linking",
        Status::Linked => "linked",
        Status::Failed(_) => "failed",
        Status::Cancelled => "cancelled",
    }
}

/// The live-region text for a status. An outcome (linked, failed, cancelled) is said by
/// the notice alone, so nothing is said twice.
fn status_text(status: &Status, texts: &Texts) -> String {
    let key = match status {
        Status::Idle | Status::Preparing => "status.preparing",
        Status::Ready => "status.ready",
        Status::PopupBlocked => "status.popup_blocked",
        Status::AwaitingLogin => "status.awaiting_login",
        Status::Verifying => "status.verifying",
        Status::Confirming(_) => "status.confirming",
        Status::Linking => "status.linking",
        Status::Linked | Status::Failed(_) | Status::Cancelled => return String::new(),
    };
    texts.get(key)
}

/// A notice's words.
pub fn notice_text(notice: &Notice, texts: &Texts) -> String {
    match notice {
        Notice::Linked => texts.get("status.linked"),
        Notice::Unlinked => texts.get("unlinked"),
        Notice::Cancelled(words) => words
            .clone()
            .unwrap_or_else(|| texts.get("error.cancelled")),
        Notice::Error(e) => {
            let words = texts.error(e);
            match e.idp_error() {
                Some((error, description)) => {
                    format!("{words} ({})", description.unwrap_or(error))
                }
                None => words,
            }
        }
    }
}

/// Focuses the element behind `target` once, when the component that owns it mounts.
#[hook]
fn use_focus_on_mount(target: NodeRef) {
    use_effect_with((), move |_| {
        if let Some(el) = target.cast::<web_sys::Element>() {
            focus::give(&el);
        }
    });
}

/// A keydown handler that runs `command` on Escape (a dialog's "no").
fn on_escape(on_command: &Callback<Command>, command: Command) -> Callback<KeyboardEvent> {
    let on_command = on_command.clone();
    Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Escape" {
            e.prevent_default();
            on_command.emit(command.clone());
        }
    })
}

#[derive(Properties, PartialEq)]
pub struct StatusLineProps {
    pub status: Status,
    pub texts: Texts,
}

/// The live region that says where the flow is.
#[function_component(StatusLine)]
pub fn status_line(props: &StatusLineProps) -> Html {
    html! {
        <p class="aal-status" role="status" aria-live="polite" data-status={status_name(&props.status)}>
            { status_text(&props.status, &props.texts) }
        </p>
    }
}

#[derive(Properties, PartialEq)]
pub struct NoticeBarProps {
    pub notice: Notice,
    pub texts: Texts,
    pub on_command: Callback<Command>,
}

/// What just happened (linked, unlinked, cancelled, an error), until dismissed.
#[function_component(NoticeBar)]
pub fn notice_bar(props: &NoticeBarProps) -> Html {
    let notice = &props.notice;
    let error = notice.is_error();
    let dismiss = props.on_command.reform(|_: MouseEvent| Command::Dismiss);
    html! {
        <div
            class={classes!("aal-notice", error.then_some("aal-error"))}

            role={if error { "alert" } else { "status" }}
            data-code={notice.code().unwrap_or("")}
        >
            <span class="aal-notice-text">{ notice_text(notice, &props.texts) }</span>
            <button type="button" class="aal-dismiss" onclick={dismiss}>
                { props.texts.get("dismiss") }
            </button>
        </div>
    }
}

/// Who a row is: the email, else the name, else the user id.
fn who(identity: &Identity) -> String {
    let profile = identity.profile_data.clone().unwrap_or_default();
    profile
        .email
        .or(profile.name)
        .unwrap_or_else(|| identity.user_id.clone())
}

#[derive(Properties, PartialEq)]
pub struct IdentityListProps {
    pub identities: Vec<Identity>,
    pub unlinking: bool,
    pub texts: Texts,
    pub on_command: Callback<Command>,
}

/// The user's identities, the primary first (it can never be unlinked here).
#[function_component(IdentityList)]
pub fn identity_list(props: &IdentityListProps) -> Html {
    html! {
        <ul class="aal-identities" aria-label={props.texts.get("identities_label")}>
            { for props.identities.iter().enumerate().map(|(index, identity)| html! {
                <IdentityRow
                    key={format!("{}|{}", identity.provider, identity.user_id)}
                    identity={identity.clone()}
                    primary={index == 0}
                    unlinking={props.unlinking}
                    texts={props.texts.clone()}
                    on_command={props.on_command.clone()}
                />
            }) }
        </ul>
    }
}

#[derive(Properties, PartialEq)]
pub struct IdentityRowProps {
    pub identity: Identity,
    pub primary: bool,
    pub unlinking: bool,
    pub texts: Texts,
    pub on_command: Callback<Command>,
}

/// The provider's mark: its logo (drawn by the stylesheet for the providers it knows,
/// over the letter) or the first letter of its name.
fn badge(provider: &str, label: &str) -> Html {
    let initial: String = label
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    html! {
        <span class="aal-badge" aria-hidden="true" data-provider={provider.to_owned()}>{ initial }</span>
    }
}

#[function_component(IdentityRow)]
pub fn identity_row(props: &IdentityRowProps) -> Html {
    let identity = &props.identity;
    let texts = &props.texts;
    let label = texts.provider(&identity.provider);
    let account = who(identity);
    // The picture (https only: the core drops any other), over the badge: a picture that
    // fails to load hides itself and the badge shows (no state, no re-render).
    let picture = identity
        .profile_data
        .as_ref()
        .and_then(|p| p.picture.clone())
        .map(|src| {
            let onerror = Callback::from(|e: Event| {
                if let Some(img) = e.target_dyn_into::<web_sys::Element>() {
                    let _hidden = img.set_attribute("hidden", "");
                }
            });
            html! { <img class="aal-picture" {src} alt="" referrerpolicy="no-referrer" {onerror} /> }
        });
    let mark = html! { <>{ picture }{ badge(&identity.provider, &label) }</> };
    let action = if props.primary {
        html! { <span class="aal-primary">{ texts.get("primary") }</span> }
    } else {
        let ask = {
            let identity = identity.clone();
            props
                .on_command
                .reform(move |_: MouseEvent| Command::AskUnlink(identity.clone()))
        };
        let name = texts.fill(
            "unlink_label",
            &[("provider", &label), ("account", &account)],
        );
        html! {
            <button type="button" class="aal-unlink" aria-label={name} disabled={props.unlinking} onclick={ask}>
                { texts.get("unlink") }
            </button>
        }
    };
    html! {
        <li class="aal-identity" data-provider={identity.provider.clone()} data-user-id={identity.user_id.clone()}>
            { mark }
            <span class="aal-provider">{ label }</span>
            <span class="aal-who">{ account }</span>
            { action }
        </li>
    }
}

#[derive(Properties, PartialEq)]
pub struct UnlinkDialogProps {
    pub identity: Identity,
    pub unlinking: bool,
    pub texts: Texts,
    pub on_command: Callback<Command>,
}

/// "Unlink this account?" The focus starts on Cancel, the safe answer of a destructive
/// question; Escape cancels.
#[function_component(UnlinkDialog)]
pub fn unlink_dialog(props: &UnlinkDialogProps) -> Html {
    let cancel_ref = use_node_ref();
    use_focus_on_mount(cancel_ref.clone());
    let texts = &props.texts;
    let identity = &props.identity;
    let confirm = {
        let identity = identity.clone();
        props
            .on_command
            .reform(move |_: MouseEvent| Command::ConfirmUnlink(identity.clone()))
    };
    let cancel = props
        .on_command
        .reform(|_: MouseEvent| Command::CancelUnlink);
    let question = texts.get("unlink_question");
    html! {
        <div
            class="aal-dialog"

            role="dialog"
            aria-modal="false"
            aria-label={question.clone()}
            onkeydown={on_escape(&props.on_command, Command::CancelUnlink)}
        >
            <p>{ question }</p>
            <p class="aal-who">
                { format!("{} · {}", texts.provider(&identity.provider), who(identity)) }
            </p>
            <div class="aal-dialog-actions">
                <button type="button" class="aal-confirm-unlink" disabled={props.unlinking} onclick={confirm}>
                    { texts.get("unlink_confirm") }
                </button>
                <button type="button" class="aal-cancel" disabled={props.unlinking} onclick={cancel} ref={cancel_ref}>
                    { texts.get("cancel") }
                </button>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ConfirmDialogProps {
    pub profile: SecondaryProfile,
    pub texts: Texts,
    pub on_command: Callback<Command>,
}

/// "Link this account?" with the verified secondary's provider, name and email. The focus
/// starts on the question, not on "Link this account": an Enter still held from the
/// sign-in window must not confirm a link the user has not read. Escape declines.
#[function_component(ConfirmDialog)]
pub fn confirm_dialog(props: &ConfirmDialogProps) -> Html {
    let title_ref = use_node_ref();
    use_focus_on_mount(title_ref.clone());
    let texts = &props.texts;
    let profile = &props.profile;
    let email = match (&profile.email, profile.email_verified) {
        (Some(e), Some(true)) => e.clone(),
        (Some(e), _) => format!("{e} ({})", texts.get("email_unverified_mark")),
        (None, _) => texts.get("no_email"),
    };
    let accept = props
        .on_command
        .reform(|_: MouseEvent| Command::Confirm(true));
    let decline = props
        .on_command
        .reform(|_: MouseEvent| Command::Confirm(false));
    let title = texts.get("confirm_title");
    html! {
        <div
            class="aal-dialog aal-confirm"

            role="dialog"
            aria-modal="false"
            aria-label={title.clone()}
            onkeydown={on_escape(&props.on_command, Command::Confirm(false))}
        >
            <p class="aal-dialog-title" tabindex="-1" ref={title_ref}>{ title }</p>
            <dl>
                <dt>{ texts.get("provider_label") }</dt>
                <dd class="aal-confirm-provider">{ texts.provider(&profile.provider) }</dd>
                <dt>{ texts.get("name_label") }</dt>
                <dd class="aal-confirm-name">{ profile.name.clone().unwrap_or_default() }</dd>
                <dt>{ texts.get("email_label") }</dt>
                <dd class="aal-confirm-email">{ email }</dd>
            </dl>
            <div class="aal-dialog-actions">
                <button type="button" class="aal-confirm-link" onclick={accept}>
                    { texts.get("confirm_link") }
                </button>
                <button type="button" class="aal-cancel" onclick={decline}>{ texts.get("cancel") }</button>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct LinkActionsProps {
    pub config: LinkConfig,
    pub ready: bool,
    pub texts: Texts,
    pub on_command: Callback<Command>,
}

/// One "Link …" button per configured connection, then "Another account", as a labelled
/// group. Enabled only when a prepared attempt is ready, so the popup opens inside the
/// click.
#[function_component(LinkActions)]
pub fn link_actions(props: &LinkActionsProps) -> Html {
    let texts = &props.texts;
    let button = |connection: Option<&str>, label: String| {
        let command = Command::Link(connection.map(str::to_owned));
        let onclick = props
            .on_command
            .reform(move |_: MouseEvent| command.clone());
        html! {
            <button
                type="button"
                class="aal-link"

                data-connection={connection.unwrap_or("").to_owned()}
                disabled={!props.ready}
                {onclick}
            >
                { label }
            </button>
        }
    };
    html! {
        <div class="aal-actions" role="group" aria-label={texts.get("actions_label")}>
            { for props.config.connections().iter().map(|c| button(
                Some(c.name()),
                texts.fill("link_with", &[("provider", c.label())]),
            )) }
            { button(None, texts.get("another_account")) }
        </div>
    }
}

/// How long getting ready may take before the user is offered to stop waiting, in
/// half-seconds.
const SLOW_PREPARE_HALF_SECONDS: u32 = 3;

/// One clock for the widget's two waits: whether getting ready has been `slow` (over
/// 1.5 s), and the seconds left of a rate limit's `wait`. It ticks only while one of them
/// can still change.
#[hook]
pub fn use_clock(preparing: bool, wait: Option<u64>) -> (bool, u64) {
    let halves = use_state(|| 0u32);
    {
        let halves = halves.clone();
        use_effect_with((preparing, wait), move |(preparing, wait)| {
            halves.set(0);
            let count = std::rc::Rc::new(std::cell::Cell::new(0u32));
            let last = wait.map_or(SLOW_PREPARE_HALF_SECONDS, |w| {
                u32::try_from(w.saturating_mul(2)).unwrap_or(u32::MAX)
            });
            // Dropped (cleared) when what it measures changes or the widget goes.
            let ticker = (*preparing || wait.is_some()).then(|| {
                gloo_timers::callback::Interval::new(500, move || {
                    if count.get() < last {
                        count.set(count.get() + 1);
                        halves.set(count.get());
                    }
                })
            });
            move || drop(ticker)
        });
    }
    let slow = preparing && *halves >= SLOW_PREPARE_HALF_SECONDS;
    let left = wait.map_or(0, |w| w.saturating_sub(u64::from(*halves / 2)));
    (slow, left)
}

#[derive(Properties, PartialEq)]
pub struct RecoveryProps {
    pub status: Status,
    /// The identity list could not be read (or reading it was cancelled).
    pub list_failed: bool,
    pub can_continue_in_tab: bool,
    /// Getting ready (or the first list) has taken long: offer to stop waiting.
    pub slow: bool,
    /// Seconds before a rate-limited widget may try again.
    pub retry_in: u64,
    pub texts: Texts,
    pub on_command: Callback<Command>,
}

/// The way forward: after a blocked popup (continue in this tab), a failure or a cancel
/// (try again), after a rate limit (the seconds until the widget may try again), and
/// while getting ready takes long (a token source that hangs): cancel.
#[function_component(Recovery)]
pub fn recovery(props: &RecoveryProps) -> Html {
    let texts = &props.texts;
    if props.retry_in > 0 {
        let seconds = props.retry_in.to_string();
        return html! {
            <button type="button" class="aal-retry-wait" disabled={true} data-retry-in={seconds.clone()}>
                { texts.fill("try_again_in", &[("seconds", &seconds)]) }
            </button>
        };
    }
    let (class, label, command) = match &props.status {
        _ if props.slow => ("aal-cancel-prepare", texts.get("cancel"), Command::Cancel),
        Status::PopupBlocked if props.can_continue_in_tab => (
            "aal-continue-in-tab",
            texts.get("continue_in_tab"),
            Command::ContinueInTab,
        ),
        Status::PopupBlocked | Status::Failed(_) | Status::Cancelled => {
            ("aal-retry", texts.get("try_again"), Command::Retry)
        }
        Status::Idle if props.list_failed => ("aal-retry", texts.get("try_again"), Command::Retry),
        _ => return html! {},
    };
    let onclick = props
        .on_command
        .reform(move |_: MouseEvent| command.clone());
    html! {
        <button type="button" {class} {onclick}>{ label }</button>
    }
}
