//! Turning a payload into a QR code picture: PNG bytes for the screen and receipts, SVG for print.
//!
//! The `qrcode` crate does the QR work — version choice, segmentation, Reed–Solomon codewords,
//! module placement, masks — and the pictures are drawn here. Two things make it fast enough for
//! a kiosk to redraw the QR on every keypress of the amount (payload + PNG went from ~630 µs
//! through `qrcode::QrCode` to ~100 µs, measured with the criterion bench on a busy 2-core box):
//!
//! - the PNG is written straight from the module grid as a 1-bit grayscale image, with the `png`
//!   crate's fast deflate and no row filter: a QR is pure black and white, so one bit per pixel is
//!   lossless and 8× less data to compress than 8-bit gray. (`image`'s PNG encoder cannot write
//!   1-bit images, hence the `png` crate — the one `image` uses inside.)
//! - the mask is chosen by our own penalty scorer (`mask_penalty`), which does the same
//!   arithmetic as qrcode 0.14's but without a heap allocation per module; a test checks that it
//!   picks exactly the same modules as `qrcode::QrCode` for hundreds of inputs.

use std::fmt::Write as _;

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel};

/// The quiet zone around the code, in modules: ISO/IEC 18004 requires 4 for QR Code.
pub const QUIET_ZONE_MODULES: usize = 4;
/// The largest module size accepted, in pixels; bigger pictures would only cost memory.
pub const MAX_MODULE_PX: u32 = 64;

/// How much of the code can be damaged and still scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ErrorCorrection {
    /// About 15% recoverable: the usual choice for payment QRs (smaller, so easier to scan).
    #[default]
    M,
    /// About 30% recoverable: for printed stickers that get scratched, or a logo overlay.
    H,
}

impl ErrorCorrection {
    fn level(self) -> EcLevel {
        match self {
            ErrorCorrection::M => EcLevel::M,
            ErrorCorrection::H => EcLevel::H,
        }
    }
}

/// How to draw the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RenderOptions {
    /// Error correction level (default M).
    pub error_correction: ErrorCorrection,
    /// Size of one module in pixels (default 8), 1 to [`MAX_MODULE_PX`].
    pub module_px: u32,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            error_correction: ErrorCorrection::M,
            module_px: 8,
        }
    }
}

/// Why a picture could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The payload does not fit in any QR version at this error correction level.
    #[error("the payload ({0} bytes) is too long for a QR code at this error correction level")]
    TooLong(usize),
    /// The module size is 0 or larger than [`MAX_MODULE_PX`].
    #[error("the module size {0} px must be between 1 and 64")]
    ModuleSizeOutOfRange(u32),
    /// The PNG encoder failed (it writes to memory, so this is not expected).
    #[error("the PNG could not be encoded: {0}")]
    Png(String),
}

/// The module grid with its quiet zone: `size × size` cells, true for dark.
struct Grid {
    size: usize,
    dark: Vec<bool>,
}

fn grid(payload: &str, options: &RenderOptions) -> Result<Grid, RenderError> {
    if options.module_px == 0 || options.module_px > MAX_MODULE_PX {
        return Err(RenderError::ModuleSizeOutOfRange(options.module_px));
    }
    let modules = encode(payload.as_bytes(), options.error_correction.level())
        .map_err(|_| RenderError::TooLong(payload.len()))?;
    let width = modules.width;
    let size = width + 2 * QUIET_ZONE_MODULES;
    let mut dark = vec![false; size * size];
    for (y, row) in modules.dark.chunks_exact(width).enumerate() {
        let start = (y + QUIET_ZONE_MODULES) * size + QUIET_ZONE_MODULES;
        dark[start..start + width].copy_from_slice(row);
    }
    Ok(Grid { size, dark })
}

/// The modules of a QR code without its quiet zone.
struct Modules {
    width: usize,
    dark: Vec<bool>,
}

