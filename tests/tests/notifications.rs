//! Every notification of the docs, rehearsed: the sandbox sends each APIv3
//! event type with a resource built from its page, encrypted and signed as
//! WeChat Pay sends them, to a receiver built on `notify::receive`; each
//! arrives verified, decrypted and typed (`Event::<its variant>`, neither
//! `Unknown` nor `Undecoded`), and is acknowledged.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use wechatpay_bindings::events::Event;
use wechatpay_runtime::notify::{NotificationParser, receive};
use wechatpay_sandbox::{Sandbox, SandboxConfig, event_types};

/// What the receiver saw, by notification id: the event type and how it typed.
type Seen = Arc<Mutex<BTreeMap<String, (String, &'static str)>>>;

fn kind(event: &Event) -> &'static str {
    match event {
        Event::Unknown(_) => "unknown",
        Event::Undecoded(_) => "undecoded",
        _ => "typed",
    }
}

/// A receiver on a free port: `receive` over hyper, handing each verified
/// notification to `on_event` as an `Event`.
async fn receiver(
    parser: NotificationParser,
    on_event: impl Fn(Event) + Clone + Send + Sync + 'static,
) -> String {
    use http_body_util::BodyExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let (parser, on_event) = (parser.clone(), on_event.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |request: http::Request<hyper::body::Incoming>| {
                        let (parser, on_event) = (parser.clone(), on_event.clone());
                        async move {
                            let (parts, body) = request.into_parts();
                            let body = body.collect().await?.to_bytes();
                            let request = http::Request::from_parts(parts, body);
                            let answer = receive(&parser, request, |event: Event| {
                                on_event(event);
                                async { Ok::<_, std::io::Error>(()) }
                            })
                            .await;
                            Ok::<_, hyper::Error>(answer.map(http_body_util::Full::<Bytes>::new))
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    url
}

fn parser_for(sandbox: &Sandbox) -> NotificationParser {
    let client = sandbox.client_builder().build().unwrap();
    NotificationParser::for_client(&client, sandbox.keys().apiv3_key.as_bytes()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_type_of_the_docs_arrives_typed() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let seen: Seen = Arc::default();
    let url = {
        let seen = seen.clone();
        receiver(parser_for(&sandbox), move |event| {
            seen.lock().unwrap().insert(
                event.id().to_owned(),
                (event.event_type().to_owned(), kind(&event)),
            );
        })
        .await
    };

    let types = event_types();
    assert!(types.len() >= 100, "{} event types", types.len());
    let mut sent = BTreeMap::new();
    for event_type in &types {
        let notification = sandbox
            .notify(event_type, Some(&url), serde_json::Map::new())
            .unwrap();
        sent.insert(
            notification["id"].as_str().unwrap().to_owned(),
            event_type.to_string(),
        );
    }
    // Deliveries run in the background: wait for the sandbox to see every
    // one acknowledged (its own count, not the receiver's).
    for _ in 0..600 {
        if sandbox.notifications().delivered as usize >= sent.len() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let stats = sandbox.notifications();
    assert_eq!(stats.delivered as usize, types.len(), "{stats:?}");
    assert_eq!(stats.abandoned, 0);

    let seen = seen.lock().unwrap();
    let mut wrong = Vec::new();
    for (id, event_type) in &sent {
        match seen.get(id) {
            Some((typed_as, "typed")) if typed_as == event_type => {}
            other => wrong.push(format!("{event_type}: {other:?}")),
        }
    }
    assert!(
        wrong.is_empty(),
        "not received typed:\n{}",
        wrong.join("\n")
    );
}

/// A member given to the sandbox replaces the page's example, and the typed
/// resource carries it: a merchant rehearses the payment it expects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rehearsed_payment_carries_the_given_members() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let events: Arc<Mutex<Vec<Event>>> = Arc::default();
    let url = {
        let events = events.clone();
        receiver(parser_for(&sandbox), move |event| {
            events.lock().unwrap().push(event)
        })
        .await
    };
    let mut members = serde_json::Map::new();
    members.insert("out_trade_no".into(), "ORDER-20261206-0001".into());
    members.insert(
        "amount".into(),
        serde_json::json!({"total": 2599, "currency": "CNY"}),
    );
    sandbox
        .notify("TRANSACTION.SUCCESS", Some(&url), members)
        .unwrap();
    for _ in 0..200 {
        if !events.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let events = events.lock().unwrap();
    let Some(Event::TransactionSuccess(payment)) = events.first() else {
        panic!("{events:?}")
    };
    assert_eq!(
        payment.resource.out_trade_no.as_deref(),
        Some("ORDER-20261206-0001")
    );
    assert_eq!(payment.resource.amount.as_ref().unwrap().total, Some(2599));
}
