//! The widget's parts, each a small function component. The CSS classes and `data-*`
//! attributes are the styling and testing API hosts rely on (see the package README).

use crate::browser::focus;
use crate::messages::{provider_label, status_text, text, Msg};
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

/// A notice's words in `locale`.
pub fn notice_text(notice: &Notice, locale: &str) -> String {
    match notice {
        Notice::Linked => status_text(&Status::Linked, locale).to_owned(),
        Notice::Unlinked => text(Msg::Unlinked, locale).to_owned(),
        Notice::Cancelled => status_text(&Status::Cancelled, locale).to_owned(),
        Notice::Error(e) => {
            let mut words = e.user_message().to_owned();
            if let Some((error, description)) = e.idp_error() {
                words = format!("{words} ({})", description.unwrap_or(error));
            }
            if let Some(s) = e.retry_after_seconds() {
                words = format!("{words} ({s} s)");
            }
            words
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

#[derive(Properties, PartialEq)]
pub struct StatusLineProps {
    pub status: Status,
    pub locale: AttrValue,
}

/// The live region that says where the flow is.
#[function_component(StatusLine)]
pub fn status_line(props: &StatusLineProps) -> Html {
    html! {
        <p class="aal-status" role="status" aria-live="polite" data-status={status_name(&props.status)}>
            { status_text(&props.status, &props.locale) }
        </p>
    }
}

#[derive(Properties, PartialEq)]
pub struct NoticeBarProps {
    pub notice: Notice,
    pub locale: AttrValue,
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
            <span class="aal-notice-text">{ notice_text(notice, &props.locale) }</span>
            <button type="button" class="aal-dismiss" onclick={dismiss}>
                { text(Msg::Dismiss, &props.locale) }
            </button>
        </div>
    }
}

/// What a row shows after the provider: the email, else the name, else the user id.
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
    pub locale: AttrValue,
    pub on_command: Callback<Command>,
}

/// The user's identities, the primary first (it can never be unlinked here).
#[function_component(IdentityList)]
pub fn identity_list(props: &IdentityListProps) -> Html {
    html! {
        <ul class="aal-identities" aria-label={text(Msg::LinkedAccounts, &props.locale)}>
            { for props.identities.iter().enumerate().map(|(index, identity)| html! {
                <IdentityRow
                    key={format!("{}|{}", identity.provider, identity.user_id)}
                    identity={identity.clone()}
                    primary={index == 0}
                    unlinking={props.unlinking}
                    locale={props.locale.clone()}
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
    pub locale: AttrValue,
    pub on_command: Callback<Command>,
}

#[function_component(IdentityRow)]
pub fn identity_row(props: &IdentityRowProps) -> Html {
    let identity = &props.identity;
    let label = provider_label(&identity.provider);
    let initial: String = label
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    let action = if props.primary {
        html! { <span class="aal-primary">{ text(Msg::Primary, &props.locale) }</span> }
    } else {
        let ask = {
            let identity = identity.clone();
            props
                .on_command
                .reform(move |_: MouseEvent| Command::AskUnlink(identity.clone()))
        };
        html! {
            <button type="button" class="aal-unlink" disabled={props.unlinking} onclick={ask}>
                { text(Msg::Unlink, &props.locale) }
            </button>
        }
    };
    html! {
        <li class="aal-identity" data-provider={identity.provider.clone()} data-user-id={identity.user_id.clone()}>
            <span class="aal-badge" aria-hidden="true">{ initial }</span>
            <span class="aal-provider">{ label }</span>
            <span class="aal-who">
                { if props.primary { identity.connection.clone() } else { who(identity) } }
            </span>
            { action }
        </li>
    }
}

#[derive(Properties, PartialEq)]
pub struct UnlinkDialogProps {
    pub identity: Identity,
    pub unlinking: bool,
    pub locale: AttrValue,
    pub on_command: Callback<Command>,
}

/// "Unlink this account?" The focus starts on Cancel: the safe answer of a destructive
/// question.
#[function_component(UnlinkDialog)]
pub fn unlink_dialog(props: &UnlinkDialogProps) -> Html {
    let cancel_ref = use_node_ref();
    use_focus_on_mount(cancel_ref.clone());
    let t = |msg| text(msg, &props.locale);
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
    html! {
        <div class="aal-dialog" role="dialog" aria-modal="false" aria-label={t(Msg::UnlinkQuestion)}>
            <p>{ t(Msg::UnlinkQuestion) }</p>
            <p class="aal-who">
                { format!("{} · {}", provider_label(&identity.provider), who(identity)) }
            </p>
            <button type="button" class="aal-confirm-unlink" disabled={props.unlinking} onclick={confirm}>
                { t(Msg::UnlinkConfirm) }
            </button>
            <button type="button" class="aal-cancel" disabled={props.unlinking} onclick={cancel} ref={cancel_ref}>
                { t(Msg::Cancel) }
            </button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ConfirmDialogProps {
    pub profile: SecondaryProfile,
    pub locale: AttrValue,
    pub on_command: Callback<Command>,
}

/// "Link this account?" with the verified secondary's provider, name and email. The focus
/// starts on the question, not on "Link this account": an Enter still held from the
/// sign-in window must not confirm a link the user has not read.
#[function_component(ConfirmDialog)]
pub fn confirm_dialog(props: &ConfirmDialogProps) -> Html {
    let title_ref = use_node_ref();
    use_focus_on_mount(title_ref.clone());
    let t = |msg| text(msg, &props.locale);
    let profile = &props.profile;
    let email = match (&profile.email, profile.email_verified) {
        (Some(e), Some(true)) => e.clone(),
        (Some(e), _) => format!("{e} ({})", t(Msg::Unverified)),
        (None, _) => t(Msg::NoEmail).to_owned(),
    };
    let accept = props
        .on_command
        .reform(|_: MouseEvent| Command::Confirm(true));
    let decline = props
        .on_command
        .reform(|_: MouseEvent| Command::Confirm(false));
    html! {
        <div class="aal-dialog aal-confirm" role="dialog" aria-modal="false" aria-label={t(Msg::ConfirmTitle)}>
            <p class="aal-dialog-title" tabindex="-1" ref={title_ref}>{ t(Msg::ConfirmTitle) }</p>
            <dl>
                <dt>{ t(Msg::ProviderLabel) }</dt>
                <dd class="aal-confirm-provider">{ provider_label(&profile.provider) }</dd>
                <dt>{ t(Msg::NameLabel) }</dt>
                <dd class="aal-confirm-name">{ profile.name.clone().unwrap_or_default() }</dd>
                <dt>{ t(Msg::EmailLabel) }</dt>
                <dd class="aal-confirm-email">{ email }</dd>
            </dl>
            <button type="button" class="aal-confirm-link" onclick={accept}>
                { t(Msg::ConfirmLink) }
            </button>
            <button type="button" class="aal-cancel" onclick={decline}>{ t(Msg::Cancel) }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct LinkActionsProps {
    pub config: LinkConfig,
    pub ready: bool,
    pub on_command: Callback<Command>,
}

/// One "Link …" button per configured connection, then "Another account". Enabled only
/// when a prepared attempt is ready, so the popup opens inside the click.
#[function_component(LinkActions)]
pub fn link_actions(props: &LinkActionsProps) -> Html {
    let locale = props.config.locale();
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
        <div class="aal-actions" aria-label={text(Msg::LinkAnother, locale)}>
            { for props.config.connections().iter().map(|c| button(
                Some(c.name()),
                format!("{} {}", text(Msg::LinkWith, locale), c.label()),
            )) }
            { button(None, text(Msg::AnotherAccount, locale).to_owned()) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct RecoveryProps {
    pub status: Status,
    /// The identity list is still being read.
    pub listing: bool,
    /// The identity list could not be read (or reading it was cancelled).
    pub list_failed: bool,
    pub can_continue_in_tab: bool,
    pub locale: AttrValue,
    pub on_command: Callback<Command>,
}

/// How long getting ready may take before the user is offered to stop waiting.
const SLOW_PREPARE_MS: u32 = 1500;

/// The way forward: after a blocked popup (continue in this tab), a failure or a cancel
/// (try again), and while getting ready takes long (a token source that hangs): cancel.
#[function_component(Recovery)]
pub fn recovery(props: &RecoveryProps) -> Html {
    let slow = use_state(|| false);
    {
        let slow = slow.clone();
        let preparing = props.listing || matches!(props.status, Status::Preparing);
        use_effect_with(preparing, move |preparing| {
            slow.set(false);
            // Dropped (cleared) when the status changes or the widget goes.
            let timer = preparing.then(|| {
                gloo_timers::callback::Timeout::new(SLOW_PREPARE_MS, move || slow.set(true))
            });
            move || drop(timer)
        });
    }
    let (class, label, command) = match &props.status {
        _ if *slow && (props.listing || props.status == Status::Preparing) => {
            ("aal-cancel-prepare", Msg::Cancel, Command::Cancel)
        }
        Status::PopupBlocked if props.can_continue_in_tab => (
            "aal-continue-in-tab",
            Msg::ContinueInTab,
            Command::ContinueInTab,
        ),
        Status::PopupBlocked | Status::Failed(_) | Status::Cancelled => {
            ("aal-retry", Msg::TryAgain, Command::Retry)
        }
        Status::Idle if props.list_failed => ("aal-retry", Msg::TryAgain, Command::Retry),
        _ => return html! {},
    };
    let onclick = props
        .on_command
        .reform(move |_: MouseEvent| command.clone());
    html! {
        <button type="button" {class} {onclick}>{ text(label, &props.locale) }</button>
    }
}