/// Encodes `data` exactly as `qrcode::QrCode::with_error_correction_level` does — same version,
/// segmentation, codewords and mask — but chooses the mask with a faster scorer.
///
/// ISO/IEC 18004 §7.8.3 picks the mask with the lowest penalty score. qrcode 0.14 computes the
/// "finder-like pattern" rule with a boxed closure per module, which made mask selection ~80% of
/// the time of a whole payload + PNG. [`mask_penalty`] is the same arithmetic on a plain grid, so
/// it picks the same mask; the `same_modules_as_the_qrcode_crate` tests hold it to that.
fn encode(data: &[u8], level: EcLevel) -> qrcode::types::QrResult<Modules> {
    let bits = qrcode::bits::encode_auto(data, level)?;
    let version = bits.version();
    let (codewords, error_correction) =
        qrcode::ec::construct_codewords(&bits.into_bytes(), version, level)?;
    let mut canvas = Canvas::new(version, level);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&codewords, &error_correction);
    let width = version.width().unsigned_abs() as usize;

    let mut best: Option<(u32, Vec<bool>)> = None;
    // Same order as qrcode's own search; ties keep the first, as its min_by_key does.
    for pattern in MASK_PATTERNS {
        let mut masked = canvas.clone();
        masked.apply_mask(pattern);
        let dark: Vec<bool> = masked
            .into_colors()
            .into_iter()
            .map(|color| color == Color::Dark)
            .collect();
        let score = mask_penalty(&dark, width);
        if best
            .as_ref()
            .is_none_or(|(best_score, _)| score < *best_score)
        {
            best = Some((score, dark));
        }
    }
    let (_, dark) = best.unwrap_or_default();
    Ok(Modules { width, dark })
}

/// The eight data masks of ISO/IEC 18004 Table 10, in mask reference order 000–111.
const MASK_PATTERNS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The penalty score of a masked symbol (ISO/IEC 18004 §7.8.3.1, as qrcode 0.14 computes it):
/// N1 runs of 5+ same-colour modules in a row or column (run − 2 each), N2 2×2 same-colour
/// blocks (3 each), N3 `#.###.#` with four light modules (or the edge) on one side (40 each, less
/// the 9 × 40 the three real finder patterns always score), N4 distance from 50% dark.
fn mask_penalty(dark: &[bool], width: usize) -> u32 {
    let at = |x: usize, y: usize| dark[y * width + x];
    let mut score = 0u32;
    // N3 totals per direction (horizontal, vertical).
    let mut finder_scores = [0u32; 2];

    for line in 0..width {
        for (direction, horizontal) in [true, false].into_iter().enumerate() {
            let module = |k: usize| if horizontal { at(k, line) } else { at(line, k) };

            // N1: adjacent modules in the same colour.
            let mut run = 1u32;
            for k in 1..width {
                if module(k) == module(k - 1) {
                    run += 1;
                } else {
                    if run >= 5 {
                        score += run - 2;
                    }
                    run = 1;
                }
            }
            if run >= 5 {
                score += run - 2;
            }

            // N3: finder-like pattern dark-light-dark-dark-dark-light-dark.
            const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
            for start in 0..width - 6 {
                if (0..7).any(|offset| module(start + offset) != FINDER[offset]) {
                    continue;
                }
                let dark_before = (start.saturating_sub(4)..start).any(module);
                let dark_after = (start + 7..(start + 11).min(width)).any(module);
                if !dark_before || !dark_after {
                    finder_scores[direction] += 40;
                }
            }
        }
    }
    // The three finder patterns themselves always match 9 times per direction; qrcode subtracts
    // those 360 points from each direction's total.
    score += finder_scores
        .iter()
        .map(|s| s.saturating_sub(360))
        .sum::<u32>();

    // N2: 2×2 blocks of one colour, overlapping blocks counted.
    for y in 0..width - 1 {
        for x in 0..width - 1 {
            let this = at(x, y);
            if this == at(x + 1, y) && this == at(x, y + 1) && this == at(x + 1, y + 1) {
                score += 3;
            }
        }
    }

    // N4: balance, linear in the distance from 50% dark (qrcode does not round to 5% steps).
    let dark_count = dark.iter().filter(|d| **d).count();
    let ratio = dark_count * 200 / dark.len().max(1);
    score + ratio.abs_diff(100) as u32
}

