//! The texts a JS caller is given — errors' `userMessage`, identities' `label`, the store's
//! `statusMessage` and notices — from the same catalogs as the widget's: the `messages`
//! option, else the `locale`'s catalog (through `loadMessages`), else English.

use super::options::{message_loader, messages_option};
use super::own;
use crate::host::MessageLoader;
use crate::messages::{is_english, Messages, Texts};
use auth0_account_link_core::LinkError;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// What waits for the texts.
type Waiting = Vec<Box<dyn FnOnce(&Texts)>>;

struct State {
    locale: String,
    overrides: Messages,
    /// The locale's catalog: `None` while it loads (empty when there is none).
    catalog: Option<Messages>,
    waiting: Waiting,
}

/// The texts of one store, call or mounted widget: ready at once for English, else once the
/// locale's catalog has loaded (a catalog that cannot be loaded leaves English, with a
/// console warning naming the locale and the reason, as the widget does).
#[derive(Clone)]
pub(crate) struct Catalog(Rc<RefCell<State>>);

impl Catalog {
    /// The texts of a headless call or a store in the checked `locale`: a wrong `messages`
    /// or `loadMessages` is `config_invalid`, naming it.
    pub(crate) fn checked(locale: &str, options: &JsValue) -> Result<Catalog, LinkError> {
        let overrides = messages_option(options)?;
        Ok(Catalog::load(locale, overrides, message_loader(options)?))
    }

    /// The texts to say that the options are wrong in: the `locale` given, if it is a
    /// string, with what of `messages` and `loadMessages` is usable.
    pub(crate) fn lenient(options: &JsValue) -> Catalog {
        let locale = own(options, "locale").as_string();
        let overrides = messages_option(options).unwrap_or_default();
        let loader = message_loader(options).ok().flatten();
        Catalog::load(locale.as_deref().unwrap_or("en"), overrides, loader)
    }

    /// Starts loading `locale`'s catalog with `loader` (English needs none).
    pub(crate) fn load(
        locale: &str,
        overrides: Messages,
        loader: Option<MessageLoader>,
    ) -> Catalog {
        let english = is_english(locale);
        let catalog = Catalog(Rc::new(RefCell::new(State {
            locale: locale.to_owned(),
            overrides,
            catalog: None,
            waiting: Vec::new(),
        })));
        match loader.filter(|_| !english) {
            None => catalog.loaded(Messages::default()),
            Some(loader) => {
                let this = catalog.clone();
                let locale = locale.to_owned();
                loader.emit((
                    locale.clone(),
                    Box::new(move |answer| {
                        let why = match answer {
                            Ok(Some(catalog)) => return this.loaded(catalog),
                            Ok(None) => String::from("there is none"),
                            Err(why) => why,
                        };
                        crate::browser::warn(&format!(
                            "no catalog for locale \"{locale}\" ({why}): English is shown"
                        ));
                        this.loaded(Messages::default());
                    }),
                ));
            }
        }
        catalog
    }

    #[cfg(feature = "widget")]
    /// These texts with other options: the catalog already loaded is kept when the locale
    /// is the same, so the host's loader is not asked again (one still loading is asked for
    /// again).
    pub(crate) fn again(
        &self,
        locale: &str,
        overrides: Messages,
        loader: Option<MessageLoader>,
    ) -> Catalog {
        let state = self.0.borrow();
        match &state.catalog {
            Some(catalog) if state.locale == locale => Catalog(Rc::new(RefCell::new(State {
                locale: state.locale.clone(),
                overrides,
                catalog: Some(catalog.clone()),
                waiting: Vec::new(),
            }))),
            _ => Catalog::load(locale, overrides, loader),
        }
    }

    fn loaded(&self, catalog: Messages) {
        let (texts, waiting) = {
            let mut state = self.0.borrow_mut();
            state.catalog = Some(catalog.clone());
            let texts = Texts::new(&state.locale, catalog, state.overrides.clone());
            (texts, std::mem::take(&mut state.waiting))
        };
        for f in waiting {
            f(&texts);
        }
    }

    /// The texts, once the catalog is in.
    pub(crate) fn ready(&self) -> Option<Texts> {
        let state = self.0.borrow();
        let catalog = state.catalog.clone()?;
        Some(Texts::new(&state.locale, catalog, state.overrides.clone()))
    }

    /// Runs `f` with the texts: now when they are ready, else once the catalog is in.
    pub(crate) fn then(&self, f: impl FnOnce(&Texts) + 'static) {
        match self.ready() {
            Some(texts) => f(&texts),
            None => self.0.borrow_mut().waiting.push(Box::new(f)),
        }
    }

    #[cfg(feature = "widget")]
    /// A loader that answers with this catalog (the widget of `mount()` renders with the
    /// catalog its events are told in: the host's loader is asked once).
    pub(crate) fn loader(&self) -> MessageLoader {
        let this = self.clone();
        MessageLoader::from(move |(_locale, done): (String, crate::host::Reply<_>)| {
            let catalog = this.clone();
            this.then(move |_| done(Ok(catalog.0.borrow().catalog.clone())));
        })
    }
}

/// What a promise settles with, made from the texts (boxed: one copy of [`settle_with`]).
pub(crate) type Settling = Box<dyn FnOnce(&Texts) -> Result<JsValue, JsValue>>;

/// A promise that settles once the texts are in, with what `result` makes of them.
pub(crate) fn settle_with(catalog: &Catalog, result: Settling) -> js_sys::Promise {
    let mut result = Some(result);
    let catalog = catalog.clone();
    js_sys::Promise::new(&mut |resolve, reject| {
        // The executor runs once, synchronously.
        let Some(result) = result.take() else {
            return;
        };
        catalog.then(move |texts| {
            let _settled = match result(texts) {
                Ok(v) => resolve.call1(&JsValue::UNDEFINED, &v),
                Err(e) => reject.call1(&JsValue::UNDEFINED, &e),
            };
        });
    })
}
