//! The Yew component: lists the user's identities, links another account (one button per
//! configured connection plus "another account") with a confirm step showing the
//! verified secondary, unlinks with confirmation (never the primary), reports progress in
//! an ARIA live region and errors as text, and stays usable after any error.
//!
//! All state is in one reducer; the view is a function of it. Every protocol decision is
//! the core's, every browser effect the runner's.

use crate::messages::{provider_label, status_text, text, Msg};
use crate::runner::{identity_op, Runner, Status, TokenSource, Update};
use account_link_core::config::LinkConfig;
use account_link_core::error::ErrorCode;
use account_link_core::flow::{IdentityOpKind, IdentityOpOutput, Outcome};
use account_link_core::id_token::SecondaryProfile;
use account_link_core::management::{Identity, IdentityRef};
use account_link_core::LinkError;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, Clone)]
pub struct AccountLinkProps {
    pub config: LinkConfig,
    /// Resolves to the primary user's Management API access token.
    pub token: TokenSource,
    #[prop_or_default]
    pub on_linked: Callback<Vec<Identity>>,
    #[prop_or_default]
    pub on_unlinked: Callback<Vec<Identity>>,
    #[prop_or_default]
    pub on_error: Callback<LinkError>,
}

impl PartialEq for AccountLinkProps {
    fn eq(&self, other: &Self) -> bool {
        self.config == other.config
            && Rc::ptr_eq(&self.token, &other.token)
            && self.on_linked == other.on_linked
            && self.on_unlinked == other.on_unlinked
            && self.on_error == other.on_error
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Notice {
    text: String,
    code: Option<&'static str>,
    is_error: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct View {
    identities: Option<Vec<Identity>>,
    list_error: Option<LinkError>,
    status: Status,
    notice: Option<Notice>,
    confirm_unlink: Option<Identity>,
    unlinking: bool,
}

enum Action {
    Identities(Result<Vec<Identity>, LinkError>),
    Flow(Update),
    AskUnlink(Identity),
    CancelUnlink,
    Unlinking,
    Unlinked(Result<Vec<Identity>, LinkError>),
    Dismiss,
}

fn error_notice(e: &LinkError) -> Notice {
    let mut text = e.user_message().to_owned();
    if let Some((error, description)) = e.idp_error() {
        text = format!("{text} ({})", description.unwrap_or(error));
    }
    if let Some(s) = e.retry_after_seconds() {
        text = format!("{text} ({s} s)");
    }
    Notice {
        text,
        code: Some(e.code().as_str()),
        is_error: true,
    }
}

impl Reducible for View {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut v = (*self).clone();
        match action {
            Action::Identities(Ok(ids)) => {
                v.identities = Some(ids);
                v.list_error = None;
            }
            Action::Identities(Err(e)) => {
                v.notice = Some(error_notice(&e));
                v.list_error = Some(e);
            }
            Action::Flow(Update::Status(s)) => v.status = s,
            Action::Flow(Update::AskConfirm(p)) => v.status = Status::Confirming(p),
            Action::Flow(Update::Outcome(Outcome::Ready)) => {}
            Action::Flow(Update::Outcome(Outcome::Linked(ids))) => {
                v.identities = Some(ids);
                v.notice = Some(Notice {
                    text: status_text(&Status::Linked, "en").into(),
                    code: None,
                    is_error: false,
                });
            }
            Action::Flow(Update::Outcome(Outcome::Failed(e))) => v.notice = Some(error_notice(&e)),
            Action::Flow(Update::Outcome(Outcome::Cancelled)) => {
                v.notice = Some(Notice {
                    text: status_text(&Status::Cancelled, "en").into(),
                    code: Some("cancelled"),
                    is_error: false,
                })
            }
            Action::AskUnlink(identity) => v.confirm_unlink = Some(identity),
            Action::CancelUnlink => v.confirm_unlink = None,
            Action::Unlinking => v.unlinking = true,
            Action::Unlinked(result) => {
                v.unlinking = false;
                v.confirm_unlink = None;
                match result {
                    Ok(ids) => {
                        v.identities = Some(ids);
                        v.notice = Some(Notice {
                            text: text(Msg::Unlinked, "en").into(),
                            code: None,
                            is_error: false,
                        });
                    }
                    Err(e) => v.notice = Some(error_notice(&e)),
                }
            }
            Action::Dismiss => v.notice = None,
        }
        Rc::new(v)
    }
}

fn list_identities(
    config: LinkConfig,
    token: TokenSource,
    dispatch: UseReducerDispatcher<View>,
    then: impl FnOnce(Option<Vec<Identity>>) + 'static,
) {
    wasm_bindgen_futures::spawn_local(async move {
        let result = match identity_op(config, IdentityOpKind::List, None, token).await {
            Ok(IdentityOpOutput::User(user)) => Ok(user.identities),
            Ok(IdentityOpOutput::Identities(ids)) => Ok(ids),
            Err(e) => Err(e),
        };
        let known = result.as_ref().ok().cloned();
        dispatch.dispatch(Action::Identities(result));
        then(known);
    });
}

#[function_component(AccountLink)]
pub fn account_link(props: &AccountLinkProps) -> Html {
    let view = use_reducer(|| View {
        identities: None,
        list_error: None,
        status: Status::Idle,
        notice: None,
        confirm_unlink: None,
        unlinking: false,
    });
    let runner_slot: Rc<RefCell<Option<Runner>>> = use_mut_ref(|| None);
    // The identities the flow checks "already linked" against; kept current after every
    // list, link and unlink.
    let known: Rc<RefCell<Option<Vec<Identity>>>> = use_mut_ref(|| None);
    let locale = props.config.locale().to_owned();

    {
        let (props, dispatch, slot, known) = (
            props.clone(),
            view.dispatcher(),
            runner_slot.clone(),
            known.clone(),
        );
        use_effect_with(
            (
                props.config.clone(),
                Rc::as_ptr(&props.token) as *const () as usize,
            ),
            move |_| {
                // After an attempt that got as far as the click, prepare a fresh one (new PKCE).
                let was_ready = Rc::new(RefCell::new(false));
                // A redirect-mode resume ends without a Ready first; prepare after it too.
                let resuming = Rc::new(RefCell::new(false));
                let on_update = {
                    let (dispatch, slot, props, known, was_ready, resuming) = (
                        dispatch.clone(),
                        slot.clone(),
                        props.clone(),
                        known.clone(),
                        was_ready.clone(),
                        resuming.clone(),
                    );
                    move |update: Update| {
                        let rearm = match &update {
                            Update::Outcome(Outcome::Ready) => {
                                *was_ready.borrow_mut() = true;
                                false
                            }
                            Update::Outcome(Outcome::Linked(ids)) => {
                                *known.borrow_mut() = Some(ids.clone());
                                props.on_linked.emit(ids.clone());
                                true
                            }
                            Update::Outcome(Outcome::Failed(e)) => {
                                props.on_error.emit(e.clone());
                                e.code() != ErrorCode::PopupBlocked
                            }
                            Update::Outcome(Outcome::Cancelled) => {
                                props.on_error.emit(LinkError::new(
                                    ErrorCode::Cancelled,
                                    "the user cancelled the link",
                                ));
                                true
                            }
                            _ => false,
                        };
                        dispatch.dispatch(Action::Flow(update));
                        let resumed = rearm && resuming.replace(false);
                        if rearm && (was_ready.replace(false) || resumed) {
                            if let Some(runner) = slot.borrow().clone() {
                                runner.prepare(known.borrow().clone(), true);
                            }
                        }
                    }
                };
                let runner = Runner::new(props.config.clone(), props.token.clone(), on_update);
                *slot.borrow_mut() = Some(runner.clone());
                *resuming.borrow_mut() = true;
                let resumed = runner.resume_from_redirect(true);
                *resuming.borrow_mut() = resumed;
                let for_list = runner.clone();
                list_identities(
                    props.config.clone(),
                    props.token.clone(),
                    dispatch,
                    move |ids| {
                        *known.borrow_mut() = ids.clone();
                        if !resumed {
                            for_list.prepare(ids, true);
                        }
                    },
                );
                move || {
                    if let Some(runner) = slot.borrow_mut().take() {
                        runner.dispose();
                    }
                }
            },
        );
    }

    let runner = runner_slot.borrow().clone();
    let status = view.status.clone();
    let ready = status == Status::Ready;

    let link_button = |connection: Option<String>, label: String| {
        let runner = runner.clone();
        let data = connection.clone().unwrap_or_default();
        let onclick = Callback::from(move |_: MouseEvent| {
            // Synchronous: the popup opens inside this click handler.
            if let Some(r) = &runner {
                r.start(connection.clone());
            }
        });
        html! { <button type="button" class="aal-link" data-connection={data} disabled={!ready} {onclick}>{label}</button> }
    };

    let identities = match &view.identities {
        None if view.list_error.is_none() => {
            html! { <p class="aal-loading">{text(Msg::LoadingIdentities, &locale)}</p> }
        }
        None => html! {},
        Some(ids) => html! {
            <ul class="aal-identities" aria-label={text(Msg::LinkedAccounts, &locale)}>
                { for ids.iter().enumerate().map(|(index, identity)| identity_row(index, identity, &view, &locale)) }
            </ul>
        },
    };

    let notice = view.notice.as_ref().map(|n| {
        let dismiss = { let v = view.clone(); Callback::from(move |_: MouseEvent| v.dispatch(Action::Dismiss)) };
        html! {
            <div class={classes!("aal-notice", n.is_error.then_some("aal-error"))} role={if n.is_error { "alert" } else { "status" }} data-code={n.code.unwrap_or("")}>
                <span class="aal-notice-text">{n.text.clone()}</span>
                <button type="button" class="aal-dismiss" onclick={dismiss}>{text(Msg::Dismiss, &locale)}</button>
            </div>
        }
    });

    let confirm = if let Status::Confirming(profile) = &status {
        confirm_dialog(profile, runner.clone(), &locale)
    } else {
        html! {}
    };

    let unlink_dialog = view.confirm_unlink.as_ref().map(|identity| {
        let cancel = { let v = view.clone(); Callback::from(move |_: MouseEvent| v.dispatch(Action::CancelUnlink)) };
        let confirm = {
            let (v, identity, props, known, known_slot, runner_slot) =
                (view.clone(), identity.clone(), props.clone(), view.identities.clone(), known.clone(), runner_slot.clone());
            Callback::from(move |_: MouseEvent| {
                v.dispatch(Action::Unlinking);
                let (dispatch, target, props, known) = (v.dispatcher(), IdentityRef { provider: identity.provider.clone(), user_id: identity.user_id.clone() }, props.clone(), known.clone());
                let (known_slot, runner_slot) = (known_slot.clone(), runner_slot.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let result = match identity_op(props.config.clone(), IdentityOpKind::Unlink(target), known, props.token.clone()).await {
                        Ok(IdentityOpOutput::Identities(ids)) => Ok(ids),
                        Ok(IdentityOpOutput::User(u)) => Ok(u.identities),
                        Err(e) => Err(e),
                    };
                    match &result {
                        Ok(ids) => {
                            // The unlinked account can be linked again: prepare with the new list.
                            *known_slot.borrow_mut() = Some(ids.clone());
                            if let Some(runner) = runner_slot.borrow().clone() {
                                runner.prepare(Some(ids.clone()), true);
                            }
                            props.on_unlinked.emit(ids.clone());
                        }
                        Err(e) => props.on_error.emit(e.clone()),
                    }
                    dispatch.dispatch(Action::Unlinked(result));
                });
            })
        };
        html! {
            <div class="aal-dialog" role="dialog" aria-modal="false" aria-label={text(Msg::UnlinkQuestion, &locale)}>
                <p>{text(Msg::UnlinkQuestion, &locale)}</p>
                <p class="aal-who">{format!("{} · {}", provider_label(&identity.provider), who(identity))}</p>
                <button type="button" class="aal-confirm-unlink" disabled={view.unlinking} onclick={confirm}>{text(Msg::UnlinkConfirm, &locale)}</button>
                <button type="button" class="aal-cancel" disabled={view.unlinking} onclick={cancel}>{text(Msg::Cancel, &locale)}</button>
            </div>
        }
    });

    let fallback = match (&status, &runner) {
        (Status::PopupBlocked, Some(r)) if props.config.redirect_fallback_uri().is_some() => {
            let r = r.clone();
            html! { <button type="button" class="aal-continue-in-tab" onclick={Callback::from(move |_: MouseEvent| r.start_redirect(None))}>{text(Msg::ContinueInTab, &locale)}</button> }
        }
        (Status::PopupBlocked, Some(r)) | (Status::Failed(_), Some(r)) => {
            let r = r.clone();
            html! { <button type="button" class="aal-retry" onclick={Callback::from(move |_: MouseEvent| r.retry())}>{text(Msg::TryAgain, &locale)}</button> }
        }
        _ => html! {},
    };

    html! {
        <section class="aal" aria-label={text(Msg::Title, &locale)}>
            <h2 class="aal-title">{text(Msg::Title, &locale)}</h2>
            <p class="aal-status" role="status" aria-live="polite" data-status={status_name(&status)}>{status_text(&status, &locale)}</p>
            { for notice }
            { identities }
            { for unlink_dialog }
            { confirm }
            <div class="aal-actions" aria-label={text(Msg::LinkAnother, &locale)}>
                { for props.config.connections().iter().map(|c| link_button(Some(c.name().to_owned()), format!("{} {}", text(Msg::LinkWith, &locale), c.label()))) }
                { link_button(None, text(Msg::AnotherAccount, &locale).to_owned()) }
            </div>
            { fallback }
        </section>
    }
}

fn status_name(status: &Status) -> &'static str {
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

fn identity_row(
    index: usize,
    identity: &Identity,
    view: &UseReducerHandle<View>,
    locale: &str,
) -> Html {
    let label = provider_label(&identity.provider);
    let initial: String = label
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    let action = if index == 0 {
        html! { <span class="aal-primary">{text(Msg::Primary, locale)}</span> }
    } else {
        let (v, identity2) = (view.clone(), identity.clone());
        let onclick =
            Callback::from(move |_: MouseEvent| v.dispatch(Action::AskUnlink(identity2.clone())));
        html! { <button type="button" class="aal-unlink" disabled={view.unlinking} {onclick}>{text(Msg::Unlink, locale)}</button> }
    };
    html! {
        <li class="aal-identity" data-provider={identity.provider.clone()} data-user-id={identity.user_id.clone()}>
            <span class="aal-badge" aria-hidden="true">{initial}</span>
            <span class="aal-provider">{label}</span>
            <span class="aal-who">{if index == 0 { identity.connection.clone() } else { who(identity) }}</span>
            { action }
        </li>
    }
}

fn confirm_dialog(profile: &SecondaryProfile, runner: Option<Runner>, locale: &str) -> Html {
    let answer = |accepted: bool| {
        let runner = runner.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(r) = &runner {
                r.confirm(accepted);
            }
        })
    };
    let email = match (&profile.email, profile.email_verified) {
        (Some(e), Some(true)) => e.clone(),
        (Some(e), _) => format!("{e} ({})", text(Msg::Unverified, locale)),
        (None, _) => text(Msg::NoEmail, locale).to_owned(),
    };
    html! {
        <div class="aal-dialog aal-confirm" role="dialog" aria-modal="false" aria-label={text(Msg::ConfirmTitle, locale)}>
            <p class="aal-dialog-title">{text(Msg::ConfirmTitle, locale)}</p>
            <dl>
                <dt>{text(Msg::ProviderLabel, locale)}</dt><dd class="aal-confirm-provider">{provider_label(&profile.provider)}</dd>
                <dt>{text(Msg::NameLabel, locale)}</dt><dd class="aal-confirm-name">{profile.name.clone().unwrap_or_default()}</dd>
                <dt>{text(Msg::EmailLabel, locale)}</dt><dd class="aal-confirm-email">{email}</dd>
            </dl>
            <button type="button" class="aal-confirm-link" onclick={answer(true)}>{text(Msg::ConfirmLink, locale)}</button>
            <button type="button" class="aal-cancel" onclick={answer(false)}>{text(Msg::Cancel, locale)}</button>
        </div>
    }
}
