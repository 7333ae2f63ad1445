//! Offset/limit pagination as a `Stream` of items.
//!
//! List operations that take `offset` and `limit` and answer with `total_count`
//! and a list implement [`Paginated`] (the code generator recognises the shape).
//! [`Client::paginate`] walks the pages from the operation's offset to the end:
//! the next offset is the current one plus the number of items received, and the
//! walk stops at an empty page or when `total_count` items have been seen.

use std::collections::VecDeque;

use futures_util::Stream;
use futures_util::stream;

use crate::client::Client;
use crate::error::Error;
use crate::operation::Operation;

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of the page.
    pub items: Vec<T>,
    /// The total number of items, when the response says.
    pub total: Option<u64>,
}

/// A list operation with `offset`/`limit` paging.
pub trait Paginated: Operation + Clone {
    /// One item of the list.
    type Item;

    /// The offset this request starts at (0 when unset).
    fn offset(&self) -> u64;

    /// The same request starting at another offset.
    fn with_offset(&self, offset: u64) -> Self;

    /// Splits a response into its items and total.
    fn into_page(response: Self::Response) -> Page<Self::Item>;
}

struct Walk<'a, O: Paginated> {
    client: &'a Client,
    next: Option<O>,
    buffered: VecDeque<O::Item>,
}

impl<O> Walk<'_, O>
where
    O: Paginated,
{
    async fn next_item(mut self) -> Option<(Result<O::Item, Error>, Self)> {
        loop {
            if let Some(item) = self.buffered.pop_front() {
                return Some((Ok(item), self));
            }
            let request = self.next.take()?;
            let offset = request.offset();
            let page = match self.client.execute(&request).await {
                Ok(response) => O::into_page(response),
                Err(error) => return Some((Err(error), self)),
            };
            let count = page.items.len() as u64;
            let next_offset = offset + count;
            let more = count > 0 && page.total.is_none_or(|total| next_offset < total);
            if more {
                self.next = Some(request.with_offset(next_offset));
            }
            self.buffered.extend(page.items);
        }
    }
}

impl Client {
    /// Every item of a list, page after page, as a stream. An error ends the stream
    /// after it is yielded.
    pub fn paginate<O>(&self, first: O) -> impl Stream<Item = Result<O::Item, Error>> + '_
    where
        O: Paginated + 'static,
    {
        let walk = Walk {
            client: self,
            next: Some(first),
            buffered: VecDeque::new(),
        };
        stream::unfold(Some(walk), |walk| async move {
            let (item, walk) = walk?.next_item().await?;
            let failed = item.is_err();
            Some((item, (!failed).then_some(walk)))
        })
    }
}
