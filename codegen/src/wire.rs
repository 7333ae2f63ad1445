//! What the generated types promise about the wire, where the pages say more
//! than WeChat Pay keeps to. Each rule reads the spec, never a hand list.
//!
//! - **Presence on the answer side.** An answer table merges the product
//!   variants that share a page (direct, partner, cross-border: the
//!   `TRANSACTION.SUCCESS` page lists `sp_mchid`, `sub_mchid`, a profit
//!   sharing `receiver`... each required), repeats the request's fields with
//!   their required marks (the order query's `description`, `notify_url`),
//!   and marks conditional fields required (`consume_amount`, sent only for
//!   `MULTIUSE`). A field is non-`Option` only when every variant sends it,
//!   and no page says which variant sends what, so no answer field is: every
//!   one is an `Option`, as the official Go SDK models them (`*T`). The page's
//!   required mark stays in the field's docs.
//! - **Members no page lists** are kept, in each answer type's `extra` map,
//!   and serialized back: re-encoding an answer loses nothing.
//! - **Numbers.** A `number` is an `i64` unless its row shows a fraction (a
//!   rate, a ratio, a coefficient): amounts in 分 are typed `number` on many
//!   pages, though their own text says 单位为分，只能为整数. Money is never a
//!   float; [`float_reason`] says why each remaining float is one.
//! - **Times** (`success_time`, `time_expire`...) are `DateTime`s, which read
//!   RFC 3339 and keep the exact text (see [`is_time`]).

use wechatpay_spec::{Field, Kind};

/// Why a documented `number` is fractional, or `None` when it is an integer
/// (an amount in 分, a count, an id, a duration...).
pub fn float_reason(field: &Field) -> Option<&'static str> {
    if field.kind != Kind::Number {
        return None;
    }
    let text = field.description.as_str();
    let name = field.name.to_ascii_lowercase();
    // Words of the name (`charging_duration` has no `ratio` in it).
    let words: Vec<&str> = name.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    // What the row says of its unit wins. Exchange rates (汇率) are sent
    // multiplied by 10^8, as the pages that say how put it
    // (汇率值是汇率乘以10的8次方).
    const INTEGRAL: [&str; 10] = [
        "汇率",
        "单位为分",
        "单位：分",
        "单位:分",
        "单位分",
        "(分)",
        "（分）",
        "单位，分",
        "整数",
        "乘以",
    ];
    if INTEGRAL.iter().any(|phrase| text.contains(phrase)) {
        return None;
    }
    // Amounts are in 分, whatever else the row says.
    const MONEY: [&str; 11] = [
        "amount",
        "amt",
        "total",
        "fee",
        "price",
        "refund",
        "balance",
        "quota",
        "contribute",
        "advance",
        "money",
    ];
    if MONEY.iter().any(|word| words.contains(word)) {
        return None;
    }
    const FRACTIONAL: [(&str, &str); 8] = [
        ("税率", "a tax rate"),
        ("费率", "a fee rate"),
        ("比例", "a ratio"),
        ("比率", "a ratio"),
        ("百分", "a percentage"),
        ("系数", "a coefficient"),
        ("经度", "a longitude"),
        ("纬度", "a latitude"),
    ];
    if let Some((_, reason)) = FRACTIONAL.iter().find(|(word, _)| text.contains(word)) {
        return Some(reason);
    }
    const FRACTIONAL_NAMES: [(&str, &str); 6] = [
        ("rate", "a rate"),
        ("ratio", "a ratio"),
        ("percent", "a percentage"),
        ("score", "a score"),
        ("latitude", "a latitude"),
        ("longitude", "a longitude"),
    ];
    FRACTIONAL_NAMES
        .iter()
        .find(|(word, _)| words.contains(word))
        .map(|(_, reason)| *reason)
}

/// Whether a field holds a time: a plain string named `time`, `*_time` or
/// `time_*`. The pages give no format column; RFC 3339 is what they write
/// almost everywhere, and `DateTime` keeps any other text as it came.
pub fn is_time(field: &Field) -> bool {
    let name = field.name.as_str();
    field.kind == Kind::String
        && !field.is_array()
        && field.enum_values.is_empty()
        && field.encoded.is_none()
        && field.encrypted.is_none()
        && field.constant.is_none()
        && (name == "time" || name.ends_with("_time") || name.starts_with("time_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(name: &str, description: &str) -> Field {
        let mut field = Field::new(name, Kind::Number, 1);
        field.description = description.to_owned();
        field
    }

    #[test]
    fn amounts_counts_and_scaled_rates_are_integers() {
        for (name, description) in [
            ("total", "订单总金额，单位为分，只能为整数"),
            ("payer_total", "用户支付金额"),
            ("amount", "发放面额"),
            ("discount_total", "折扣"),
            ("count", "商品数量"),
            ("plan_id", "委托代扣协议模板ID"),
            ("settlement_rate", "结算汇率(汇率值是汇率乘以10的8次方)"),
            ("settlement_rate", "结算汇率"),
            ("charging_duration", "计费的时间长，单位为秒"),
        ] {
            assert_eq!(float_reason(&number(name, description)), None, "{name}");
        }
    }

    #[test]
    fn rates_and_coefficients_stay_fractional() {
        assert_eq!(
            float_reason(&number("tax_rate", "税率")),
            Some("a tax rate")
        );
        assert_eq!(
            float_reason(&number("risk_score", "风险系数值")),
            Some("a coefficient")
        );
        let mut integer = number("tax_rate", "税率");
        integer.kind = Kind::Integer;
        assert_eq!(float_reason(&integer), None, "only `number` rows");
    }
}
