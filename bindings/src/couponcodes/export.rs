//! Exporting a stock: every page of the list, several in flight at once, in
//! order, each checked against the first so that a gap or a change of the stock
//! during the export is an error instead of a silently incomplete file.

use std::collections::BTreeMap;
use std::future::Future;

use futures_util::stream::{self, FuturesUnordered, Stream, StreamExt};
use wechatpay_runtime::{Client, Error};

use crate::v3::marketing::busifavor::stocks::stock_id::couponcodes::{
    ListCouponCodesDataItem, ListCouponCodesQuery, ListCouponCodesRequest,
};

/// Why an export could not list every code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// A page could not be fetched (after the client's retries).
    #[error(transparent)]
    Call(#[from] Error),
    /// `total_count` changed between pages: codes were uploaded, deleted or
    /// dispatched during the export, so its pages no longer line up.
    #[error("the stock changed during the export ({before} codes, then {now}); export it again")]
    Changed {
        /// `total_count` of the first page.
        before: u64,
        /// `total_count` of a later page.
        now: u64,
    },
    /// A page held fewer codes than the offsets promised.
    #[error(
        "the page at offset {offset} held {got} codes where {expected} were expected; export it again"
    )]
    ShortPage {
        /// The page's offset.
        offset: u64,
        /// Codes it held.
        got: u64,
        /// Codes it should have held.
        expected: u64,
    },
}

struct Page {
    items: Vec<ListCouponCodesDataItem>,
    total: u64,
}

async fn fetch(
    client: &Client,
    stock_id: &str,
    query: &ListCouponCodesQuery,
    offset: u64,
) -> Result<Page, Error> {
    let request = ListCouponCodesRequest::new(
        stock_id,
        query
            .clone()
            .with_offset(i64::try_from(offset).unwrap_or(i64::MAX)),
    );
    let response = client.execute(&request).await?;
    Ok(Page {
        items: response.data.unwrap_or_default(),
        total: response
            .total_count
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0),
    })
}

/// How many pages per request in flight may wait, fetched, for a slower
/// page before them: the memory that buys throughput when some answers are
/// slow (a page of 100 codes is about 18 KB).
const PAGES_AHEAD: usize = 8;

/// `fetch` of each of `inputs`, up to `concurrency` at once, yielded in the
/// order of `inputs`. A slow fetch does not hold the others back: the next
/// ones start as others finish, and up to `window` results after it wait in
/// memory (`.buffered(n)` would stop starting fetches until the slow one is
/// done, so a few slow answers made an export nearly sequential).
fn in_order<I, T, F, Fut>(
    inputs: Vec<I>,
    concurrency: usize,
    window: usize,
    fetch: F,
) -> impl Stream<Item = T> + Send
where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    struct State<I, T, F, Fut> {
        inputs: std::iter::Enumerate<std::vec::IntoIter<I>>,
        fetch: F,
        running: FuturesUnordered<futures_util::future::BoxFuture<'static, (usize, T)>>,
        ready: BTreeMap<usize, T>,
        next: usize,
        launched: usize,
        _future: std::marker::PhantomData<fn() -> Fut>,
    }
    let state = State::<I, T, F, Fut> {
        inputs: inputs.into_iter().enumerate(),
        fetch,
        running: FuturesUnordered::new(),
        ready: BTreeMap::new(),
        next: 0,
        launched: 0,
        _future: std::marker::PhantomData,
    };
    stream::unfold(state, move |mut state| async move {
        loop {
            if let Some(item) = state.ready.remove(&state.next) {
                state.next += 1;
                return Some((item, state));
            }
            while state.running.len() < concurrency && state.launched < state.next + window {
                let Some((index, input)) = state.inputs.next() else {
                    break;
                };
                let future = (state.fetch)(input);
                state
                    .running
                    .push(Box::pin(async move { (index, future.await) }));
                state.launched += 1;
            }
            let (index, item) = state.running.next().await?;
            state.ready.insert(index, item);
        }
    })
}

