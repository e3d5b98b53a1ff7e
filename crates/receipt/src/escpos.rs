//! The ESC/POS bytes: a print job out, a command stream back in (for tests), status bytes.
//!
//! Only commands every ESC/POS printer since the Epson TM-T88 understands are sent (Epson
//! "ESC/POS Command Reference", the same in the clones' manuals):
//!
//! | bytes | command | use |
//! |---|---|---|
//! | `1B 40` | `ESC @` | initialize: forget any mode a previous job left |
//! | `1D 76 30 00 xL xH yL yH d…` | `GS v 0` | raster bit image, normal density |
//! | `1B 64 n` | `ESC d n` | print and feed n lines |
//! | `1D 56 42 n` | `GS V 66 n` | feed to the cutter (+n) and cut, partially |
//! | `10 04 n` | `DLE EOT n` | real-time status (answered with one byte) |
//!
//! The image goes in bands of at most [`BAND_ROWS`] rows: one `GS v 0` may carry up to 2,303
//! rows on Epson printers, but cheap clones have small receive buffers and some misread a
//! height above 255 (`yH` other than 0); bands cost 8 bytes each and nothing else.
//!
//! Real-time commands (`DLE EOT`, `DLE ENQ`, `DLE DC4`) are acted on wherever the printer
//! meets them, even inside image data (Epson's reference warns of it under `DLE EOT`): a
//! picture whose bytes happen to read `10 14 01 …` could open the cash drawer. The encoder
//! clears the single dot of such a `0x10` byte, which nobody can see on a receipt.

use crate::raster::Raster;

/// The most rows sent in one `GS v 0` command.
pub const BAND_ROWS: u32 = 255;

/// Lines fed after the image so the last line clears the tear bar before the cut.
pub const FEED_LINES_BEFORE_CUT: u8 = 3;

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const DLE: u8 = 0x10;
const EOT: u8 = 0x04;
const ENQ: u8 = 0x05;
const DC4: u8 = 0x14;

/// `ESC @`.
pub const INIT: [u8; 2] = [ESC, b'@'];

/// `DLE EOT n`: ask for real-time status `n` (1 printer, 2 offline cause, 3 error cause,
/// 4 paper roll sensor).
pub fn status_request(n: u8) -> [u8; 3] {
    [DLE, EOT, n]
}

/// The bytes that print `image` and cut the paper: init, the image in bands, a feed, a
/// partial cut with feed.
pub fn print_job(image: &Raster) -> Vec<u8> {
    let mut job = Vec::with_capacity(image.packed().len() + 64);
    job.extend_from_slice(&INIT);
    let mut start = 0;
    while start < image.height() {
        let band = image.band(start, BAND_ROWS);
        push_raster(&mut job, &band);
        start += band.height();
    }
    job.extend_from_slice(&[ESC, b'd', FEED_LINES_BEFORE_CUT]);
    // GS V 66 0: function B, "feeds paper to (cutting position + n dots) and performs a
    // partial cut" — a partial cut leaves a hinge so the receipt does not fall on the floor.
    job.extend_from_slice(&[GS, b'V', 66, 0]);
    job
}

fn push_raster(job: &mut Vec<u8>, band: &Raster) {
    let stride = band.stride();
    let height = band.height();
    // Widths here are at most 72 bytes and bands at most 255 rows: both fit in two bytes.
    let (x_low, x_high) = ((stride & 0xff) as u8, ((stride >> 8) & 0xff) as u8);
    let (y_low, y_high) = ((height & 0xff) as u8, ((height >> 8) & 0xff) as u8);
    job.extend_from_slice(&[GS, b'v', b'0', 0, x_low, x_high, y_low, y_high]);
    let start = job.len();
    job.extend_from_slice(band.packed());
    defuse_realtime(&mut job[start..]);
}

/// Clears one dot wherever image bytes would read as a real-time command (module docs).
fn defuse_realtime(data: &mut [u8]) {
    for index in 0..data.len().saturating_sub(1) {
        if data[index] == DLE && matches!(data[index + 1], EOT | ENQ | DC4) {
            data[index] = 0;
        }
    }
}

/// One command read back from an ESC/POS stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `ESC @`.
    Init,
    /// `GS v 0 m`: a raster image (band).
    Raster {
        /// `m`: 0 normal, 1 double width, 2 double height, 3 quadruple.
        mode: u8,
        /// The image.
        image: Raster,
    },
    /// `ESC d n`: feed n lines.
    FeedLines(u8),
    /// `ESC J n`: feed n dots.
    FeedDots(u8),
    /// `LF`.
    LineFeed,
    /// `GS V`: cut.
    Cut {
        /// A partial cut (one point left uncut) rather than a full cut.
        partial: bool,
        /// For the function B forms (65, 66), the extra feed before cutting.
        feed: Option<u8>,
    },
    /// `DLE EOT n`: a real-time status request.
    StatusRequest(u8),
    /// Printable text bytes (this crate never sends text; a stream with any is suspicious).
    Text(Vec<u8>),
}

