//! ARNs, identifier rules and random ARN suffixes.

use crate::faults::Fault;

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

pub fn arn(kind: &str, suffix: &str) -> String {
    format!("arn:aws:dms:{REGION}:{ACCOUNT}:{kind}:{suffix}")
}

/// The DMS rule for instance, endpoint and task identifiers: ASCII letters, digits
/// and hyphens; begins with a letter; no two consecutive hyphens; does not end
/// with a hyphen; at most `max` characters. Returns the identifier lowercased, as
/// DMS stores it.
pub fn check_identifier(param: &str, id: &str, max: usize) -> Result<String, Fault> {
    let bad = |rule: &str| {
        Err(Fault::invalid_parameter(format!(
            "The parameter {param} is not a valid identifier: {rule}. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens."
        )))
    };
    if id.is_empty() {
        return bad("it must not be empty");
    }
    if id.len() > max {
        return bad(&format!("it must be at most {max} characters long"));
    }
    if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return bad("it must begin with a letter");
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return bad(&format!("it contains the character '{c}'"));
    }
    if id.contains("--") {
        return bad("it contains two consecutive hyphens");
    }
    if id.ends_with('-') {
        return bad("it ends with a hyphen");
    }
    Ok(id.to_ascii_lowercase())
}

/// The subnet group rule: letters, digits, periods, underscores, spaces and hyphens,
/// at most 255 characters, not `default`.
pub fn check_subnet_group_name(id: &str) -> Result<String, Fault> {
    let bad = |rule: &str| {
        Err(Fault::invalid_parameter(format!(
            "The parameter ReplicationSubnetGroupIdentifier is not valid: {rule}. It must contain no more than 255 alphanumeric characters, periods, underscores, spaces, or hyphens, and must not be \"default\"."
        )))
    };
    if id.is_empty() {
        return bad("it must not be empty");
    }
    if id.len() > 255 {
        return bad("it must be at most 255 characters long");
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ' ' | '-')))
    {
        return bad(&format!("it contains the character '{c}'"));
    }
    if id.eq_ignore_ascii_case("default") {
        return bad("it must not be \"default\"");
    }
    Ok(id.to_ascii_lowercase())
}

/// A small deterministic-per-process generator for ARN suffixes and addresses.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn seeded() -> Self {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        Rng(t | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// 26 upper-case letters and digits, like the suffix of a DMS resource ARN.
    pub fn arn_suffix(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..26)
            .map(|_| ALPHABET[(self.next_u64() % ALPHABET.len() as u64) as usize] as char)
            .collect()
    }
}

/// A stable small hash (FNV-1a) for deterministic derived values.
pub fn stable_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
