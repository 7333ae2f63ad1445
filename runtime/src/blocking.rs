//! A synchronous client for programs without an async runtime (the PHP SDK's
//! "同步" style). It owns a small Tokio runtime; do not call it from inside an
//! async task.

use futures_util::StreamExt;

use crate::client::{Client, ClientBuilder, RawResponse};
use crate::config::{ConfigError, Setting};
use crate::error::Error;
use crate::operation::{Operation, Request};
use crate::paginate::Paginated;

/// Blocking wrapper around [`Client`].
#[derive(Debug)]
pub struct BlockingClient {
    client: Client,
    runtime: tokio::runtime::Runtime,
}

impl BlockingClient {
    /// Builds the async client and a runtime to drive it.
    pub fn new(builder: ClientBuilder) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ConfigError::new(Setting::AsyncRuntime, format!("cannot start: {e}")))?;
        // reqwest's client must be created inside a runtime context.
        let client = {
            let _guard = runtime.enter();
            builder.build()?
        };
        Ok(BlockingClient { client, runtime })
    }

    /// The async client inside.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// [`Client::execute`], blocking.
    pub fn execute<O: Operation>(&self, operation: &O) -> Result<O::Response, Error> {
        self.runtime.block_on(self.client.execute(operation))
    }

    /// [`Client::send`], blocking.
    pub fn send(&self, request: Request) -> Result<RawResponse, Error> {
        self.runtime.block_on(self.client.send(request))
    }

    /// Every item of a list, fetched page by page as the iterator advances.
    pub fn paginate<O>(&self, first: O) -> impl Iterator<Item = Result<O::Item, Error>> + '_
    where
        O: Paginated + 'static,
    {
        let mut stream = Box::pin(self.client.paginate(first));
        std::iter::from_fn(move || self.runtime.block_on(stream.next()))
    }
}
