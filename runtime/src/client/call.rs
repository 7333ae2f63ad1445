//! [`Call`], the future every generated operation method returns.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::Client;
use crate::download::Download;
use crate::error::Error;
use crate::operation::Operation;

/// One operation on its way: await it for the decoded answer
/// (`client.jsapi_prepay(body).await?`).
///
/// A named type rather than an `async` block per method: a thousand
/// generated methods then share this one future, which the compiler checks
/// once, instead of each bringing an opaque future of its own (most of what
/// the bindings' facade cost to compile). It also lets a caller name the
/// type, to store the call or return it. Boxing costs one allocation per
/// call, nothing beside an HTTP exchange.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'a, T> {
    future: Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>,
}

/// [`Client::execute`] for an owned request: what a generated method returns.
pub fn execute<'a, O>(client: &'a Client, operation: O) -> Call<'a, O::Response>
where
    O: Operation + Send + Sync + 'a,
    O::Response: Send + 'a,
{
    Call {
        future: Box::pin(async move { client.execute(&operation).await }),
    }
}

/// [`Client::download`] for an owned request.
pub fn download<'a, O>(client: &'a Client, operation: O) -> Call<'a, Download>
where
    O: Operation + Send + Sync + 'a,
{
    Call {
        future: Box::pin(async move { client.download(&operation).await }),
    }
}

impl<T> Future for Call<'_, T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.future.as_mut().poll(cx)
    }
}

impl<T> fmt::Debug for Call<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call").finish_non_exhaustive()
    }
}
