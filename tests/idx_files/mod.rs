//! IDX files (the MNIST format) built in memory, shared by the reader tests (parsers.rs) and the
//! loaded-data tests (loaded_data.rs).

/// An IDX file: magic, big-endian dimensions, body.
pub fn idx(magic: u32, dims: &[u32], body: &[u8]) -> Vec<u8> {
    let mut out = magic.to_be_bytes().to_vec();
    for d in dims {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out.extend_from_slice(body);
    out
}
