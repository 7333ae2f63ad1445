//! Exporting a stock: every page of the list, several in flight at once, in
//! order, each checked against the first so that a gap or a change of the stock
//! during the export is an error instead of a silently incomplete file.

use futures_util::stream::{self, Stream, StreamExt};
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
    let response = super::retry_unverified(|| client.execute(&request)).await?;
    Ok(Page {
        items: response.data.unwrap_or_default(),
        total: response
            .total_count
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0),
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
        let rest = stream::iter(offsets)
            .map(move |offset| {
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
            })
            .buffered(concurrency.max(1));
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
