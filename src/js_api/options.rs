//! The options object: the core's configuration, the view's options and the host's
//! functions, read as own properties only; a wrong one is `config_invalid` naming it.

use super::{ask_host, config_error, own, set, to_js};
use crate::browser::{describe, window};
use crate::host::{BeforeLink, Reply};
use crate::runner::{MergeUserMetadata, TokenSource};
use crate::{host::MessageLoader, messages::Messages};
use auth0_account_link_core::config::{LinkConfig, LinkOptions, ViewOptions};
use auth0_account_link_core::id_token::SecondaryProfile;
use auth0_account_link_core::json::Json;
use auth0_account_link_core::session::Answer;
use auth0_account_link_core::LinkError;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// `getAccessToken` as a token source: it may return a string or a promise of one.
/// `getAccessToken` is called when the token is asked for (not when the future is first
/// polled): the host's token request is under way while the click handler goes on.
pub(crate) fn token_source(f: Function) -> TokenSource {
    TokenSource::from(move |()| {
        let called = f.call0(&JsValue::UNDEFINED).map_err(|e| describe(&e));
        Box::pin(async move {
            let value = JsFuture::from(Promise::resolve(&called?))
                .await
                .map_err(|e| describe(&e))?;
            value.as_string().ok_or_else(|| {
                "getAccessToken resolved to something other than a string".to_owned()
            })
        }) as crate::runner::TokenFuture
    })
}

/// Reads the options object: `getAccessToken` (a function) plus the serialisable options.
/// `appOrigin` defaults to this page's origin. Nothing is sent anywhere.
pub fn parse_options(options: &JsValue) -> Result<(LinkConfig, TokenSource), LinkError> {
    parse_all_options(options).map(|(config, token, _)| (config, token))
}

