//! The intrinsic functions the definition uses: `States.Format`, `States.MathAdd`,
//! `States.JsonToString`, `States.StringToJson`. Arguments are quoted strings,
//! numbers, paths or nested intrinsics.

use serde_json::Value;

use super::paths;

/// Evaluates an intrinsic call such as `States.Format('{}-gen-{}', $.a, 1)`.
pub fn eval(text: &str, data: &Value, context: &Value) -> Result<Value, String> {
    let mut parser = Parser {
        text: text.as_bytes(),
        at: 0,
        data,
        context,
    };
    let value = parser.call()?;
    parser.skip_spaces();
    if parser.at != parser.text.len() {
        return Err(format!("trailing text in {text}"));
    }
    Ok(value)
}

struct Parser<'t> {
    text: &'t [u8],
    at: usize,
    data: &'t Value,
    context: &'t Value,
}

impl Parser<'_> {
    fn call(&mut self) -> Result<Value, String> {
        let name = self.take_while(|c| c.is_ascii_alphanumeric() || c == b'.');
        self.expect(b'(')?;
        let mut args = Vec::new();
        self.skip_spaces();
        if self.peek() != Some(b')') {
            loop {
                args.push(self.argument()?);
                self.skip_spaces();
                if self.peek() == Some(b',') {
                    self.at += 1;
                    continue;
                }
                break;
            }
        }
        self.expect(b')')?;
        apply(&name, args)
    }

    fn argument(&mut self) -> Result<Value, String> {
        self.skip_spaces();
        match self.peek() {
            Some(b'\'') => self.string(),
            Some(b'$') => {
                let path = self.take_while(|c| c != b',' && c != b')' && c != b' ');
                paths::get(&path, self.data, self.context)
                    .cloned()
                    .ok_or_else(|| format!("intrinsic argument {path} is not present"))
            }
            Some(c) if c.is_ascii_digit() || c == b'-' => {
                let number = self.take_while(|c| c.is_ascii_digit() || c == b'-' || c == b'.');
                serde_json::from_str(&number).map_err(|e| format!("number {number}: {e}"))
            }
            _ => self.call(),
        }
    }

    fn string(&mut self) -> Result<Value, String> {
        self.expect(b'\'')?;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err("unterminated string".into()),
                Some(b'\\') => {
                    out.push(*self.text.get(self.at + 1).ok_or("dangling escape")?);
                    self.at += 2;
                }
                Some(b'\'') => {
                    self.at += 1;
                    break;
                }
                Some(c) => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
        String::from_utf8(out)
            .map(Value::String)
            .map_err(|e| e.to_string())
    }

    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> String {
        let start = self.at;
        while self.peek().is_some_and(&keep) {
            self.at += 1;
        }
        String::from_utf8_lossy(&self.text[start..self.at]).into_owned()
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        self.skip_spaces();
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at {}", byte as char, self.at))
        }
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }
}

fn apply(name: &str, args: Vec<Value>) -> Result<Value, String> {
    match name {
        "States.Format" => {
            let (template, values) = args.split_first().ok_or("States.Format needs a template")?;
            let template = template
                .as_str()
                .ok_or("States.Format's template is a string")?;
            let mut values = values.iter();
            let mut out = String::new();
            let mut pieces = template.split("{}");
            out.push_str(pieces.next().unwrap_or_default());
            for piece in pieces {
                let value = values.next().ok_or("States.Format has too few arguments")?;
                match value {
                    Value::String(s) => out.push_str(s),
                    other => out.push_str(&other.to_string()),
                }
                out.push_str(piece);
            }
            Ok(Value::String(out))
        }
        "States.MathAdd" => {
            let sum = args
                .iter()
                .map(|v| v.as_i64().ok_or("States.MathAdd takes integers"))
                .sum::<Result<i64, _>>()?;
            Ok(Value::from(sum))
        }
        "States.JsonToString" => Ok(Value::String(
            args.first()
                .ok_or("States.JsonToString needs a value")?
                .to_string(),
        )),
        "States.StringToJson" => {
            let text = args
                .first()
                .and_then(Value::as_str)
                .ok_or("States.StringToJson takes a string")?;
            serde_json::from_str(text).map_err(|e| format!("States.StringToJson: {e}"))
        }
        other => Err(format!("intrinsic {other} is not supported")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn formats_with_nested_calls_and_paths() {
        let data = json!({"run": {"id": "r1", "generation": 2}});
        let value = eval(
            "States.Format('{}-gen-{}', $.run.id, States.MathAdd($.run.generation, 1))",
            &data,
            &json!({}),
        )
        .unwrap();
        assert_eq!(value, json!("r1-gen-3"));
    }

    #[test]
    fn escaped_quotes_and_json_round_trip() {
        let data = json!({"cause": "{\"errorType\":\"X\"}"});
        assert_eq!(
            eval("States.Format('it\\'s {}', 'ok')", &data, &json!({})).unwrap(),
            json!("it's ok")
        );
        assert_eq!(
            eval("States.StringToJson($.cause)", &data, &json!({})).unwrap(),
            json!({"errorType": "X"})
        );
        assert!(eval("States.Nope(1)", &data, &json!({})).is_err());
    }
}
