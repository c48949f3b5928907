//! Loading a screen's data: [`load`], a resource read the same way on the page's first paint and
//! on every later fetch.
//!
//! A resource's first value travels inside the server-rendered page as JSON text, and later
//! values arrive as server-function responses (JSON bytes). Leptos's default codec reads the
//! first as a `&str` and server functions read the second as `&[u8]`: two copies of every data
//! type's reader in the browser build. [`Json`] reads the page's copy as bytes too, so each type
//! has one reader — a smaller download for a phone, the same JSON on the wire.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;

/// JSON written as text and read as bytes (see the module's note).
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(text.as_bytes())
    }
}

/// A screen's data: fetched again whenever `source` changes, rendered on the server and picked up
/// by the browser without a second fetch, like `Resource::new`.
#[track_caller]
pub fn load<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, Json>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// Redraws the view being built whenever any of these resources is read again. Call it in the
/// closure that makes a screen's `Suspend`, before the `Suspend`, naming every resource it awaits
/// that can be re-read.
///
/// A `Suspend` starts listening to the resources it awaited only once its whole future is done.
/// While it still waits for one resource, a fresh value of another one it already read is not
/// heard, and the screen keeps the stale value. A rep's queue missed a new lead that way: it came
/// while the alerts were being read. Listening here, outside the `Suspend`, hears every re-read.
pub fn redraw_on(resources: &[&dyn Track]) {
    for resource in resources {
        resource.track();
    }
}

#[cfg(test)]
mod tests {
    use super::Json;
    use leptos::server::codee::{Decoder, Encoder};

    #[test]
    fn what_is_written_reads_back_the_same() {
        let value = vec![
            (String::from("Ann “Lee” <b>"), Some(3_u32)),
            (String::new(), None),
        ];
        let text = <Json as Encoder<_>>::encode(&value).unwrap();
        let back: Vec<(String, Option<u32>)> = <Json as Decoder<_>>::decode(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn text_that_is_not_the_type_is_an_error() {
        let wrong: Result<Vec<u32>, _> = <Json as Decoder<_>>::decode("{\"a\":1}");
        assert!(wrong.is_err());
    }
}
