//! Timers that clear themselves when dropped.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen::UnwrapThrowExt;

/// `setTimeout`; dropping it before it fires cancels it.
pub struct Timeout {
    id: i32,
    _closure: Closure<dyn FnMut()>,
}

impl Timeout {
    pub fn new(millis: u32, callback: impl FnOnce() + 'static) -> Self {
        let mut callback = Some(callback);
        let closure = Closure::wrap(Box::new(move || {
            if let Some(f) = callback.take() {
                f();
            }
        }) as Box<dyn FnMut()>);
        let id = super::window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                closure.as_ref().unchecked_ref(),
                i32::try_from(millis).unwrap_or(i32::MAX),
            )
            .expect_throw("unreachable: setTimeout does not throw");
        Timeout {
            id,
            _closure: closure,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        super::window().clear_timeout_with_handle(self.id);
    }
}

/// `setInterval`; dropping it stops it.
pub struct Interval {
    id: i32,
    _closure: Closure<dyn FnMut()>,
}

impl Interval {
    pub fn new(millis: u32, callback: impl FnMut() + 'static) -> Self {
        let closure = Closure::wrap(Box::new(callback) as Box<dyn FnMut()>);
        let id = super::window()
            .set_interval_with_callback_and_timeout_and_arguments_0(
                closure.as_ref().unchecked_ref(),
                i32::try_from(millis).unwrap_or(i32::MAX),
            )
            .expect_throw("unreachable: setInterval does not throw");
        Interval {
            id,
            _closure: closure,
        }
    }
}

impl Drop for Interval {
    fn drop(&mut self) {
        super::window().clear_interval_with_handle(self.id);
    }
}

impl std::fmt::Debug for Timeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Timeout({})", self.id)
    }
}

impl std::fmt::Debug for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interval({})", self.id)
    }
}
