//! The request payload of a page's PHP code sample, read as JSON.
//!
//! Samples call the PHP SDK with one array literal:
//! `$instance->v3->...->postAsync(['stock_id' => '98065001', 'json' => [...]])`.
//! That literal is the documented example of the request. Samples that build the
//! payload from variables or function calls have no literal example; they give `None`.

use serde_json::{Map, Value};

/// The argument array of the first SDK call in `code`, as JSON, when it is a literal.
pub(crate) fn request_example(code: &str) -> Option<Value> {
    // The chain ends in `->get(`, `->postAsync(` etc.; the argument follows.
    let call = [
        "Async([",
        "->get([",
        "->post([",
        "->put([",
        "->patch([",
        "->delete([",
    ]
    .iter()
    .filter_map(|marker| code.find(marker).map(|at| at + marker.len() - 1))
    .min()?;
    let mut parser = Parser {
        text: code,
        pos: call,
    };
    let value = parser.value().ok()?;
    parser.skip_trivia();
    parser.text[parser.pos..].starts_with(')').then_some(value)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

type Parsed<T> = Result<T, ()>;

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn skip_trivia(&mut self) {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            let skipped = rest.len() - trimmed.len();
            let comment = if trimmed.starts_with("//") || trimmed.starts_with('#') {
                trimmed.find('\n').unwrap_or(trimmed.len())
            } else if trimmed.starts_with("/*") {
                trimmed.find("*/").map_or(trimmed.len(), |e| e + 2)
            } else {
                0
            };
            self.pos += skipped + comment;
            if comment == 0 {
                return;
            }
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_trivia();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Parsed<Value> {
        self.skip_trivia();
        let rest = self.rest();
        if rest.starts_with('[') {
            return self.array();
        }
        if rest.starts_with('\'') || rest.starts_with('"') {
            return self.string().map(Value::String);
        }
        for (word, value) in [
            ("true", Value::Bool(true)),
            ("false", Value::Bool(false)),
            ("null", Value::Null),
        ] {
            if rest
                .get(..word.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(word))
            {
                let after = &rest[word.len()..];
                if !after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                    self.pos += word.len();
                    return Ok(value);
                }
            }
        }
        for function in ["\\json_encode(", "json_encode("] {
            if rest.starts_with(function) {
                self.pos += function.len();
                let inner = self.value()?;
                if !self.eat(")") {
                    return Err(());
                }
                return Ok(Value::String(inner.to_string()));
            }
        }
        self.number()
    }

    fn number(&mut self) -> Parsed<Value> {
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
            .unwrap_or(rest.len());
        let token = &rest[..len];
        let value = if let Ok(int) = token.parse::<i64>() {
            Value::from(int)
        } else {
            let float: f64 = token.parse().map_err(|_| ())?;
            Value::from(float)
        };
        self.pos += len;
        Ok(value)
    }

    fn string(&mut self) -> Parsed<String> {
        let rest = self.rest();
        let quote = rest.chars().next().ok_or(())?;
        let mut out = String::new();
        let mut chars = rest[1..].char_indices();
        while let Some((i, c)) = chars.next() {
            if c == quote {
                self.pos += 1 + i + 1;
                return Ok(out);
            }
            if c == '\\' {
                let (_, next) = chars.next().ok_or(())?;
                match (quote, next) {
                    (_, '\\') => out.push('\\'),
                    (q, n) if n == q => out.push(n),
                    ('"', 'n') => out.push('\n'),
                    ('"', 't') => out.push('\t'),
                    ('"', 'r') => out.push('\r'),
                    ('"', '$') => out.push('$'),
                    (_, other) => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            } else if c == '$' && quote == '"' {
                // Interpolated variables are not literal examples.
                return Err(());
            } else {
                out.push(c);
            }
        }
        Err(())
    }

    /// `[...]`: a list when no element has a key, an object otherwise.
    fn array(&mut self) -> Parsed<Value> {
        if !self.eat("[") {
            return Err(());
        }
        let mut list = Vec::new();
        let mut object = Map::new();
        loop {
            if self.eat("]") {
                break;
            }
            let first = self.value()?;
            if self.eat("=>") {
                let key = match first {
                    Value::String(key) => key,
                    Value::Number(n) => n.to_string(),
                    _ => return Err(()),
                };
                let value = self.value()?;
                object.insert(key, value);
            } else {
                list.push(first);
            }
            if !self.eat(",") {
                if self.eat("]") {
                    break;
                }
                return Err(());
            }
        }
        match (list.is_empty(), object.is_empty()) {
            (_, true) => Ok(Value::Array(list)),
            (true, false) => Ok(Value::Object(object)),
            (false, false) => Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_sdk_argument() {
        let code = r#"$instance->v3->marketing->busifavor->stocks->_stock_id_->couponcodes->postAsync([
  'stock_id' => '98065001',
  'json' => [
    'coupon_code_list' => ['string'],
    'upload_request_no' => '100002322019090134234sfdf',
  ],
])
->then(static function(\Psr\Http\Message\ResponseInterface $response) {
  print_r(json_decode((string) $response->getBody(), true));
})
->wait();"#;
        assert_eq!(
            request_example(code),
            Some(json!({
                "stock_id": "98065001",
                "json": {
                    "coupon_code_list": ["string"],
                    "upload_request_no": "100002322019090134234sfdf",
                }
            }))
        );
    }

    #[test]
    fn numbers_booleans_comments_nested_lists_and_json_encode() {
        let code = r#"$i->v3->x->getAsync([
  'base_uri' => 'https://api.mch.weixin.qq.com/hk/', // 接入点
  'query' => ['offset' => 0, 'limit' => 20, 'ok' => true, 'rate' => 1.5],
  'list' => [[
      'a' => 'b',
  ],],
  'encoded' => \json_encode(['2014-01-01', '长期']),
  'quoted' => 'it\'s',
])"#;
        assert_eq!(
            request_example(code),
            Some(json!({
                "base_uri": "https://api.mch.weixin.qq.com/hk/",
                "query": {"offset": 0, "limit": 20, "ok": true, "rate": 1.5},
                "list": [{"a": "b"}],
                "encoded": "[\"2014-01-01\",\"长期\"]",
                "quoted": "it's",
            }))
        );
    }

    #[test]
    fn samples_built_from_variables_have_no_literal_example() {
        let code = "$instance->v3->merchant->media->upload->postAsync([\n  'body' => $media->getStream(),\n])";
        assert_eq!(request_example(code), None);
        let code = "$i->v2->x->getAsync([\n  'nonceless' => true,\n  'query' => $params\n])";
        assert_eq!(request_example(code), None);
    }

    #[test]
    fn empty_argument() {
        assert_eq!(
            request_example("$i->v2->papay->entrustweb->getAsync([])"),
            Some(json!([]))
        );
    }
}
