//! `mount()`: the Yew widget rendered into a host element from JS, its handle
//! (`update`, `unmount`), and how the host is told (DOM events and `on*` callbacks).

use super::errors::{js_error, js_error_in};
use super::options::{
    before_link_option, host_callback, merge_option, message_loader, messages_option,
    parse_all_options,
};
use super::texts::Catalog;
use super::{identities_js, set, to_js};
use crate::component::{AccountLink, AccountLinkProps, MessageLoader};
use crate::messages::Texts;
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

fn identities_detail(ids: &[Identity], texts: &Texts) -> JsValue {
    let detail = Object::new();
    set(&detail, "identities", identities_js(ids, texts));
    detail.into()
}

/// A link's detail: the identities, the former secondary user's id, and what was carried
/// of its settings with the primary's settings after the link.
fn linked_detail(linked: &Linked, texts: &Texts) -> JsValue {
    let detail = identities_detail(&linked.identities, texts);
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

/// What a mounted widget's texts come from: its catalog, and the host's loader (kept when
/// an update leaves `loadMessages` out).
struct Language {
    catalog: Catalog,
    loader: Option<MessageLoader>,
}

/// The component's props for `element` from a JS options object: the host hears each
/// outcome as a DOM event on `element` and through the optional callback option, in the
/// widget's language (`previous`: the texts before an update).
fn mount_props(
    element: &web_sys::Element,
    options: &JsValue,
    previous: Option<&Language>,
) -> Result<(AccountLinkProps, Language), LinkError> {
    let (config, token, view) = parse_all_options(options)?;
    // Checked here (config_invalid names them); called by events.js, which reads them
    // from the options again.
    for callback in ["onLinked", "onUnlinked", "onError"] {
        host_callback(options, callback)?;
    }
    let messages = messages_option(options)?;
    let loader = message_loader(options)?.or_else(|| previous.and_then(|p| p.loader.clone()));
    // The widget's catalog, which its events (`userMessage`, the identities' `label`) use.
    let catalog = match previous {
        Some(p) => p
            .catalog
            .again(config.locale(), messages.clone(), loader.clone()),
        None => Catalog::load(config.locale(), messages.clone(), loader.clone()),
    };
    let language = Language {
        catalog: catalog.clone(),
        loader,
    };
    let identities_event = |what: &'static str| {
        let (element, options, catalog) = (element.clone(), options.clone(), catalog.clone());
        Callback::from(move |ids: Vec<Identity>| {
            let (element, options) = (element.clone(), options.clone());
            catalog.then(move |texts| {
                report(&element, &options, what, &identities_detail(&ids, texts));
            });
        })
    };
    let (error_target, error_options) = (element.clone(), options.clone());
    let load_messages = Some(catalog.loader());
    let before_link = before_link_option(options)?;
    let (linked_target, linked_options) = (element.clone(), options.clone());
    let props = AccountLinkProps {
        view,
        before_link,
        config,
        token,
        messages,
        load_messages,
        on_linked: {
            let catalog = catalog.clone();
            Callback::from(move |linked: Linked| {
                let (element, options) = (linked_target.clone(), linked_options.clone());
                catalog.then(move |texts| {
                    report(&element, &options, "linked", &linked_detail(&linked, texts));
                });
            })
        },
        carry_user_metadata: merge_option(options),
        on_unlinked: identities_event("unlinked"),
        on_error: Callback::from(move |e: LinkError| {
            let (element, options) = (error_target.clone(), error_options.clone());
            catalog.then(move |texts| {
                report_error(&element, &options, &js_error_in(&e, texts));
            });
        }),
    };
    Ok((props, language))
}

/// What `mount` returns.
#[wasm_bindgen]
pub struct MountHandle {
    element: web_sys::Element,
    app: Option<AppHandle<AccountLink>>,
    language: Language,
}

#[wasm_bindgen]
impl MountHandle {
    /// Hands new options to the running widget without remounting it: a new
    /// `getAccessToken` or callback is used from the next call on, a new locale or label
    /// re-renders, and a popup in flight survives both. Options that need a new flow
    /// (another domain, client, redirect…) restart it. Throws `config_invalid` (and keeps
    /// the current options) when the new ones are wrong.
    pub fn update(&mut self, options: JsValue) -> Result<(), JsValue> {
        let (props, language) =
            mount_props(&self.element, &options, Some(&self.language)).map_err(|e| js_error(&e))?;
        self.language = language;
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
    let (props, language) = mount_props(&element, &options, None).map_err(|e| js_error(&e))?;
    let app = Renderer::<AccountLink>::with_root_and_props(element.clone(), props).render();
    Ok(MountHandle {
        element,
        app: Some(app),
        language,
    })
}
