//! `mount()`: the Yew widget rendered into a host element from JS, its handle
//! (`update`, `unmount`), and how the host is told (DOM events and `on*` callbacks).

use super::errors::js_error;
use super::options::{
    before_link_option, host_callback, merge_option, message_loader, messages_option,
    parse_all_options,
};
use super::{identities_js, set, to_js};
use crate::component::{AccountLink, AccountLinkProps, MessageLoader};
use auth0_account_link_core::flow::Linked;
use auth0_account_link_core::management::Identity;
use auth0_account_link_core::LinkError;
use js_sys::Object;
use wasm_bindgen::prelude::*;
use yew::{AppHandle, Callback, Renderer};

// How the host is told: the one copy of the events and `on*` callbacks, shared with the
// package's JavaScript (which reports what it finds before the wasm runs).
#[wasm_bindgen(module = "/js/events.js")]
extern "C" {
    fn report(element: &web_sys::Element, options: &JsValue, what: &str, detail: &JsValue);
    #[wasm_bindgen(js_name = reportError)]
    fn report_error(element: &web_sys::Element, options: &JsValue, error: &JsValue);
}

fn identities_detail(ids: &[Identity]) -> JsValue {
    let detail = Object::new();
    set(&detail, "identities", identities_js(ids));
    detail.into()
}

/// A link's detail: the identities, the former secondary user's id, and what was carried
/// of its settings with the primary's settings after the link.
fn linked_detail(linked: &Linked) -> JsValue {
    let detail = identities_detail(&linked.identities);
    set(
        &detail,
        "secondaryUserId",
        linked.secondary_user_id.as_str(),
    );
    if !linked.carried_user_metadata.is_empty() {
        set(
            &detail,
            "carriedUserMetadata",
            to_js(&linked.carried_user_metadata),
        );
    }
    if let Some(settings) = &linked.user_metadata {
        set(&detail, "userMetadata", to_js(settings));
    }
    detail
}

/// The component's props for `element` from a JS options object: the host hears each
/// outcome as a DOM event on `element` and through the optional callback option.
fn mount_props(
    element: &web_sys::Element,
    options: &JsValue,
) -> Result<AccountLinkProps, LinkError> {
    let (config, token, view) = parse_all_options(options)?;
    // Checked here (config_invalid names them); called by events.js, which reads them
    // from the options again.
    for callback in ["onLinked", "onUnlinked", "onError"] {
        host_callback(options, callback)?;
    }
    let identities_event = |what: &'static str| {
        let (element, options) = (element.clone(), options.clone());
        Callback::from(move |ids: Vec<Identity>| {
            report(&element, &options, what, &identities_detail(&ids));
        })
    };
    let (error_target, error_options) = (element.clone(), options.clone());
    let messages = messages_option(options)?;
    let load_messages = message_loader(options)?;
    let before_link = before_link_option(options)?;
    let (linked_target, linked_options) = (element.clone(), options.clone());
    Ok(AccountLinkProps {
        view,
        before_link,
        config,
        token,
        messages,
        load_messages,
        on_linked: Callback::from(move |linked: Linked| {
            report(
                &linked_target,
                &linked_options,
                "linked",
                &linked_detail(&linked),
            );
        }),
        carry_user_metadata: merge_option(options),
        on_unlinked: identities_event("unlinked"),
        on_error: Callback::from(move |e: LinkError| {
            report_error(&error_target, &error_options, &js_error(&e));
        }),
    })
}

/// What `mount` returns.
#[wasm_bindgen]
pub struct MountHandle {
    element: web_sys::Element,
    app: Option<AppHandle<AccountLink>>,
    /// The catalog loader given at mount, kept when an update leaves it out.
    load_messages: Option<MessageLoader>,
}

#[wasm_bindgen]
impl MountHandle {
    /// Hands new options to the running widget without remounting it: a new
    /// `getAccessToken` or callback is used from the next call on, a new locale or label
    /// re-renders, and a popup in flight survives both. Options that need a new flow
    /// (another domain, client, redirect…) restart it. Throws `config_invalid` (and keeps
    /// the current options) when the new ones are wrong.
    pub fn update(&mut self, options: JsValue) -> Result<(), JsValue> {
        let mut props = mount_props(&self.element, &options).map_err(|e| js_error(&e))?;
        match &props.load_messages {
            Some(loader) => self.load_messages = Some(loader.clone()),
            None => props.load_messages = self.load_messages.clone(),
        }
        if let Some(app) = self.app.as_mut() {
            app.update(props);
        }
        Ok(())
    }

    /// Removes the widget: closes its popup, removes its listeners, clears its timers,
    /// takes its markup out of the host element.
    pub fn unmount(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
    }
}

/// Renders the widget (the Yew `AccountLink` component) into `element`. Throws an
/// `Error` with `code: "config_invalid"` (naming the option) before any request when the
/// options are wrong.
#[wasm_bindgen]
pub fn mount(element: web_sys::Element, options: JsValue) -> Result<MountHandle, JsValue> {
    let props = mount_props(&element, &options).map_err(|e| js_error(&e))?;
    let load_messages = props.load_messages.clone();
    let app = Renderer::<AccountLink>::with_root_and_props(element.clone(), props).render();
    Ok(MountHandle {
        element,
        app: Some(app),
        load_messages,
    })
}
