//! The one table the bench prints: a row per measure, with its target.

/// One measured figure.
#[derive(Debug, Clone)]
pub struct Row {
    /// What part of the bench the row belongs to (e.g. "cost of waiting").
    pub group: String,
    pub measure: String,
    pub value: String,
    /// The target, as the project states it ("" when there is none).
    pub target: String,
    /// Whether the value meets the target (`None` when there is no target).
    pub met: Option<bool>,
}

impl Row {
    pub fn new(group: &str, measure: impl Into<String>, value: impl Into<String>) -> Row {
        Row {
            group: group.to_string(),
            measure: measure.into(),
            value: value.into(),
            target: String::new(),
            met: None,
        }
    }

    pub fn target(mut self, target: impl Into<String>, met: bool) -> Row {
        self.target = target.into();
        self.met = Some(met);
        self
    }
}

/// The rows as one Markdown table.
pub fn render(rows: &[Row]) -> String {
    let mut out =
        String::from("| group | measure | value | target | met |\n|---|---|---|---|---|\n");
    for row in rows {
        let met = match row.met {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "",
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            row.group, row.measure, row.value, row.target, met
        ));
    }
    out
}
