//! The byte layout of a saved training state: little-endian numbers, strings and f32 lists, each
//! list prefixed by its length. Reading checks every length against the bytes left, so a truncated
//! or foreign buffer gives an error naming the field being read, never a panic or a huge allocation.

use super::state::StateError;

#[derive(Default)]
pub(super) struct Writer(pub Vec<u8>);

impl Writer {
    pub fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    /// A length; lengths above u32 cannot occur (the page's memory is 4 GB).
    pub fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).expect("a length below 2^32"));
    }

    pub fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }

    pub fn f32s(&mut self, values: &[f32]) {
        self.len(values.len());
        self.0.reserve(values.len() * 4);
        for v in values {
            self.0.extend_from_slice(&v.to_le_bytes());
        }
    }

    pub fn u32s(&mut self, values: impl ExactSizeIterator<Item = u32>) {
        self.len(values.len());
        for v in values {
            self.u32(v);
        }
    }

    /// A list of f32 lists.
    pub fn tensors<'a>(&mut self, list: impl ExactSizeIterator<Item = &'a [f32]>) {
        self.len(list.len());
        for t in list {
            self.f32s(t);
        }
    }
}

pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    pub fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], StateError> {
        let left = self.bytes.len() - self.at;
        if n > left {
            return Err(StateError(format!(
                "saved state is cut short: {what} needs {n} bytes at byte {}, only {left} left",
                self.at
            )));
        }
        let out = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(out)
    }

    pub fn u32(&mut self, what: &str) -> Result<u32, StateError> {
        Ok(u32::from_le_bytes(
            self.take(4, what)?.try_into().expect("4 bytes"),
        ))
    }

    pub fn u64(&mut self, what: &str) -> Result<u64, StateError> {
        Ok(u64::from_le_bytes(
            self.take(8, what)?.try_into().expect("8 bytes"),
        ))
    }

    /// A length prefix, checked against the bytes left for items of `item_size` bytes each.
    fn len(&mut self, item_size: usize, what: &str) -> Result<usize, StateError> {
        let n = self.u32(what)? as usize;
        let left = self.bytes.len() - self.at;
        if n.saturating_mul(item_size) > left {
            return Err(StateError(format!(
                "saved state is cut short: {what} claims {n} entries at byte {}, only {left} bytes left",
                self.at
            )));
        }
        Ok(n)
    }

    pub fn str(&mut self, what: &str) -> Result<String, StateError> {
        let n = self.len(1, what)?;
        let bytes = self.take(n, what)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| StateError(format!("saved state: {what} is not UTF-8 text")))
    }

    pub fn f32s(&mut self, what: &str) -> Result<Vec<f32>, StateError> {
        let n = self.len(4, what)?;
        let bytes = self.take(n * 4, what)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
            .collect())
    }

    pub fn u32s(&mut self, what: &str) -> Result<Vec<u32>, StateError> {
        let n = self.len(4, what)?;
        let bytes = self.take(n * 4, what)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
            .collect())
    }

    pub fn tensors(&mut self, what: &str) -> Result<Vec<Vec<f32>>, StateError> {
        // Each list takes at least its 4-byte length.
        let n = self.len(4, what)?;
        (0..n).map(|i| self.f32s(&format!("{what} {i}"))).collect()
    }

    /// Bytes not read yet (a well-formed state has none).
    pub fn left(&self) -> usize {
        self.bytes.len() - self.at
    }
}
