//! CRC-16/CCITT-FALSE, the checksum EMVCo puts in tag 63.
//!
//! EMVCo MPM 1.1 §4.7.3: "calculated according to ISO/IEC 13239 using the polynomial '1021'
//! (hex) and initial value 'FFFF' (hex)", over every byte of the payload up to and including the
//! ID and length of the CRC object itself (`6304`). No reflection and no final XOR: that is the
//! variant catalogued as CRC-16/CCITT-FALSE (check value 0x29B1 for `123456789`). It is ten lines,
//! so it is written here rather than pulled in as a dependency.

/// The generator polynomial x^16 + x^12 + x^5 + 1.
const POLYNOMIAL: u16 = 0x1021;
/// The register's starting value.
const INITIAL: u16 = 0xFFFF;

/// One entry per possible high byte, computed at compile time, so the hot loop is one table
/// lookup per byte (the payload benchmark spends most of its time here).
const TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut index = 0;
    while index < 256 {
        let mut register = (index as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            register = if register & 0x8000 != 0 {
                (register << 1) ^ POLYNOMIAL
            } else {
                register << 1
            };
            bit += 1;
        }
        table[index] = register;
        index += 1;
    }
    table
};

/// The CRC-16/CCITT-FALSE of `bytes`.
pub fn crc16_ccitt_false(bytes: &[u8]) -> u16 {
    crc16_update(INITIAL, bytes)
}

/// `TABLES[k][b]` is the register contribution of byte `b` followed by `k` zero bytes. CRCs are
/// linear over XOR, so eight bytes can be folded in with eight independent lookups instead of a
/// chain of eight dependent ones ("slicing-by-8"); this halves the time of a whole payload build.
const TABLES: [[u16; 256]; 8] = {
    let mut tables = [[0u16; 256]; 8];
    tables[0] = TABLE;
    let mut k = 1;
    while k < 8 {
        let mut index = 0;
        while index < 256 {
            let previous = tables[k - 1][index];
            tables[k][index] = (previous << 8) ^ TABLE[(previous >> 8) as usize];
            index += 1;
        }
        k += 1;
    }
    tables
};

/// Continues a CRC over more bytes: `crc16_update(crc16_ccitt_false(a), b)` is the CRC of `a`
/// followed by `b`. A `const fn`, so the payload builder can fold its fixed headers in at
/// compile time.
pub(crate) const fn crc16_update(mut register: u16, bytes: &[u8]) -> u16 {
    let mut index = 0;
    while index + 8 <= bytes.len() {
        let b = bytes;
        let i = index;
        register = TABLES[7][((register >> 8) as u8 ^ b[i]) as usize]
            ^ TABLES[6][(register as u8 ^ b[i + 1]) as usize]
            ^ TABLES[5][b[i + 2] as usize]
            ^ TABLES[4][b[i + 3] as usize]
            ^ TABLES[3][b[i + 4] as usize]
            ^ TABLES[2][b[i + 5] as usize]
            ^ TABLES[1][b[i + 6] as usize]
            ^ TABLES[0][b[i + 7] as usize];
        index += 8;
    }
    while index < bytes.len() {
        register = (register << 8) ^ TABLE[((register >> 8) as u8 ^ bytes[index]) as usize];
        index += 1;
    }
    register
}

/// The CRC as tag 63 carries it: four upper-case hex digits (`0D49`, never `d49`).
pub fn crc_hex(crc: u16) -> [u8; 4] {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    [
        DIGITS[usize::from(crc >> 12)],
        DIGITS[usize::from((crc >> 8) & 0xF)],
        DIGITS[usize::from((crc >> 4) & 0xF)],
        DIGITS[usize::from(crc & 0xF)],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_catalogued_check_value() {
        // The standard check input for every CRC catalogue entry.
        assert_eq!(crc16_ccitt_false(b"123456789"), 0x29B1);
    }

    #[test]
    fn continuing_a_crc_equals_computing_it_in_one_go() {
        let first = crc16_ccitt_false(b"1234");
        assert_eq!(crc16_update(first, b"56789"), 0x29B1);
    }

    /// The definition, one bit at a time, to check the table-driven version against.
    fn bitwise(bytes: &[u8]) -> u16 {
        let mut register = INITIAL;
        for &byte in bytes {
            register ^= u16::from(byte) << 8;
            for _ in 0..8 {
                register = if register & 0x8000 != 0 {
                    (register << 1) ^ POLYNOMIAL
                } else {
                    register << 1
                };
            }
        }
        register
    }

    #[test]
    fn sliced_tables_agree_with_the_bitwise_definition_at_every_length() {
        let data: Vec<u8> = (0u32..200)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for length in 0..data.len() {
            assert_eq!(
                crc16_ccitt_false(&data[..length]),
                bitwise(&data[..length]),
                "length {length}"
            );
        }
    }

    #[test]
    fn empty_input_is_the_initial_value() {
        assert_eq!(crc16_ccitt_false(b""), 0xFFFF);
    }

    #[test]
    fn hex_is_four_upper_case_digits_with_leading_zeros() {
        assert_eq!(&crc_hex(0x0D49), b"0D49");
        assert_eq!(&crc_hex(0xBEEF), b"BEEF");
        assert_eq!(&crc_hex(0), b"0000");
    }
}
