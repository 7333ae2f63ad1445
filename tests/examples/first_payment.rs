//! A merchant's first payment, start to finish, rehearsed against the local
//! sandbox (no credentials): `cargo run -p wechatpay-e2e --example first_payment`.
//!
//! 1. A JSAPI prepay (`jsapi_prepay`): the order, and its `prepay_id`.
//! 2. What the mini-program or JSAPI page passes to WeChat Pay, signed with
//!    the merchant key (`Client::jsapi_payment`).
//! 3. The user pays; `TRANSACTION.SUCCESS` arrives at the notify URL,
//!    verified, decrypted and typed (`Event::TransactionSuccess`).
//! 4. The order, queried (`query_order_by_out_trade_no`).
//! 5. A refund of part of it (`create_refund`); `REFUND.SUCCESS` arrives.
//!
//! Against WeChat Pay, the client is built with your credentials
//! (`Client::builder().merchant(...).wechatpay_public_key(...)`), the notify
//! URL is your HTTPS endpoint, and step 3 is a person paying in WeChat.

use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc;
use wechatpay_bindings::WechatPayApi;
use wechatpay_bindings::events::Event;
use wechatpay_bindings::v3::pay::transactions::jsapi::{
    JsapiPrepayAmount, JsapiPrepayBody, JsapiPrepayPayer,
};
use wechatpay_bindings::v3::pay::transactions::out_trade_no::out_trade_no::QueryOrderByOutTradeNoQuery;
use wechatpay_bindings::v3::refund::domestic::refunds::{CreateRefundAmount, CreateRefundBody};
use wechatpay_runtime::notify::{NotificationParser, receive};
use wechatpay_runtime::payment::JsapiPayment;
use wechatpay_runtime::{Client, Error};
use wechatpay_sandbox::{Sandbox, SandboxConfig};

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// What happened, step by step.
#[derive(Debug)]
pub struct Outcome {
    /// The merchant's order number.
    pub out_trade_no: String,
    /// Step 2: what the front end passes to WeChat Pay.
    pub front_end: JsapiPayment,
    /// Step 3: WeChat Pay's transaction id, from the notification.
    pub transaction_id: String,
    /// Step 3: the amount paid, in 分, from the notification.
    pub paid: i64,
    /// Step 4: the order's state, queried.
    pub state: String,
    /// Step 5: the refund's id, and the amount refunded from its notification.
    pub refund: (String, i64),
}

/// The merchant's notify URL: a receiver that hands every verified,
/// decrypted notification over as an `Event` (and acknowledges it).
async fn notify_url(
    parser: NotificationParser,
) -> Result<(String, mpsc::Receiver<Event>), Failure> {
    use http_body_util::BodyExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/notify", listener.local_addr()?);
    let (events, received) = mpsc::channel(16);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (parser, events) = (parser.clone(), events.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |request: http::Request<hyper::body::Incoming>| {
                        let (parser, events) = (parser.clone(), events.clone());
                        async move {
                            let (parts, body) = request.into_parts();
                            let request =
                                http::Request::from_parts(parts, body.collect().await?.to_bytes());
                            let answer = receive(&parser, request, |event: Event| async move {
                                events.send(event).await.map_err(|_| "nobody is listening")
                            })
                            .await;
                            Ok::<_, hyper::Error>(answer.map(http_body_util::Full::<Bytes>::new))
                        }
                    },
                );
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    Ok((url, received))
}

/// The next event, or why none came.
async fn next(events: &mut mpsc::Receiver<Event>) -> Result<Event, Failure> {
    tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await?
        .ok_or_else(|| "the receiver stopped".into())
}

/// The whole flow against `sandbox`.
pub async fn rehearse(sandbox: &Sandbox) -> Result<Outcome, Failure> {
    let client: Client = sandbox.client_builder().build()?;
    let parser = NotificationParser::for_client(&client, sandbox.keys().apiv3_key.as_bytes())?;
    let (notify_url, mut events) = notify_url(parser).await?;
    let appid = "wxd678efh567hg6787";
    let out_trade_no = format!("ORDER{}", std::process::id());

    // 1. The order, and its prepay_id.
    let prepay = client
        .jsapi_prepay(JsapiPrepayBody::new(
            appid,
            client.mchid(),
            "Image形象店-深圳腾大-QQ公仔",
            &out_trade_no,
            JsapiPrepayAmount::new(2599).with_currency("CNY"),
            &notify_url,
            JsapiPrepayPayer::new("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
        ))
        .await?;
    // Answer fields are `Option`s: WeChat Pay's answer tables promise nothing.
    let prepay_id = prepay.prepay_id.ok_or(Error::absent("prepay_id"))?;

    // 2. What wx.requestPayment(...) needs, signed with the merchant key.
    let front_end = client.jsapi_payment(appid, &prepay_id);

    // 3. The user pays (here: the sandbox stands in for them); WeChat Pay
    //    tells the notify URL.
    sandbox.pay(&out_trade_no)?;
    let Event::TransactionSuccess(payment) = next(&mut events).await? else {
        return Err("expected TRANSACTION.SUCCESS".into());
    };
    let transaction_id = payment.resource.transaction_id.clone().unwrap_or_default();
    let paid = payment
        .resource
        .amount
        .as_ref()
        .and_then(|amount| amount.total)
        .unwrap_or_default();

    // 4. The order, as WeChat Pay has it.
    let order = client
        .query_order_by_out_trade_no(
            &out_trade_no,
            QueryOrderByOutTradeNoQuery::new(client.mchid()),
        )
        .await?;
    let state = order
        .trade_state
        .map(|state| state.to_string())
        .unwrap_or_default();

    // 5. A refund of 1000 分 of it; WeChat Pay tells the notify URL again.
    let refund = client
        .create_refund(
            CreateRefundBody::new(
                format!("REFUND{}", std::process::id()),
                CreateRefundAmount::new(1000, paid, "CNY"),
            )
            .with_out_trade_no(&out_trade_no)
            .with_reason("商品已售完"),
        )
        .await?;
    let Event::RefundSuccess(refunded) = next(&mut events).await? else {
        return Err("expected REFUND.SUCCESS".into());
    };
    let amount = refunded
        .resource
        .amount
        .as_ref()
        .and_then(|amount| amount.refund)
        .unwrap_or_default();

    Ok(Outcome {
        out_trade_no,
        front_end,
        transaction_id,
        paid,
        state,
        refund: (refund.refund_id.unwrap_or_default(), amount),
    })
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let outcome = rehearse(&sandbox).await?;
    println!("1. prepaid order {}", outcome.out_trade_no);
    println!(
        "2. for wx.requestPayment: {}",
        serde_json::to_string(&outcome.front_end)?
    );
    println!(
        "3. paid: transaction {}, {} 分 (TRANSACTION.SUCCESS)",
        outcome.transaction_id, outcome.paid
    );
    println!("4. queried: {}", outcome.state);
    println!(
        "5. refunded: {} for {} 分 (REFUND.SUCCESS)",
        outcome.refund.0, outcome.refund.1
    );
    Ok(())
}