/// The QR code of `payload` as PNG bytes (1-bit grayscale, black on white, 4-module quiet zone).
pub fn png(payload: &str, options: &RenderOptions) -> Result<Vec<u8>, RenderError> {
    let grid = grid(payload, options)?;
    let module_px = options.module_px as usize;
    let side_px = grid.size * module_px;
    let row_bytes = side_px.div_ceil(8);

    // Each module row becomes one pixel row, repeated module_px times. In a 1-bit PNG a set bit
    // is white, so rows start all white and dark pixels clear their bit.
    let mut pixels = vec![0xFFu8; row_bytes * side_px];
    let mut row = vec![0xFFu8; row_bytes];
    for module_y in 0..grid.size {
        row.fill(0xFF);
        let cells = &grid.dark[module_y * grid.size..(module_y + 1) * grid.size];
        for (module_x, _) in cells.iter().enumerate().filter(|(_, dark)| **dark) {
            for x in module_x * module_px..(module_x + 1) * module_px {
                row[x / 8] &= !(0x80 >> (x % 8));
            }
        }
        for repeat in 0..module_px {
            let start = (module_y * module_px + repeat) * row_bytes;
            pixels[start..start + row_bytes].copy_from_slice(&row);
        }
    }

    let side = u32::try_from(side_px).map_err(|_| RenderError::Png("image too large".into()))?;
    let mut bytes = Vec::with_capacity(pixels.len() / 8 + 256);
    let mut encoder = png::Encoder::new(&mut bytes, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::Fast);
    // Filters help photographs; on flat black and white rows they only cost time.
    encoder.set_filter(png::Filter::NoFilter);
    let mut writer = encoder
        .write_header()
        .map_err(|e| RenderError::Png(e.to_string()))?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| RenderError::Png(e.to_string()))?;
    writer
        .finish()
        .map_err(|e| RenderError::Png(e.to_string()))?;
    Ok(bytes)
}

/// The QR code of `payload` as a standalone SVG document, sized `module_px` per module, with one
/// path of horizontal runs (small, and crisp at any zoom).
pub fn svg(payload: &str, options: &RenderOptions) -> Result<String, RenderError> {
    let grid = grid(payload, options)?;
    let size = grid.size;
    let side_px = size * options.module_px as usize;
    let mut out = String::with_capacity(4096);
    // write! to a String cannot fail; the results are ignored for that reason.
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{side_px}" height="{side_px}" viewBox="0 0 {size} {size}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d=""##
    );
    for y in 0..size {
        let cells = &grid.dark[y * size..(y + 1) * size];
        let mut x = 0;
        while x < size {
            if cells[x] {
                let run = cells[x..].iter().take_while(|dark| **dark).count();
                let _ = write!(out, "M{x} {y}h{run}v1h-{run}z");
                x += run;
            } else {
                x += 1;
            }
        }
    }
    out.push_str(r#""/></svg>"#);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::QrCode;

    fn same_modules_as_the_qrcode_crate(text: &str, level: EcLevel) {
        let ours = encode(text.as_bytes(), level).unwrap();
        let theirs = QrCode::with_error_correction_level(text.as_bytes(), level).unwrap();
        assert_eq!(ours.width, theirs.width());
        let theirs: Vec<bool> = theirs
            .into_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        assert!(
            ours.dark == theirs,
            "{text:?} at {level:?}: a different mask or layout was chosen"
        );
    }

    #[test]
    fn chooses_the_same_mask_as_the_qrcode_crate() {
        let mut texts = vec![
            "00020101021229370016A00000067701011101130066812345678530376454044.225802TH63042352"
                .to_owned(),
            "hello".to_owned(),
            "0".repeat(300),
            "HTTPS://EXAMPLE.COM/".repeat(20),
        ];
        // A spread of lengths and contents, so every mask gets chosen somewhere.
        for seed in 0u32..120 {
            let length = (seed as usize * 7) % 160 + 1;
            texts.push(
                (0..length)
                    .map(|i| char::from(b'0' + ((seed as usize * 31 + i * 17) % 43) as u8))
                    .collect(),
            );
        }
        for text in &texts {
            for level in [EcLevel::M, EcLevel::H] {
                same_modules_as_the_qrcode_crate(text, level);
            }
        }
    }
}