/// A stream that is not ESC/POS this crate can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A command byte sequence this decoder does not know, at this offset.
    #[error("unknown ESC/POS command {bytes:02x?} at byte {offset}")]
    Unknown {
        /// Offset in the stream.
        offset: usize,
        /// Up to three bytes from there.
        bytes: Vec<u8>,
    },
    /// The stream ended in the middle of a command.
    #[error("the stream ends inside a command at byte {0}")]
    Truncated(usize),
}

/// Reads the command at the start of `bytes`: `Ok(None)` when more bytes are needed.
///
/// Incremental, so a fake printer can answer a status request the moment it arrives.
pub fn decode_one(bytes: &[u8]) -> Result<Option<(Command, usize)>, DecodeError> {
    let Some(&first) = bytes.first() else {
        return Ok(None);
    };
    let need = |n: usize| bytes.len() < n;
    let unknown = || DecodeError::Unknown {
        offset: 0,
        bytes: bytes.iter().take(3).copied().collect(),
    };
    match first {
        ESC => {
            if need(2) {
                return Ok(None);
            }
            match bytes[1] {
                b'@' => Ok(Some((Command::Init, 2))),
                b'd' | b'J' => {
                    if need(3) {
                        return Ok(None);
                    }
                    let command = if bytes[1] == b'd' {
                        Command::FeedLines(bytes[2])
                    } else {
                        Command::FeedDots(bytes[2])
                    };
                    Ok(Some((command, 3)))
                }
                _ => Err(unknown()),
            }
        }
        GS => {
            if need(2) {
                return Ok(None);
            }
            match bytes[1] {
                b'v' => {
                    if need(8) {
                        return Ok(None);
                    }
                    if bytes[2] != b'0' {
                        return Err(unknown());
                    }
                    let mode = bytes[3];
                    let stride = usize::from(bytes[4]) | usize::from(bytes[5]) << 8;
                    let height = u32::from(bytes[6]) | u32::from(bytes[7]) << 8;
                    let length = 8 + stride * height as usize;
                    if need(length) {
                        return Ok(None);
                    }
                    let width = u32::try_from(stride * 8).map_err(|_| unknown())?;
                    let image = Raster::from_packed(width, height, bytes[8..length].to_vec())
                        .ok_or_else(unknown)?;
                    Ok(Some((Command::Raster { mode, image }, length)))
                }
                b'V' => {
                    if need(3) {
                        return Ok(None);
                    }
                    match bytes[2] {
                        0 | b'0' => Ok(Some((
                            Command::Cut {
                                partial: false,
                                feed: None,
                            },
                            3,
                        ))),
                        1 | b'1' => Ok(Some((
                            Command::Cut {
                                partial: true,
                                feed: None,
                            },
                            3,
                        ))),
                        m @ (65 | 66) => {
                            if need(4) {
                                return Ok(None);
                            }
                            Ok(Some((
                                Command::Cut {
                                    partial: m == 66,
                                    feed: Some(bytes[3]),
                                },
                                4,
                            )))
                        }
                        _ => Err(unknown()),
                    }
                }
                _ => Err(unknown()),
            }
        }
        DLE => {
            if need(3) {
                return Ok(None);
            }
            if bytes[1] == EOT && (1..=4).contains(&bytes[2]) {
                Ok(Some((Command::StatusRequest(bytes[2]), 3)))
            } else {
                Err(unknown())
            }
        }
        b'\n' => Ok(Some((Command::LineFeed, 1))),
        0x20..=0x7e | 0x80..=0xff => {
            let length = bytes
                .iter()
                .take_while(|b| matches!(b, 0x20..=0x7e | 0x80..=0xff))
                .count();
            Ok(Some((Command::Text(bytes[..length].to_vec()), length)))
        }
        _ => Err(unknown()),
    }
}

/// Reads a whole stream into commands.
pub fn decode(bytes: &[u8]) -> Result<Vec<Command>, DecodeError> {
    let mut commands = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        match decode_one(&bytes[offset..]) {
            Ok(Some((command, used))) => {
                commands.push(command);
                offset += used;
            }
            Ok(None) => return Err(DecodeError::Truncated(offset)),
            Err(DecodeError::Unknown { bytes, .. }) => {
                return Err(DecodeError::Unknown { offset, bytes })
            }
            Err(other) => return Err(other),
        }
    }
    Ok(commands)
}

