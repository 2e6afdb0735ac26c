//! Small helpers with no place of their own, used across the layers (at the bottom: they use
//! nothing of numerous).

/// `n` random bytes from the OS, as hex: session ids, stream tokens, token ids, instance names.
pub(crate) fn random_hex(n: usize) -> String {
    let mut bytes = [0u8; 32];
    let bytes = &mut bytes[..n.min(32)];
    getrandom::fill(bytes).expect("the OS random source is available");
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes.iter() {
        use std::fmt::Write as _;
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn random_hex_is_hex_of_the_length_asked() {
        let a = super::random_hex(16);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, super::random_hex(16));
        assert_eq!(super::random_hex(8).len(), 16);
    }
}
