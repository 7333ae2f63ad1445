//! Payments and refunds, as WeChat Pay keeps them: a prepay (JSAPI, APP,
//! Native, H5) makes an order, `NOTPAY`; the user paying it (the control
//! plane's `/sandbox/pay`, standing in for a person in WeChat) makes it
//! `SUCCESS` and sends `TRANSACTION.SUCCESS` to the order's `notify_url`; a
//! refund of a paid order is `SUCCESS` at once and sends `REFUND.SUCCESS`.
//! Answers and notification resources have the members real traffic has (the
//! official SDKs' models), not only those the pages list.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Value, json};

use crate::store::{Reply, rfc3339};

/// How an order was prepaid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TradeType {
    Jsapi,
    App,
    Native,
    H5,
}

impl TradeType {
    /// From the last segment of the prepay path.
    pub(crate) fn from_path(kind: &str) -> Option<TradeType> {
        Some(match kind {
            "jsapi" => TradeType::Jsapi,
            "app" => TradeType::App,
            "native" => TradeType::Native,
            "h5" => TradeType::H5,
            _ => return None,
        })
    }

    fn wire(self) -> &'static str {
        match self {
            TradeType::Jsapi => "JSAPI",
            TradeType::App => "APP",
            TradeType::Native => "NATIVE",
            TradeType::H5 => "MWEB",
        }
    }
}

#[derive(Debug, Clone)]
struct Order {
    appid: String,
    mchid: String,
    description: String,
    out_trade_no: String,
    notify_url: String,
    attach: Option<String>,
    total: i64,
    currency: String,
    openid: Option<String>,
    trade_type: TradeType,
    prepay_id: String,
    state: &'static str,
    transaction_id: Option<String>,
    success_time: Option<i64>,
    refunded: i64,
}

impl Order {
    /// The order as the queries answer it and `TRANSACTION.SUCCESS` carries it.
    fn transaction(&self) -> Value {
        let mut value = json!({
            "appid": self.appid,
            "mchid": self.mchid,
            "out_trade_no": self.out_trade_no,
            "trade_type": self.trade_type.wire(),
            "trade_state": self.state,
            "trade_state_desc": match self.state {
                "SUCCESS" => "支付成功",
                "REFUND" => "转入退款",
                "CLOSED" => "已关闭",
                _ => "订单未支付",
            },
            "amount": {"total": self.total, "currency": self.currency},
        });
        if let Some(attach) = &self.attach {
            value["attach"] = json!(attach);
        }
        if let (Some(transaction_id), Some(success_time)) =
            (&self.transaction_id, self.success_time)
        {
            value["transaction_id"] = json!(transaction_id);
            value["bank_type"] = json!("OTHERS");
            value["success_time"] = json!(rfc3339(success_time));
            value["amount"]["payer_total"] = json!(self.total);
            value["amount"]["payer_currency"] = json!(self.currency);
            if let Some(openid) = &self.openid {
                value["payer"] = json!({"openid": openid});
            }
        }
        value
    }
}

#[derive(Debug, Clone)]
struct Refund {
    refund_id: String,
    out_refund_no: String,
    out_trade_no: String,
    transaction_id: String,
    refund: i64,
    total: i64,
    currency: String,
    created: i64,
    notify_url: String,
    mchid: String,
}

impl Refund {
    fn answer(&self) -> Value {
        json!({
            "refund_id": self.refund_id,
            "out_refund_no": self.out_refund_no,
            "transaction_id": self.transaction_id,
            "out_trade_no": self.out_trade_no,
            "channel": "ORIGINAL",
            "user_received_account": "支付用户零钱",
            "success_time": rfc3339(self.created),
            "create_time": rfc3339(self.created),
            "status": "SUCCESS",
            "funds_account": "AVAILABLE",
            "amount": {
                "total": self.total,
                "refund": self.refund,
                "payer_total": self.total,
                "payer_refund": self.refund,
                "settlement_total": self.total,
                "settlement_refund": self.refund,
                "discount_refund": 0,
                "currency": self.currency,
                "refund_fee": 0,
                "from": [],
            },
            "promotion_detail": [],
        })
    }

    /// What `REFUND.SUCCESS` carries.
    fn resource(&self) -> Value {
        json!({
            "mchid": self.mchid,
            "out_trade_no": self.out_trade_no,
            "transaction_id": self.transaction_id,
            "out_refund_no": self.out_refund_no,
            "refund_id": self.refund_id,
            "refund_status": "SUCCESS",
            "success_time": rfc3339(self.created),
            "user_received_account": "支付用户零钱",
            "amount": {
                "total": self.total,
                "refund": self.refund,
                "payer_total": self.total,
                "payer_refund": self.refund,
            },
        })
    }
}