/// What a printer reports about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct StatusFlags {
    /// Offline (`DLE EOT 1` bit 3).
    pub offline: bool,
    /// The cover is open (`DLE EOT 2` bit 2).
    pub cover_open: bool,
    /// Out of paper (`DLE EOT 4` bits 5 and 6, or `DLE EOT 2` bit 5).
    pub paper_end: bool,
    /// The roll is nearly finished (`DLE EOT 4` bits 2 and 3): prints, but tell someone.
    pub paper_near_end: bool,
    /// Some other error stopped it (`DLE EOT 2` bit 6: cutter jam, head too hot…).
    pub error: bool,
}

impl StatusFlags {
    /// Whether a job sent now would print.
    pub fn ready(self) -> bool {
        !(self.offline || self.cover_open || self.paper_end || self.error)
    }

    /// A short description for the queue's "last error".
    pub fn describe(self) -> String {
        let mut problems = Vec::new();
        if self.paper_end {
            problems.push("out of paper");
        }
        if self.cover_open {
            problems.push("cover open");
        }
        if self.error {
            problems.push("printer error");
        }
        if self.offline && problems.is_empty() {
            problems.push("offline");
        }
        if problems.is_empty() {
            "ready".to_owned()
        } else {
            problems.join(", ")
        }
    }

    /// Adds what a status byte for request `n` says. `false` when the byte is not a status
    /// byte (bits 0 and 7 clear, bits 1 and 4 set, in every one of the four answers).
    pub fn read(&mut self, n: u8, byte: u8) -> bool {
        if byte & 0b1001_0011 != 0b0001_0010 {
            return false;
        }
        let bit = |b: u8| byte & (1 << b) != 0;
        match n {
            1 => self.offline |= bit(3),
            2 => {
                self.cover_open |= bit(2);
                self.paper_end |= bit(5);
                self.error |= bit(6);
            }
            3 => self.error |= bit(3) || bit(5) || bit(6),
            4 => {
                self.paper_near_end |= bit(2) && bit(3);
                self.paper_end |= bit(5) && bit(6);
            }
            _ => return false,
        }
        true
    }

