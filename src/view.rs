//! The view: a pure function from [`WidgetState`] to a small element tree. Two renderers
//! draw it — `dom` (behind `mount()`, no framework) and the Yew component — so
//! the markup, classes and ARIA roles are defined once.
//!
//! Every IdP or user string is a [`Node::Text`]: renderers put it in a text node, never
//! parse it as markup.

use crate::messages::{provider_label, status_text, text, Msg};
use crate::runner::Status;
use crate::widget::{Command, WidgetState};
use account_link_core::config::LinkConfig;
use account_link_core::id_token::SecondaryProfile;
use account_link_core::management::{Identity, IdentityRef};

/// Marks the element that takes the focus when it appears (a dialog's first action).
pub const AUTOFOCUS: &str = "data-autofocus";

/// Where the focus goes when a render takes the focused control away: the first enabled
/// action (else the root, which is focusable from script).
pub const FOCUS_FALLBACK: &str = ".aal-actions button:not([disabled])";

/// An element or a text node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    El(El),
    Text(String),
}

/// An element: tag, attributes in order, children, and the command a click sends.
#[derive(Debug, Clone, PartialEq)]
pub struct El {
    pub tag: &'static str,
    pub attrs: Vec<(&'static str, String)>,
    pub children: Vec<Node>,
    pub on_click: Option<Command>,
}

impl El {
    pub fn attr(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.attrs.push((name, value.into()));
        self
    }

    /// A boolean attribute: present (empty value) when `on`, absent otherwise.
    pub fn flag(self, name: &'static str, on: bool) -> Self {
        if on {
            self.attr(name, "")
        } else {
            self
        }
    }

    pub fn child(mut self, node: impl Into<Node>) -> Self {
        self.children.push(node.into());
        self
    }

    pub fn children(mut self, nodes: impl IntoIterator<Item = Node>) -> Self {
        self.children.extend(nodes);
        self
    }

    pub fn text(self, text: impl Into<String>) -> Self {
        self.child(Node::Text(text.into()))
    }

