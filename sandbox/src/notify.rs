//! Notifications: what the sandbox POSTs to the merchant's notify URL, signed and
//! encrypted as WeChat Pay does, retried on failure or timeout on the documented
//! schedule (compressed by [`NotifyConfig`] for tests), and now and then sent
//! twice even after a success, as the docs warn it may be.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use http::{HeaderMap, HeaderValue, header};
use serde_json::{Value, json};
use wechatpay_runtime::aead;

use crate::protocol::sign;
use crate::state::{Shared, aead_nonce, now, request_id};
use crate::store::rfc3339;

/// What a notification says, besides its id and time.
pub(crate) struct Event {
    /// `COUPON.SEND`, ...
    pub(crate) event_type: String,
    /// The page's summary of it.
    pub(crate) summary: String,
    /// The resource's `original_type` (`coupon`, `transaction`, ...).
    pub(crate) original_type: String,
    /// The decrypted resource.
    pub(crate) resource: Value,
    /// Where to send it; the registered notify URL when `None`.
    pub(crate) url: Option<String>,
}

/// Sends a notification of `event_type` carrying `resource` to the notify
/// URL, in the background; returns its id.
pub(crate) fn deliver(
    shared: Arc<Shared>,
    event_type: &'static str,
    summary: &'static str,
    resource: Value,
) -> String {
    deliver_event(
        shared,
        Event {
            event_type: event_type.to_owned(),
            summary: summary.to_owned(),
            original_type: "coupon".to_owned(),
            resource,
            url: None,
        },
    )
}

/// Sends `event`, encrypted and signed as WeChat Pay sends notifications, in
/// the background, again and again until it is acknowledged (or the
/// attempts run out); returns its id.
pub(crate) fn deliver_event(shared: Arc<Shared>, event: Event) -> String {
    let Event {
        event_type,
        summary,
        original_type,
        resource,
        url: fixed_url,
    } = event;
    let notifier = &shared.notifier;
    notifier.count(|s| s.events += 1);
    let id = format!(
        "EV-{}-{:08}",
        now(),
        notifier.next_id.fetch_add(1, Ordering::Relaxed)
    );
    let resource_nonce = aead_nonce();
    let ciphertext = aead::encrypt(
        shared.keys.apiv3_key.as_bytes(),
        &resource_nonce,
        &original_type,
        resource.to_string().as_bytes(),
    )
    .expect("a 32-byte key and a 12-byte nonce");
    let body = json!({
        "id": id,
        "create_time": rfc3339(now()),
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": summary,
        "resource": {
            "original_type": original_type,
            "algorithm": aead::ALGORITHM,
            "ciphertext": ciphertext,
            "associated_data": original_type,
            "nonce": resource_nonce,
        }
    })
    .to_string();
    let body = bytes::Bytes::from(body);
    let delivered_id = id.clone();
    tokio::spawn(async move {
        let notifier = &shared.notifier;
        let config = notifier.config.clone();
        for attempt in 1..=config.attempts.max(1) {
            let url = fixed_url
                .clone()
                .or_else(|| shared.store.lock().expect("lock").notify_url.clone());
            let Some(url) = url else {
                tracing::debug!(%id, "no notify URL: the notification is dropped");
                break;
            };
            if send(&shared, &url, &body).await {
                notifier.count(|s| s.delivered += 1);
                if rand::random::<f64>() < config.duplicate_rate {
                    notifier.count(|s| s.duplicates += 1);
                    send(&shared, &url, &body).await;
                }
                return;
            }
            tracing::debug!(%id, attempt, "notification not acknowledged");
            if attempt < config.attempts {
                tokio::time::sleep(config.interval).await;
            }
        }
        notifier.count(|s| s.abandoned += 1);
    });
    delivered_id
}

/// One send, signed afresh (a retry a day later must still be within the
/// receiver's five-minute window); acknowledged by a 2xx in time.
async fn send(shared: &Shared, url: &str, body: &bytes::Bytes) -> bool {
    let notifier = &shared.notifier;
    let Ok(_turn) = notifier.in_flight.acquire().await else {
        return false;
    };
    notifier.count(|s| s.sends += 1);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::USER_AGENT, HeaderValue::from_static("Mozilla/4.0"));
    if let Ok(id) = HeaderValue::from_str(&request_id()) {
        headers.insert("Request-ID", id);
    }
    let (serial, key) = shared.default_signer();
    sign(&mut headers, serial, key, body, now());
    let request = notifier
        .http
        .post(url)
        .headers(headers)
        .body(body.clone())
        .send();
    match tokio::time::timeout(notifier.config.timeout, request).await {
        Ok(Ok(response)) => response.status().is_success(),
        _ => false,
    }
}
