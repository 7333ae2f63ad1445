//! The first-payment page (`examples/first_payment.rs`), run: every step
//! against the sandbox, the outcome checked against the sandbox's own store,
//! the front-end signature against the merchant's public key, and the
//! sandbox's answers against the typed answers (every member typed, none
//! left to `extra`).

#[allow(dead_code, reason = "the example's `main` is not called here")]
#[path = "../examples/first_payment.rs"]
mod first_payment;

use wechatpay_bindings::WechatPayApi;
use wechatpay_bindings::v3::pay::transactions::out_trade_no::out_trade_no::QueryOrderByOutTradeNoQuery;
use wechatpay_sandbox::{Sandbox, SandboxConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_payment_from_prepay_to_refund() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let outcome = first_payment::rehearse(&sandbox).await.unwrap();

    // The sandbox holds the order paid, then refunded in part.
    assert_eq!(
        sandbox.order(&outcome.out_trade_no),
        Some(("REFUND".to_owned(), 1000))
    );
    assert_eq!((outcome.paid, outcome.refund.1), (2599, 1000));
    assert_eq!(
        outcome.state, "SUCCESS",
        "queried between payment and refund"
    );
    assert!(outcome.transaction_id.starts_with("42"));

    // What the front end gets verifies with the merchant's public key.
    let pay = &outcome.front_end;
    let message = format!(
        "{}\n{}\n{}\n{}\n",
        pay.app_id, pay.time_stamp, pay.nonce_str, pay.package
    );
    let public = sandbox.keys().merchant_key.public_key();
    assert_eq!(public.verify(message.as_bytes(), &pay.pay_sign), Ok(()));

    // The sandbox's answer is typed member by member.
    let client = sandbox.client_builder().build().unwrap();
    let order = client
        .query_order_by_out_trade_no(
            &outcome.out_trade_no,
            QueryOrderByOutTradeNoQuery::new(client.mchid()),
        )
        .await
        .unwrap();
    assert!(order.extra.is_empty(), "{:?}", order.extra.keys());
    let amount = order.amount.unwrap();
    assert!(amount.extra.is_empty(), "{:?}", amount.extra.keys());
    assert_eq!((amount.total, amount.payer_total), (Some(2599), Some(2599)));
    assert_eq!(
        order.payer.unwrap().openid.as_deref(),
        Some("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
    );
}

/// The business rules the sandbox keeps, as WeChat Pay does: an unpaid order
/// closes, a paid one does not; a refund cannot exceed what was paid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_and_refunds_keep_the_rules() {
    use wechatpay_bindings::v3::pay::transactions::jsapi::{
        JsapiPrepayAmount, JsapiPrepayBody, JsapiPrepayPayer,
    };
    use wechatpay_bindings::v3::pay::transactions::out_trade_no::out_trade_no::close::CloseOrderBody;
    use wechatpay_bindings::v3::refund::domestic::refunds::{CreateRefundAmount, CreateRefundBody};
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let order = |no: &str| {
        JsapiPrepayBody::new(
            "wxd678efh567hg6787",
            client.mchid(),
            "一件商品",
            no,
            JsapiPrepayAmount::new(100),
            "http://127.0.0.1:9/notify",
            JsapiPrepayPayer::new("oUser"),
        )
    };
    client.jsapi_prepay(order("ORDER-CLOSE")).await.unwrap();
    client
        .close_order("ORDER-CLOSE", CloseOrderBody::new(client.mchid()))
        .await
        .unwrap();
    assert_eq!(sandbox.order("ORDER-CLOSE"), Some(("CLOSED".to_owned(), 0)));

    client.jsapi_prepay(order("ORDER-PAID")).await.unwrap();
    sandbox.pay("ORDER-PAID").unwrap();
    let refused = client
        .close_order("ORDER-PAID", CloseOrderBody::new(client.mchid()))
        .await
        .unwrap_err();
    assert_eq!(refused.api().unwrap().code.as_deref(), Some("ORDERPAID"));
    let too_much = client
        .create_refund(
            CreateRefundBody::new("R-TOO-MUCH", CreateRefundAmount::new(101, 100, "CNY"))
                .with_out_trade_no("ORDER-PAID"),
        )
        .await
        .unwrap_err();
    assert_eq!(too_much.api().unwrap().code.as_deref(), Some("NOT_ENOUGH"));
    assert_eq!(sandbox.order("ORDER-PAID"), Some(("SUCCESS".to_owned(), 0)));
    // A field the docs require, missing: refused before it is sent.
    let missing = client.jsapi_prepay(order("")).await.unwrap_err();
    assert!(missing.never_sent() || missing.api().is_some(), "{missing}");
}