    pub fn on_click(mut self, command: Command) -> Self {
        self.on_click = Some(command);
        self
    }
}

impl From<El> for Node {
    fn from(el: El) -> Self {
        Node::El(el)
    }
}

pub fn el(tag: &'static str) -> El {
    El {
        tag,
        attrs: Vec::new(),
        children: Vec::new(),
        on_click: None,
    }
}

fn button(class: &'static str, label: &str, command: Command) -> El {
    el("button")
        .attr("type", "button")
        .attr("class", class)
        .text(label)
        .on_click(command)
}

/// The whole widget for `state`. The root is always a `<section class="aal">`.
pub fn render(state: &WidgetState, config: &LinkConfig) -> El {
    let locale = config.locale();
    let status = &state.status;
    let ready = *status == Status::Ready;
    let t = |msg| text(msg, locale);

    let mut root = el("section")
        .attr("class", "aal")
        .attr("aria-label", t(Msg::Title))
        // Focusable from script only: where the focus goes when a render removes the
        // focused control and no action is enabled.
        .attr("tabindex", "-1")
        .child(el("h2").attr("class", "aal-title").text(t(Msg::Title)))
        .child(
            el("p")
                .attr("class", "aal-status")
                .attr("role", "status")
                .attr("aria-live", "polite")
                .attr("data-status", status_name(status))
                .text(status_text(status, locale)),
        );

    if let Some(n) = &state.notice {
        root = root.child(
            el("div")
                .attr(
                    "class",
                    if n.is_error {
                        "aal-notice aal-error"
                    } else {
                        "aal-notice"
                    },
                )
                .attr("role", if n.is_error { "alert" } else { "status" })
                .attr("data-code", n.code.unwrap_or(""))
                .child(el("span").attr("class", "aal-notice-text").text(&n.text))
                .child(button("aal-dismiss", t(Msg::Dismiss), Command::Dismiss)),
        );
    }

    match &state.identities {
        None if state.list_error.is_none() => {
            root = root.child(
                el("p")
                    .attr("class", "aal-loading")
                    .text(t(Msg::LoadingIdentities)),
            )
        }
        None => {}
        Some(ids) => {
            root = root.child(
                el("ul")
                    .attr("class", "aal-identities")
                    .attr("aria-label", t(Msg::LinkedAccounts))
                    .children(ids.iter().enumerate().map(|(index, identity)| {
                        identity_row(index, identity, state.unlinking, locale).into()
                    })),
            )
        }
    }

    if let Some(identity) = &state.confirm_unlink {
        root = root.child(
            el("div")
                .attr("class", "aal-dialog")
                .attr("role", "dialog")
                .attr("aria-modal", "false")
                .attr("aria-label", t(Msg::UnlinkQuestion))
                .child(el("p").text(t(Msg::UnlinkQuestion)))
                .child(el("p").attr("class", "aal-who").text(format!(
                    "{} · {}",
                    provider_label(&identity.provider),
                    who(identity)
                )))
                .child(
                    button(
                        "aal-confirm-unlink",
                        t(Msg::UnlinkConfirm),
                        Command::ConfirmUnlink,
                    )
                    .flag("disabled", state.unlinking),
                )
                .child(
                    // Focus on the safe answer of a destructive question.
                    button("aal-cancel", t(Msg::Cancel), Command::CancelUnlink)
                        .flag("disabled", state.unlinking)
                        .attr(AUTOFOCUS, ""),
                ),
        );
    }

    if let Status::Confirming(profile) = status {
        root = root.child(confirm_dialog(profile, locale));
    }

    let link_button = |connection: Option<&str>, label: String| {
        button(
            "aal-link",
            &label,
            Command::Link(connection.map(str::to_owned)),
        )
        .attr("data-connection", connection.unwrap_or(""))
        .flag("disabled", !ready)
        .into()
    };
    root = root.child(
        el("div")
            .attr("class", "aal-actions")
            .attr("aria-label", t(Msg::LinkAnother))
            .children(config.connections().iter().map(|c| {
                link_button(
                    Some(c.name()),
                    format!("{} {}", t(Msg::LinkWith), c.label()),
                )
            }))
            .child(link_button(None, t(Msg::AnotherAccount).to_owned())),
    );

    match status {
        Status::PopupBlocked if config.redirect_fallback_uri().is_some() => root.child(button(
            "aal-continue-in-tab",
            t(Msg::ContinueInTab),
            Command::ContinueInTab,
        )),
        Status::PopupBlocked | Status::Failed(_) => {
            root.child(button("aal-retry", t(Msg::TryAgain), Command::Retry))
        }
        _ => root,
    }
}

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

fn who(identity: &Identity) -> String {
    let profile = identity.profile_data.clone().unwrap_or_default();
    profile
        .email
        .or(profile.name)
        .unwrap_or_else(|| identity.user_id.clone())
}

fn identity_row(index: usize, identity: &Identity, unlinking: bool, locale: &str) -> El {
    let label = provider_label(&identity.provider);
    let initial: String = label
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    // The first identity is the primary: it can never be unlinked here.
    let action = if index == 0 {
        el("span")
            .attr("class", "aal-primary")
            .text(text(Msg::Primary, locale))
    } else {
        button(
            "aal-unlink",
            text(Msg::Unlink, locale),
            Command::AskUnlink(IdentityRef {
                provider: identity.provider.clone(),
                user_id: identity.user_id.clone(),
            }),
        )
        .flag("disabled", unlinking)
    };
    el("li")
        .attr("class", "aal-identity")
        .attr("data-provider", &identity.provider)
        .attr("data-user-id", &identity.user_id)
        .child(
            el("span")
                .attr("class", "aal-badge")
                .attr("aria-hidden", "true")
                .text(initial),
        )
        .child(el("span").attr("class", "aal-provider").text(label))
        .child(el("span").attr("class", "aal-who").text(if index == 0 {
            identity.connection.clone()
        } else {
            who(identity)
        }))
        .child(action)
}

fn confirm_dialog(profile: &SecondaryProfile, locale: &str) -> El {
    let t = |msg| text(msg, locale);
    let email = match (&profile.email, profile.email_verified) {
        (Some(e), Some(true)) => e.clone(),
        (Some(e), _) => format!("{e} ({})", t(Msg::Unverified)),
        (None, _) => t(Msg::NoEmail).to_owned(),
    };
    let row = |label: Msg, class: &'static str, value: String| {
        [
            el("dt").text(t(label)).into(),
            el("dd").attr("class", class).text(value).into(),
        ]
    };
    el("div")
        .attr("class", "aal-dialog aal-confirm")
        .attr("role", "dialog")
        .attr("aria-modal", "false")
        .attr("aria-label", t(Msg::ConfirmTitle))
        .child(
            el("p")
                .attr("class", "aal-dialog-title")
                .text(t(Msg::ConfirmTitle)),
        )
        .child(
            el("dl")
                .children(row(
                    Msg::ProviderLabel,
                    "aal-confirm-provider",
                    provider_label(&profile.provider),
                ))
                .children(row(
                    Msg::NameLabel,
                    "aal-confirm-name",
                    profile.name.clone().unwrap_or_default(),
                ))
                .children(row(Msg::EmailLabel, "aal-confirm-email", email)),
        )
        .child(
            button(
                "aal-confirm-link",
                t(Msg::ConfirmLink),
                Command::Confirm(true),
            )
            .attr(AUTOFOCUS, ""),
        )
        .child(button(
            "aal-cancel",
            t(Msg::Cancel),
            Command::Confirm(false),
        ))
}
