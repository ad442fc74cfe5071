//! `use_clock`: one clock for the widget's two waits.

use yew::prelude::*;

/// How long a wait (getting ready, the list, the host's `beforeLink`) may take before the
/// user is offered to stop waiting, in half-seconds.
const SLOW_PREPARE_HALF_SECONDS: u32 = 3;

/// Whether the session's wait (`View::waiting`) has been `slow` (over 1.5 s), and the
/// seconds left of a rate limit's `wait`. It ticks only while one of them can still
/// change.
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