    /// The byte a printer in this state answers to `DLE EOT n` (for the fake printer).
    pub fn answer(self, n: u8) -> u8 {
        let mut byte = 0b0001_0010;
        let mut set = |b: u8, on: bool| {
            if on {
                byte |= 1 << b;
            }
        };
        match n {
            1 => set(3, !self.ready()),
            2 => {
                set(2, self.cover_open);
                set(5, self.paper_end);
                set(6, self.error);
            }
            3 => set(6, self.error),
            4 => {
                set(2, self.paper_near_end);
                set(3, self.paper_near_end);
                set(5, self.paper_end);
                set(6, self.paper_end);
            }
            _ => {}
        }
        byte
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn image(width: u32, height: u32) -> Raster {
        let mut raster = Raster::new(width, height);
        for y in 0..height {
            raster.set(i64::from((y * 7) % width), i64::from(y));
        }
        raster
    }

    #[test]
    fn a_job_is_init_bands_feed_and_a_partial_cut() {
        let picture = image(384, 600);
        let job = print_job(&picture);
        assert_eq!(&job[..2], &[0x1B, 0x40]);
        assert_eq!(&job[2..10], &[0x1D, 0x76, 0x30, 0, 48, 0, 255, 0]);
        assert_eq!(&job[job.len() - 7..], &[0x1B, 0x64, 3, 0x1D, 0x56, 66, 0]);
        let commands = decode(&job).expect("our own job decodes");
        let heights: Vec<u32> = commands
            .iter()
            .filter_map(|c| match c {
                Command::Raster { image, .. } => Some(image.height()),
                _ => None,
            })
            .collect();
        assert_eq!(heights, vec![255, 255, 90]);
        let stacked = commands
            .iter()
            .filter_map(|c| match c {
                Command::Raster { image, .. } => Some(image.clone()),
                _ => None,
            })
            .reduce(|top, band| top.stacked(&band).expect("same width"))
            .expect("bands");
        assert_eq!(stacked, picture, "the bands are the picture, row for row");
        assert_eq!(
            commands.last(),
            Some(&Command::Cut {
                partial: true,
                feed: Some(0)
            })
        );
    }

    #[test]
    fn an_empty_image_still_inits_and_cuts() {
        let commands = decode(&print_job(&Raster::new(384, 0))).expect("decodes");
        assert_eq!(commands.first(), Some(&Command::Init));
        assert!(matches!(commands.last(), Some(Command::Cut { .. })));
    }

    #[test]
    fn image_bytes_never_read_as_a_real_time_command() {
        // Row bytes 10 14 01 … would be DLE DC4 1: "generate pulse", the cash drawer.
        let mut picture = Raster::new(32, 3);
        for (x, bit) in [(3, true), (11, true), (13, true), (23, true)] {
            if bit {
                picture.set(x, 1);
            }
        }
        assert_eq!(&picture.packed()[4..7], &[0x10, 0x14, 0x01]);
        let job = print_job(&picture);
        let data = &job[10..10 + 12];
        assert!(
            !data
                .windows(2)
                .any(|w| w[0] == 0x10 && matches!(w[1], 4 | 5 | 0x14)),
            "{data:02x?}"
        );
        let commands = decode(&job).expect("decodes");
        let Command::Raster { image, .. } = &commands[1] else {
            panic!("expected the image, got {commands:?}");
        };
        assert_eq!(
            picture.ink_count() - image.ink_count(),
            1,
            "exactly one dot is cleared"
        );
    }

    #[test]
    fn the_decoder_waits_for_whole_commands_and_names_unknown_ones() {
        let job = print_job(&image(16, 4));
        for cut in 1..10 {
            assert_eq!(decode_one(&job[2..2 + cut]), Ok(None), "cut at {cut}");
        }
        assert_eq!(decode_one(&[0x10, 0x04]), Ok(None));
        assert_eq!(
            decode_one(&[0x10, 0x04, 0x02]),
            Ok(Some((Command::StatusRequest(2), 3)))
        );
        assert!(matches!(
            decode(&[0x1B, 0x40, 0x1B, 0x74, 0x15]),
            Err(DecodeError::Unknown { offset: 2, .. })
        ));
        assert_eq!(decode(&[0x1B, 0x40, 0x1D]), Err(DecodeError::Truncated(2)));
    }

    #[test]
    fn status_bytes_round_trip_and_junk_is_not_status() {
        let out_of_paper = StatusFlags {
            paper_end: true,
            ..StatusFlags::default()
        };
        let mut read = StatusFlags::default();
        for n in 1..=4 {
            assert!(read.read(n, out_of_paper.answer(n)));
        }
        assert!(read.paper_end && read.offline && !read.ready());
        assert_eq!(read.describe(), "out of paper");
        // Epson's documented answer of an idle, ready printer to DLE EOT 1 is 0x16 (bit 2 is
        // the drawer pin), and to DLE EOT 4 with paper 0x12.
        let mut idle = StatusFlags::default();
        assert!(idle.read(1, 0x16) && idle.read(4, 0x12));
        assert!(idle.ready());
        assert!(!StatusFlags::default().read(1, 0x00));
        assert!(!StatusFlags::default().read(1, b'A'));
        let near = StatusFlags {
            paper_near_end: true,
            ..StatusFlags::default()
        };
        assert_eq!(near.answer(4), 0x1E);
        let mut back = StatusFlags::default();
        assert!(back.read(4, 0x1E));
        assert!(back.paper_near_end && back.ready());
    }

    proptest! {
        #[test]
        fn decoding_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode(&bytes);
        }

        #[test]
        fn any_picture_survives_the_round_trip_but_for_defused_dots(
            width in 1u32..80, height in 0u32..300, seed in any::<u64>()
        ) {
            let mut picture = Raster::new(width, height);
            let mut state = seed;
            for y in 0..height {
                for x in 0..width {
                    state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    if state >> 62 == 0 {
                        picture.set(i64::from(x), i64::from(y));
                    }
                }
            }
            let commands = decode(&print_job(&picture)).expect("decodes");
            let bands: Vec<Raster> = commands.into_iter().filter_map(|c| match c {
                Command::Raster { image, .. } => Some(image),
                _ => None,
            }).collect();
            prop_assert!(bands.iter().all(|b| b.height() <= BAND_ROWS));
            let total: u32 = bands.iter().map(Raster::height).sum();
            prop_assert_eq!(total, height);
            // Every dot printed was in the picture (defusing only removes dots).
            let mut y0 = 0;
            for band in &bands {
                for y in 0..band.height() {
                    for x in 0..width {
                        if band.ink(x, y) {
                            prop_assert!(picture.ink(x, y0 + y));
                        }
                    }
                }
                y0 += band.height();
            }
        }
    }
}