/// [`parse_options`], with the view's options (`theme`, `headingLevel`) read from the same
/// object.
pub(crate) fn parse_all_options(
    options: &JsValue,
) -> Result<(LinkConfig, TokenSource, ViewOptions), LinkError> {
    if !options.is_object() {
        return Err(config_error(
            "options",
            "must be an object",
            "pass { domain, clientId, getAccessToken, … }",
        ));
    }
    let get: Function = own(options, "getAccessToken")
        .dyn_into()
        .map_err(|_| config_error("getAccessToken", "is missing or not a function", "pass an async function that resolves to the primary user's Management API access token"))?;
    let names: Vec<String> = Object::keys(options.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    LinkOptions::check_names(names.iter().map(String::as_str))?;
    let copy = Object::assign(&Object::new(), options.unchecked_ref());
    // What the shell takes itself: functions and the texts.
    for function_option in [
        "getAccessToken",
        "onLinked",
        "onUnlinked",
        "onError",
        "beforeLink",
        "loadMessages",
        "messages",
    ] {
        let _existed = Reflect::delete_property(&copy, &function_option.into());
    }
    // A function is the shell's to call; the core hears only that there is one.
    let merges = own(&copy, "carryUserMetadata").is_function();
    if merges {
        let _existed = Reflect::delete_property(&copy, &"carryUserMetadata".into());
    }
    if own(&copy, "appOrigin").is_undefined() {
        if let Ok(origin) = window().location().origin() {
            set(&copy, "appOrigin", origin);
        }
    }
    let parsed: LinkOptions = crate::browser::de::from_value(copy.into()).map_err(|e| {
        config_error(
            if e.path().is_empty() {
                "options"
            } else {
                e.path()
            },
            e.message(),
            "check its type against the documentation (index.d.ts)",
        )
    })?;
    let view = ViewOptions::new(&parsed)?;
    let config = LinkConfig::new(&parsed)?;
    let config = match merges {
        true => config.merging_user_metadata_with_host(),
        false => config,
    };
    Ok((config, token_source(get), view))
}

/// The optional `onLinked` / `onUnlinked` / `onError` option: a function, or absent.
pub(crate) fn host_callback(options: &JsValue, name: &str) -> Result<Option<Function>, LinkError> {
    let value = own(options, name);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.dyn_into::<Function>().map(Some).map_err(|_| {
        config_error(
            name,
            "is not a function",
            "pass a function, or leave it out",
        )
    })
}

/// Texts by key from a JS object: `Err((key, problem))` for a key the widget does not
/// know or a text that is not a string.
fn messages_from(value: &JsValue) -> Result<Messages, (String, &'static str)> {
    if !value.is_object() {
        return Err((String::new(), "must be an object of texts by message key"));
    }
    let mut pairs = Vec::new();
    for entry in Object::entries(value.unchecked_ref()).iter() {
        let entry: js_sys::Array = entry.unchecked_into();
        let key = entry.get(0).as_string().unwrap_or_default();
        let Some(text) = entry.get(1).as_string() else {
            return Err((key, "is not a string"));
        };
        pairs.push((key, text));
    }
    Messages::new(pairs).map_err(|key| (key, "is not a message key of auth0-account-link"))
}

/// The `messages` option: texts replacing the catalog's.
pub(crate) fn messages_option(options: &JsValue) -> Result<Messages, LinkError> {
    let value = own(options, "messages");
    if value.is_undefined() || value.is_null() {
        return Ok(Messages::default());
    }
    messages_from(&value).map_err(|(key, problem)| {
        let option = if key.is_empty() {
            "messages".to_owned()
        } else {
            format!("messages.{key}")
        };
        config_error(
            &option,
            problem,
            "use the keys listed in the package README (e.g. \"title\", \"error.popup_closed\")",
        )
    })
}

/// The `loadMessages` option: `(locale) => catalog | Promise<catalog | undefined>`.
pub(crate) fn message_loader(options: &JsValue) -> Result<Option<MessageLoader>, LinkError> {
    let Some(load) = host_callback(options, "loadMessages")? else {
        return Ok(None);
    };
    let loader = MessageLoader::from(move |(locale, done): (String, Reply<_>)| {
        ask_host(
            &load,
            &locale.into(),
            Box::new(move |answer| {
                done(match answer {
                    Ok(c) if c.is_undefined() || c.is_null() => Ok(None),
                    Ok(c) => messages_from(&c)
                        .map(Some)
                        .map_err(|(key, problem)| format!("the catalog's \"{key}\" {problem}")),
                    Err(e) => Err(describe(&e)),
                })
            }),
        )
    });
    Ok(Some(loader))
}

/// The `beforeLink` option: resolving `false` stops the link, a string stops it with those
/// words for the user; anything else goes on. A throw or a rejection stops it too.
pub(crate) fn before_link_option(options: &JsValue) -> Result<Option<BeforeLink>, LinkError> {
    let Some(f) = host_callback(options, "beforeLink")? else {
        return Ok(None);
    };
    let hook = BeforeLink::from(move |(profile, done): (SecondaryProfile, Reply<_>)| {
        ask_host(
            &f,
            &to_js(&profile),
            Box::new(move |answer| {
                done(match answer {
                    Ok(v) if v.is_string() => Answer::No(v.as_string()),
                    Ok(v) if v == JsValue::FALSE => Answer::No(None),
                    Ok(_) => Answer::Yes,
                    Err(e) => {
                        crate::browser::warn(&format!(
                            "beforeLink failed, so nothing was linked: {}",
                            describe(&e)
                        ));
                        Answer::No(None)
                    }
                })
            }),
        )
    });
    Ok(Some(hook))
}

/// `carryUserMetadata` when it is a function: called with the primary's and the
/// secondary's `user_metadata`, it returns the primary's new one (synchronously).
pub(crate) fn merge_option(options: &JsValue) -> Option<MergeUserMetadata> {
    let f: Function = own(options, "carryUserMetadata").dyn_into().ok()?;
    Some(MergeUserMetadata::from(
        move |(primary, secondary): (Json, Json)| {
            let merged = f
                .call2(&JsValue::UNDEFINED, &to_js(&primary), &to_js(&secondary))
                .map_err(|e| describe(&e))?;
            crate::browser::de::from_value::<Json>(merged)
                .map_err(|e| format!("its answer is not JSON: {}", e.message()))
        },
    ))
}