/// Every code of a stock matching `query`, as pages in order, with up to
/// `concurrency` requests in flight. The first page sets the page size (the
/// number of codes the server returned for `query.limit`) and the total; every
/// later page must agree with both. The stream ends after its first error.
pub fn export_codes(
    client: &Client,
    stock_id: impl Into<String>,
    query: ListCouponCodesQuery,
    concurrency: usize,
) -> impl Stream<Item = Result<Vec<ListCouponCodesDataItem>, ExportError>> + Send + 'static {
    let client = client.clone();
    let stock_id: String = stock_id.into();
    let start = query
        .offset
        .and_then(|o| u64::try_from(o).ok())
        .unwrap_or(0);
    let first = {
        let (client, stock_id, query) = (client.clone(), stock_id.clone(), query.clone());
        async move { fetch(&client, &stock_id, &query, start).await }
    };
    let pages = stream::once(first).flat_map(move |first| {
        let first = match first {
            Ok(page) => page,
            Err(error) => return stream::iter([Err(ExportError::from(error))]).boxed(),
        };
        let size = first.items.len() as u64;
        let total = first.total;
        let offsets: Vec<u64> = if size == 0 {
            Vec::new()
        } else {
            (start + size..total).step_by(size as usize).collect()
        };
        let (client, stock_id, query) = (client.clone(), stock_id.clone(), query.clone());
        let window = concurrency.max(1) * PAGES_AHEAD;
        let rest = in_order(offsets, concurrency.max(1), window, move |offset| {
            let (client, stock_id, query) = (client.clone(), stock_id.clone(), query.clone());
            async move {
                let page = fetch(&client, &stock_id, &query, offset).await?;
                if page.total != total {
                    return Err(ExportError::Changed {
                        before: total,
                        now: page.total,
                    });
                }
                let expected = size.min(total - offset);
                if page.items.len() as u64 != expected {
                    return Err(ExportError::ShortPage {
                        offset,
                        got: page.items.len() as u64,
                        expected,
                    });
                }
                Ok(page.items)
            }
        });
        stream::iter([Ok(first.items)]).chain(rest).boxed()
    });
    // Pages after an error are not wanted: the export is already incomplete.
    pages
        .scan(false, |failed, page| {
            if *failed {
                return std::future::ready(None);
            }
            *failed = page.is_err();
            std::future::ready(Some(page))
        })
        .filter(|page| std::future::ready(!matches!(page, Ok(items) if items.is_empty())))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use futures_util::StreamExt;
    use tokio::sync::oneshot;

    use super::in_order;

    /// The first fetch answers only once the window behind it has started:
    /// the others must not wait for it to start, and the order stays.
    #[tokio::test]
    async fn a_slow_page_does_not_hold_the_others_back() {
        let started = Arc::new(Mutex::new(Vec::new()));
        let (release, held) = oneshot::channel::<()>();
        let held = Arc::new(Mutex::new(Some(held)));
        let release = Arc::new(Mutex::new(Some(release)));
        let pages: Vec<usize> = (0..40).collect();
        let stream = {
            let started = started.clone();
            in_order(pages, 4, 32, move |page| {
                let (started, held, release) = (started.clone(), held.clone(), release.clone());
                async move {
                    let count = {
                        let mut started = started.lock().unwrap();
                        started.push(page);
                        started.len()
                    };
                    if page == 0 {
                        let held = held.lock().unwrap().take().unwrap();
                        held.await.unwrap();
                    }
                    // Page 0 is let go once the 32 pages of the window have started.
                    if count == 32 {
                        let _ = release.lock().unwrap().take().unwrap().send(());
                    }
                    page
                }
            })
        };
        // With fetches held back behind the slow one, this would never end.
        let got: Vec<usize> =
            tokio::time::timeout(std::time::Duration::from_secs(30), stream.collect())
                .await
                .expect("the slow page held the others back");
        assert_eq!(got, (0..40).collect::<Vec<_>>(), "in order");
        assert_eq!(started.lock().unwrap().len(), 40);
    }
}