/// A notification to send: its resource and where.
#[derive(Debug)]
pub(crate) struct Notice {
    pub(crate) resource: Value,
    pub(crate) url: String,
}

/// Orders and refunds.
#[derive(Debug, Default)]
pub(crate) struct Payments {
    orders: IndexMap<String, Order>,
    by_transaction: HashMap<String, String>,
    refunds: IndexMap<String, Refund>,
    next: u64,
}

/// A string member of a JSON body, or the `PARAM_ERROR` naming it.
fn text(body: &Value, pointer: &str) -> Result<String, Reply> {
    body.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| Reply::param_error(pointer.trim_start_matches('/'), "is required"))
}

fn json_body(body: &[u8]) -> Result<Value, Reply> {
    serde_json::from_slice(body).map_err(|_| Reply::param_error("body", "not JSON"))
}

impl Payments {
    fn next_id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{:020}", self.next)
    }

    /// `POST /v3/pay/transactions/{jsapi,app,native,h5}`.
    pub(crate) fn prepay(&mut self, kind: TradeType, merchant: &str, body: &[u8]) -> Reply {
        let mut answer = || -> Result<Reply, Reply> {
            let body = json_body(body)?;
            let order = Order {
                appid: text(&body, "/appid")?,
                mchid: text(&body, "/mchid")?,
                description: text(&body, "/description")?,
                out_trade_no: text(&body, "/out_trade_no")?,
                notify_url: text(&body, "/notify_url")?,
                attach: body["attach"].as_str().map(str::to_owned),
                total: body
                    .pointer("/amount/total")
                    .and_then(Value::as_i64)
                    .filter(|total| *total > 0)
                    .ok_or_else(|| {
                        Reply::param_error("amount.total", "is a positive integer of 分")
                    })?,
                currency: body["amount"]["currency"]
                    .as_str()
                    .unwrap_or("CNY")
                    .to_owned(),
                openid: match kind {
                    TradeType::Jsapi => Some(text(&body, "/payer/openid")?),
                    _ => None,
                },
                trade_type: kind,
                prepay_id: String::new(),
                state: "NOTPAY",
                transaction_id: None,
                success_time: None,
                refunded: 0,
            };
            if order.mchid != merchant {
                return Err(Reply::error(
                    400,
                    "PARAM_ERROR",
                    "mchid 与请求签名的商户号不一致",
                ));
            }
            if !(6..=32).contains(&order.out_trade_no.len()) {
                return Err(Reply::param_error("out_trade_no", "is 6 to 32 characters"));
            }
            let prepay_id = match self.orders.get(&order.out_trade_no) {
                // The same order again: the same prepay; another with its number: refused.
                Some(known)
                    if (known.total, &known.description) == (order.total, &order.description) =>
                {
                    if known.state != "NOTPAY" {
                        return Err(Reply::error(400, "ORDERPAID", "该订单已支付或已关闭"));
                    }
                    known.prepay_id.clone()
                }
                Some(_) => return Err(Reply::error(400, "INVALID_REQUEST", "商户订单号重复")),
                None => {
                    let prepay_id = self.next_id("wx");
                    let mut order = order;
                    order.prepay_id = prepay_id.clone();
                    self.orders.insert(order.out_trade_no.clone(), order);
                    prepay_id
                }
            };
            Ok(Reply::ok(match kind {
                TradeType::Jsapi | TradeType::App => json!({"prepay_id": prepay_id}),
                TradeType::Native => {
                    json!({"code_url": format!("weixin://wxpay/bizpayurl?pr={prepay_id}")})
                }
                TradeType::H5 => {
                    json!({"h5_url": format!("https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id={prepay_id}")})
                }
            }))
        };
        answer().unwrap_or_else(|refusal| refusal)
    }

    fn not_found() -> Reply {
        Reply::error(404, "ORDER_NOT_EXIST", "订单不存在")
    }

    /// `GET /v3/pay/transactions/out-trade-no/{out_trade_no}`.
    pub(crate) fn query(&self, out_trade_no: &str) -> Reply {
        self.orders
            .get(out_trade_no)
            .map_or_else(Self::not_found, |order| Reply::ok(order.transaction()))
    }

    /// `GET /v3/pay/transactions/id/{transaction_id}`.
    pub(crate) fn query_by_transaction_id(&self, transaction_id: &str) -> Reply {
        match self.by_transaction.get(transaction_id) {
            Some(out_trade_no) => self.query(out_trade_no),
            None => Self::not_found(),
        }
    }

    /// `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close`: 204.
    pub(crate) fn close(&mut self, out_trade_no: &str) -> Reply {
        match self.orders.get_mut(out_trade_no) {
            None => Self::not_found(),
            Some(order) if order.state == "NOTPAY" || order.state == "CLOSED" => {
                order.state = "CLOSED";
                Reply {
                    status: 204,
                    body: Value::Null,
                }
            }
            Some(_) => Reply::error(400, "ORDERPAID", "订单已支付，不能关闭"),
        }
    }

    /// The user pays the order: `SUCCESS`, and the notification to send.
    pub(crate) fn pay(
        &mut self,
        out_trade_no: &str,
        openid: Option<&str>,
        now: i64,
    ) -> Result<Notice, String> {
        let transaction_id = self.next_id("42");
        let order = self
            .orders
            .get_mut(out_trade_no)
            .ok_or_else(|| format!("no order {out_trade_no:?}: prepay it first"))?;
        if order.state != "NOTPAY" {
            return Err(format!(
                "order {out_trade_no:?} is {}, not NOTPAY",
                order.state
            ));
        }
        order.state = "SUCCESS";
        order.transaction_id = Some(transaction_id.clone());
        order.success_time = Some(now);
        if let Some(openid) = openid {
            order.openid = Some(openid.to_owned());
        }
        order
            .openid
            .get_or_insert_with(|| "oSandboxPayer0000000000000001".to_owned());
        let notice = Notice {
            resource: order.transaction(),
            url: order.notify_url.clone(),
        };
        self.by_transaction
            .insert(transaction_id, out_trade_no.to_owned());
        Ok(notice)
    }

    /// `POST /v3/refund/domestic/refunds`: the answer, and the notification.
    pub(crate) fn refund(&mut self, body: &[u8], now: i64) -> (Reply, Option<Notice>) {
        let mut attempt = || -> Result<(Reply, Option<Notice>), Reply> {
            let body = json_body(body)?;
            let out_refund_no = text(&body, "/out_refund_no")?;
            let refund = body
                .pointer("/amount/refund")
                .and_then(Value::as_i64)
                .filter(|r| *r > 0)
                .ok_or_else(|| {
                    Reply::param_error("amount.refund", "is a positive integer of 分")
                })?;
            let total = body
                .pointer("/amount/total")
                .and_then(Value::as_i64)
                .ok_or_else(|| Reply::param_error("amount.total", "is required"))?;
            if let Some(known) = self.refunds.get(&out_refund_no) {
                // The same refund number again: the same refund.
                return Ok((Reply::ok(known.answer()), None));
            }
            let out_trade_no = match (
                body["out_trade_no"].as_str(),
                body["transaction_id"].as_str(),
            ) {
                (Some(out_trade_no), _) => out_trade_no.to_owned(),
                (None, Some(id)) => self
                    .by_transaction
                    .get(id)
                    .cloned()
                    .ok_or_else(Self::not_found)?,
                (None, None) => {
                    return Err(Reply::param_error(
                        "out_trade_no",
                        "out_trade_no or transaction_id is required",
                    ));
                }
            };
            let refund_id = self.next_id("50");
            let order = self
                .orders
                .get_mut(&out_trade_no)
                .ok_or_else(Self::not_found)?;
            if !matches!(order.state, "SUCCESS" | "REFUND") {
                return Err(Reply::error(400, "INVALID_REQUEST", "订单未支付，不能退款"));
            }
            if total != order.total {
                return Err(Reply::param_error("amount.total", "is the order's total"));
            }
            if refund > order.total - order.refunded {
                return Err(Reply::error(403, "NOT_ENOUGH", "退款金额超过订单可退金额"));
            }
            order.refunded += refund;
            order.state = "REFUND";
            let record = Refund {
                refund_id,
                out_refund_no: out_refund_no.clone(),
                out_trade_no: out_trade_no.clone(),
                transaction_id: order.transaction_id.clone().unwrap_or_default(),
                refund,
                total,
                currency: order.currency.clone(),
                created: now,
                notify_url: body["notify_url"]
                    .as_str()
                    .map_or_else(|| order.notify_url.clone(), str::to_owned),
                mchid: order.mchid.clone(),
            };
            let notice = Notice {
                resource: record.resource(),
                url: record.notify_url.clone(),
            };
            let answer = Reply::ok(record.answer());
            self.refunds.insert(out_refund_no, record);
            Ok((answer, Some(notice)))
        };
        attempt().unwrap_or_else(|refusal| (refusal, None))
    }

    /// `GET /v3/refund/domestic/refunds/{out_refund_no}`.
    pub(crate) fn query_refund(&self, out_refund_no: &str) -> Reply {
        self.refunds.get(out_refund_no).map_or_else(
            || Reply::error(404, "RESOURCE_NOT_EXISTS", "退款单不存在"),
            |refund| Reply::ok(refund.answer()),
        )
    }

    /// An order's state, for tests that check outcomes against the store.
    pub(crate) fn state(&self, out_trade_no: &str) -> Option<(String, i64)> {
        self.orders
            .get(out_trade_no)
            .map(|order| (order.state.to_owned(), order.refunded))
    }
}
