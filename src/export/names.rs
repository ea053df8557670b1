//! The names table of `train.py`'s header: each config key of the run (the page's and the link's
//! names) beside the PyTorch / torchvision / timm name it became, one line each,
//! `learningRate = 0.01  → SGD(lr=0.01)`, so the two vocabularies are tied together.

/// One line of the table.
pub struct Row {
    pub key: String,
    pub value: String,
    pub torch: String,
}

impl Row {
    pub fn new(key: &str, value: &str, torch: &str) -> Row {
        Row {
            key: key.into(),
            value: value.into(),
            torch: torch.into(),
        }
    }
}

/// The rows as aligned lines (without the comment sign; the header is a docstring).
pub fn table(rows: &[Row]) -> String {
    let left: Vec<String> = rows.iter().map(|r| format!("{} = {}", r.key, r.value)).collect();
    let width = left.iter().map(|l| l.chars().count()).max().unwrap_or(0).min(48);
    let mut out = String::new();
    for (l, r) in left.iter().zip(rows) {
        let pad = width.saturating_sub(l.chars().count());
        out.push_str(&format!("  {l}{}  → {}\n", " ".repeat(pad), r.torch));
    }
    out
}
