//! Text to dots: lay out [`Block`]s, shape each line with rustybuzz, rasterize with ab_glyph.
//!
//! Thai is why this module exists. A Thai syllable is a consonant with up to three marks
//! stacked above or below it (เ-ติ-ม: SARA I above MO MA; ที่: SARA II above THO THAHAN with MAI
//! EK above that), and SARA AM (ำ) splits into a NIKHAHIT over the previous consonant plus SARA
//! AA after it. Only a shaper applying the font's GSUB and GPOS tables puts the marks where the
//! type designer anchored them; drawing code points one after another would print them side by
//! side. Printers' own Thai code pages differ between brands (and many have none), so the
//! receipt is sent as a picture and the printer needs no font at all.
//!
//! The font is Sarabun (SIL OFL 1.1, `assets/fonts/OFL-Sarabun.txt`), the app's bundled Thai
//! face, in its complete TrueType form (Thai, Latin and digits in one face, so no fallback is
//! needed), embedded in the binary.
//!
//! Positions are computed in font units with integers (rustybuzz returns integer advances and
//! offsets) and turned into dots once per glyph, so rounding never accumulates along a line.

use std::sync::OnceLock;

use ab_glyph::{Font as _, FontRef, GlyphId, PxScale};
use rustybuzz::{Face, UnicodeBuffer};

use crate::raster::Raster;

static SARABUN_REGULAR: &[u8] = include_bytes!("../../../assets/fonts/Sarabun-Regular.ttf");
static SARABUN_BOLD: &[u8] = include_bytes!("../../../assets/fonts/Sarabun-Bold.ttf");

/// The paper a printer takes, which fixes the image width.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PaperWidth {
    /// 58 mm roll: 384 dots at 8 dots/mm (48 mm printable).
    #[default]
    Mm58,
    /// 80 mm roll: 576 dots at 8 dots/mm (72 mm printable).
    Mm80,
}

impl PaperWidth {
    /// The printable width in dots.
    pub fn dots(self) -> u32 {
        match self {
            PaperWidth::Mm58 => 384,
            PaperWidth::Mm80 => 576,
        }
    }

    /// The roll width in millimetres (58 or 80).
    pub fn millimetres(self) -> u32 {
        match self {
            PaperWidth::Mm58 => 58,
            PaperWidth::Mm80 => 80,
        }
    }

    /// The paper whose roll is `mm` millimetres wide (58 or 80).
    pub fn from_millimetres(mm: u32) -> Option<PaperWidth> {
        match mm {
            58 => Some(PaperWidth::Mm58),
            80 => Some(PaperWidth::Mm80),
            _ => None,
        }
    }

    /// The em size in dots of a text style on this paper.
    ///
    /// 24 dots on 58 mm matches the height of the printers' own 12×24 font A, the size people
    /// are used to reading on these receipts; 80 mm paper gets proportionally larger text.
    fn em(self, style: Style) -> u32 {
        let (small, normal, large) = match self {
            PaperWidth::Mm58 => (20, 24, 34),
            PaperWidth::Mm80 => (24, 30, 42),
        };
        match style {
            Style::Small => small,
            Style::Normal | Style::Bold => normal,
            Style::Large => large,
        }
    }

    /// White dots left and right of the text.
    fn margin(self) -> u32 {
        match self {
            PaperWidth::Mm58 => 4,
            PaperWidth::Mm80 => 8,
        }
    }
}

/// How a line of text sits across the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Against the left margin.
    Left,
    /// Centred.
    Center,
    /// Against the right margin.
    Right,
}

/// The weight and size of a text block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Sarabun Regular, smaller: fine print.
    Small,
    /// Sarabun Regular.
    Normal,
    /// Sarabun Bold.
    Bold,
    /// Sarabun Bold, larger: the shop name and the amount.
    Large,
}

/// One piece of a printed document, top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Text, wrapped at spaces (or between syllables when one word is wider than the paper).
    Text {
        /// The text.
        text: String,
        /// Where the lines sit.
        align: Align,
        /// Weight and size.
        style: Style,
    },
    /// A label on the left and its value on the right; the value moves under the label,
    /// right-aligned, when both do not fit on one line.
    Row {
        /// What the value is (left).
        label: String,
        /// The value (right).
        value: String,
        /// Weight and size of both.
        style: Style,
    },
    /// A dashed line across the paper.
    Divider,
    /// White space, in dots.
    Space(u32),
    /// A solid black band across the full width, `height` dots high (test page: print head).
    Bar(u32),
    /// A millimetre ruler across the full width (test page).
    Ruler,
}

impl Block {
    /// Text in the normal style.
    pub fn text(text: impl Into<String>, align: Align) -> Block {
        Block::Text {
            text: text.into(),
            align,
            style: Style::Normal,
        }
    }

    /// A label and value in the normal style.
    pub fn row(label: impl Into<String>, value: impl Into<String>) -> Block {
        Block::Row {
            label: label.into(),
            value: value.into(),
            style: Style::Normal,
        }
    }
}

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The bundled font could not be read (a broken build, never the customer's input).
    #[error("the bundled Sarabun font could not be read")]
    Font,
    /// The PNG encoder failed.
    #[error("the receipt preview could not be encoded as PNG: {0}")]
    Png(#[from] png::EncodingError),
}

/// A rendered document: the image, and the characters the font had no glyph for.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The 1-bit image, `PaperWidth::dots()` wide.
    pub raster: Raster,
    /// Characters drawn as the font's missing-glyph box (`.notdef`), in order of appearance.
    /// Empty for every Thai, Latin and digit text; a shop name with an emoji would list it
    /// here, and the app may log it, but the receipt still prints.
    pub missing_glyphs: Vec<char>,
}

impl Rendered {
    /// The image as a PNG, one pixel per printer dot.
    pub fn to_png(&self) -> Result<Vec<u8>, RenderError> {
        Ok(self.raster.to_png()?)
    }
}

/// Renders blocks to an image as wide as the paper.
pub fn render(blocks: &[Block], paper: PaperWidth) -> Result<Rendered, RenderError> {
    let typesetter = Typesetter::sarabun()?;
    let mut layout = Layout {
        typesetter,
        paper,
        y: 0,
        marks: Vec::new(),
        missing: Vec::new(),
    };
    for block in blocks {
        layout.block(block);
    }
    let mut raster = Raster::new(paper.dots(), u32::try_from(layout.y).unwrap_or(u32::MAX));
    for mark in &layout.marks {
        match mark {
            Mark::Line(line) => typesetter.draw(&mut raster, line),
            Mark::Rect {
                x,
                y,
                width,
                height,
            } => raster.fill(*x, *y, *width, *height),
        }
    }
    Ok(Rendered {
        raster,
        missing_glyphs: layout.missing,
    })
}

/// Something to draw at a known place.
enum Mark {
    Line(PlacedLine),
    Rect {
        x: i64,
        y: i64,
        width: i64,
        height: i64,
    },
}

/// A shaped line at its place: `x` is the left edge and `baseline` the baseline, in dots.
struct PlacedLine {
    shaped: Shaped,
    x: i64,
    baseline: i64,
}

struct Layout<'a> {
    typesetter: &'a Typesetter,
    paper: PaperWidth,
    /// The top of the next block, in dots.
    y: i64,
    marks: Vec<Mark>,
    missing: Vec<char>,
}

impl Layout<'_> {
    fn text_width(&self) -> i64 {
        i64::from(self.paper.dots() - 2 * self.paper.margin())
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Text { text, align, style } => {
                for line in self.wrap(text, *style, self.text_width()) {
                    self.line(&line, *align, *style);
                }
            }
            Block::Row {
                label,
                value,
                style,
            } => self.row(label, value, *style),
            Block::Divider => {
                // Dashes 6 dots on, 4 off, 2 dots high, in the middle of a third of a line.
                let gap = i64::from(self.paper.em(Style::Normal) / 3);
                let y = self.y + gap;
                let margin = i64::from(self.paper.margin());
                let mut x = margin;
                while x < i64::from(self.paper.dots()) - margin {
                    let width = 6.min(i64::from(self.paper.dots()) - margin - x);
                    self.marks.push(Mark::Rect {
                        x,
                        y,
                        width,
                        height: 2,
                    });
                    x += 10;
                }
                self.y = y + 2 + gap;
            }
            Block::Space(dots) => self.y += i64::from(*dots),
            Block::Bar(height) => {
                self.marks.push(Mark::Rect {
                    x: 0,
                    y: self.y,
                    width: i64::from(self.paper.dots()),
                    height: i64::from(*height),
                });
                self.y += i64::from(*height);
            }
            Block::Ruler => self.ruler(),
        }
    }

    /// Ticks every millimetre (8 dots), longer every 5 mm, longest every 10 mm, over the
    /// full printable width, with the centimetre numbers under the long ticks.
    fn ruler(&mut self) {
        let top = self.y;
        let dots = i64::from(self.paper.dots());
        self.marks.push(Mark::Rect {
            x: 0,
            y: top,
            width: dots,
            height: 2,
        });
        let mut x = 0;
        let mut mm = 0;
        while x < dots {
            let length = match mm % 10 {
                0 => 24,
                5 => 16,
                _ => 8,
            };
            self.marks.push(Mark::Rect {
                x: x.min(dots - 2),
                y: top + 2,
                width: 2,
                height: length,
            });
            x += 8;
            mm += 1;
        }
        self.y = top + 2 + 24;
        let shaped_numbers: Vec<(i64, Shaped)> = (1..=self.paper.dots() / 80)
            .map(|cm| {
                let shaped = self
                    .typesetter
                    .shape(&cm.to_string(), Style::Small, self.paper);
                (i64::from(cm) * 80, shaped)
            })
            .collect();
        let metrics = self.typesetter.metrics(Style::Small, self.paper);
        for (x, shaped) in shaped_numbers {
            let width = shaped.width_dots();
            self.marks.push(Mark::Line(PlacedLine {
                x: (x - width / 2).min(dots - width),
                baseline: self.y + metrics.ascent,
                shaped,
            }));
        }
        self.y += metrics.height;
    }

    fn row(&mut self, label: &str, value: &str, style: Style) {
        let label_shaped = self.typesetter.shape(label, style, self.paper);
        let value_shaped = self.typesetter.shape(value, style, self.paper);
        let gap = i64::from(self.paper.em(style) / 2);
        if label_shaped.width_dots() + gap + value_shaped.width_dots() <= self.text_width() {
            let metrics = self.typesetter.metrics(style, self.paper);
            let baseline = self.y + metrics.ascent;
            let margin = i64::from(self.paper.margin());
            let value_x = i64::from(self.paper.dots()) - margin - value_shaped.width_dots();
            self.note_missing(&label_shaped);
            self.note_missing(&value_shaped);
            self.marks.push(Mark::Line(PlacedLine {
                shaped: label_shaped,
                x: margin,
                baseline,
            }));
            self.marks.push(Mark::Line(PlacedLine {
                shaped: value_shaped,
                x: value_x,
                baseline,
            }));
            self.y += metrics.height;
        } else {
            for line in self.wrap(label, style, self.text_width()) {
                self.line(&line, Align::Left, style);
            }
            for line in self.wrap(value, style, self.text_width()) {
                self.line(&line, Align::Right, style);
            }
        }
    }

    fn line(&mut self, text: &str, align: Align, style: Style) {
        let shaped = self.typesetter.shape(text, style, self.paper);
        self.note_missing(&shaped);
        let metrics = self.typesetter.metrics(style, self.paper);
        let margin = i64::from(self.paper.margin());
        let free = self.text_width() - shaped.width_dots();
        let x = match align {
            Align::Left => margin,
            Align::Center => margin + free / 2,
            Align::Right => margin + free,
        };
        self.marks.push(Mark::Line(PlacedLine {
            shaped,
            x,
            baseline: self.y + metrics.ascent,
        }));
        self.y += metrics.height;
    }

    fn note_missing(&mut self, shaped: &Shaped) {
        self.missing.extend_from_slice(&shaped.missing);
    }

    /// Greedy wrapping at spaces. A word wider than the paper (Thai is written without spaces
    /// between words) is cut between shaping clusters, which never separates a consonant from
    /// its marks.
    fn wrap(&self, text: &str, style: Style, max: i64) -> Vec<String> {
        let width = |s: &str| self.typesetter.shape(s, style, self.paper).width_dots();
        let mut lines = Vec::new();
        let mut current = String::new();
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if width(&candidate) <= max {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            if width(word) <= max {
                current = word.to_owned();
                continue;
            }
            let mut rest = word;
            while !rest.is_empty() {
                let boundaries = self.typesetter.shape(rest, style, self.paper).clusters;
                // The longest prefix that fits, ending at a cluster boundary; at least one
                // cluster so that the loop always advances.
                // A Thai leading vowel (เ แ โ ใ ไ) is written before the consonant it follows
                // in speech: never leave it alone at the end of a line.
                let breakable = |end: usize| {
                    end > 0
                        && !rest[..end]
                            .chars()
                            .next_back()
                            .is_some_and(|c| ('\u{0E40}'..='\u{0E44}').contains(&c))
                };
                let mut cut = boundaries
                    .iter()
                    .copied()
                    .filter(|&end| breakable(end))
                    .take_while(|&end| width(&rest[..end]) <= max)
                    .last()
                    .unwrap_or_else(|| {
                        boundaries
                            .iter()
                            .copied()
                            .find(|&e| e > 0)
                            .unwrap_or(rest.len())
                    });
                if cut == 0 || cut > rest.len() {
                    cut = rest.len();
                }
                if cut == rest.len() {
                    current = rest.to_owned();
                    break;
                }
                lines.push(rest[..cut].to_owned());
                rest = &rest[cut..];
            }
        }
        if !current.is_empty() || lines.is_empty() {
            lines.push(current);
        }
        lines
    }
}

/// Sarabun Regular and Bold, ready to shape and rasterize.
#[derive(Debug)]
pub struct Typesetter {
    regular: Typeface,
    bold: Typeface,
}

/// One font file, read by both the shaper and the rasterizer.
struct Typeface {
    shaper: Face<'static>,
    outlines: FontRef<'static>,
    units_per_em: i64,
    ascender: i64,
    descender: i64,
}

impl std::fmt::Debug for Typeface {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("units_per_em", &self.units_per_em)
            .finish_non_exhaustive()
    }
}

impl Typeface {
    fn load(data: &'static [u8]) -> Option<Typeface> {
        let shaper = Face::from_slice(data, 0)?;
        let outlines = FontRef::try_from_slice(data).ok()?;
        let units_per_em = i64::from(shaper.units_per_em());
        // hhea ascender/descender: Sarabun sets them tall enough for Thai marks stacked two
        // deep above a consonant and one below, which is exactly the room a Thai line needs.
        let ascender = i64::from(shaper.ascender());
        let descender = i64::from(shaper.descender());
        (units_per_em > 0).then_some(Typeface {
            shaper,
            outlines,
            units_per_em,
            ascender,
            descender,
        })
    }
}

/// Vertical metrics of a style in dots.
#[derive(Debug, Clone, Copy)]
struct Metrics {
    ascent: i64,
    height: i64,
}

/// A shaped run of text at a size.
#[derive(Debug, Clone)]
pub struct Shaped {
    bold: bool,
    em: u32,
    units_per_em: i64,
    /// (glyph id, pen x + x offset, y offset) in font units; y grows upwards.
    glyphs: Vec<(u16, i64, i64)>,
    advance: i64,
    /// Byte offsets where a shaping cluster ends, ascending (the last is the text's length).
    clusters: Vec<usize>,
    missing: Vec<char>,
}

impl Shaped {
    /// The advance width in dots.
    pub fn width_dots(&self) -> i64 {
        to_dots(self.advance, self.em, self.units_per_em)
    }

    /// The glyph ids, in visual order.
    pub fn glyph_ids(&self) -> Vec<u16> {
        self.glyphs.iter().map(|g| g.0).collect()
    }

    /// Characters the font has no glyph for.
    pub fn missing(&self) -> &[char] {
        &self.missing
    }
}

/// Font units to dots, rounded to the nearest dot.
fn to_dots(units: i64, em: u32, units_per_em: i64) -> i64 {
    let scaled = units * i64::from(em);
    (2 * scaled + units_per_em).div_euclid(2 * units_per_em)
}

impl Typesetter {
    /// The bundled Sarabun faces, parsed once per process.
    pub fn sarabun() -> Result<&'static Typesetter, RenderError> {
        static TYPESETTER: OnceLock<Option<Typesetter>> = OnceLock::new();
        TYPESETTER
            .get_or_init(|| {
                Some(Typesetter {
                    regular: Typeface::load(SARABUN_REGULAR)?,
                    bold: Typeface::load(SARABUN_BOLD)?,
                })
            })
            .as_ref()
            .ok_or(RenderError::Font)
    }

    fn face(&self, style: Style) -> &Typeface {
        match style {
            Style::Small | Style::Normal => &self.regular,
            Style::Bold | Style::Large => &self.bold,
        }
    }

    fn metrics(&self, style: Style, paper: PaperWidth) -> Metrics {
        let face = self.face(style);
        let em = paper.em(style);
        let ascent = to_dots(face.ascender, em, face.units_per_em);
        let descent = to_dots(-face.descender, em, face.units_per_em);
        Metrics {
            ascent,
            height: ascent + descent,
        }
    }

    /// Shapes `text` in a style at the size it has on `paper`.
    pub fn shape(&self, text: &str, style: Style, paper: PaperWidth) -> Shaped {
        let face = self.face(style);
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        // Script, direction and language from the text itself: Thai runs get the Thai
        // shaper (SARA AM decomposition, mark reordering), Latin runs the default one.
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(&face.shaper, &[], buffer);
        let mut glyphs = Vec::with_capacity(output.len());
        let mut pen = 0i64;
        let mut missing = Vec::new();
        let mut clusters = Vec::new();
        for (info, position) in output.glyph_infos().iter().zip(output.glyph_positions()) {
            let cluster = info.cluster as usize;
            if info.glyph_id == 0 {
                if let Some(c) = text.get(cluster..).and_then(|s| s.chars().next()) {
                    missing.push(c);
                }
            }
            if cluster > 0 && clusters.last() != Some(&cluster) {
                clusters.push(cluster);
            }
            glyphs.push((
                u16::try_from(info.glyph_id).unwrap_or(0),
                pen + i64::from(position.x_offset),
                i64::from(position.y_offset),
            ));
            pen += i64::from(position.x_advance);
        }
        clusters.push(text.len());
        clusters.dedup();
        Shaped {
            bold: matches!(style, Style::Bold | Style::Large),
            em: paper.em(style),
            units_per_em: face.units_per_em,
            glyphs,
            advance: pen,
            clusters,
            missing,
        }
    }

    /// Draws a shaped line with its left edge at `x` and its baseline at `baseline` (dots).
    fn draw(&self, raster: &mut Raster, line: &PlacedLine) {
        let shaped = &line.shaped;
        let face = if shaped.bold {
            &self.bold
        } else {
            &self.regular
        };
        let scale = px_scale(&face.outlines, shaped.em);
        for &(id, x, y) in &shaped.glyphs {
            let origin = ab_glyph::point(
                dots_f32(line.x, x, shaped.em, shaped.units_per_em),
                dots_f32(line.baseline, -y, shaped.em, shaped.units_per_em),
            );
            let glyph = GlyphId(id).with_scale_and_position(scale, origin);
            let Some(outline) = face.outlines.outline_glyph(glyph) else {
                continue; // a space: nothing to draw
            };
            let bounds = outline.px_bounds();
            // Float to integer casts only (no arithmetic): the bounds are whole pixels.
            let (left, top) = (bounds.min.x as i64, bounds.min.y as i64);
            outline.draw(|dx, dy, coverage| {
                // Half covered or more is ink: thermal dots are on or off, and 0.5 keeps
                // strokes their designed weight at these sizes (no dithering of edges).
                if coverage >= 0.5 {
                    raster.set(left + i64::from(dx), top + i64::from(dy));
                }
            });
        }
    }
}

/// The ab_glyph scale for an em of `em` dots. ab_glyph's `PxScale` is the height from
/// descender to ascender, not the em, hence the conversion.
#[allow(clippy::float_arithmetic)] // Pixel geometry, not money.
fn px_scale(font: &FontRef<'_>, em: u32) -> PxScale {
    let units_per_em = font.units_per_em().unwrap_or(1000.0);
    PxScale::from(em as f32 * font.height_unscaled() / units_per_em)
}

/// `origin` dots plus `units` font units at an em of `em` dots, with sub-dot precision for the
/// rasterizer.
#[allow(clippy::float_arithmetic)] // Pixel geometry, not money.
fn dots_f32(origin: i64, units: i64, em: u32, units_per_em: i64) -> f32 {
    origin as f32 + (units * i64::from(em)) as f32 / units_per_em as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sarabun() -> &'static Typesetter {
        Typesetter::sarabun().expect("the bundled fonts parse")
    }

    #[test]
    fn thai_latin_and_digits_all_have_glyphs() {
        for text in [
            "เติมเงิน ที่ สำเร็จ ผู้ให้บริการ ฤๅษี ญี่ปุ่น",
            "TrueMove H 081-xxx-5678 1,500.00 ฿",
            "0123456789 ๐๑๒๓๔๕๖๗๘๙",
        ] {
            for style in [Style::Normal, Style::Large] {
                let shaped = sarabun().shape(text, style, PaperWidth::Mm58);
                assert!(
                    shaped.missing().is_empty(),
                    "{text}: {:?}",
                    shaped.missing()
                );
            }
        }
    }

    #[test]
    fn a_character_outside_the_font_is_reported_missing() {
        let shaped = sarabun().shape("ร้าน☃", Style::Normal, PaperWidth::Mm58);
        assert_eq!(shaped.missing(), &['☃']);
    }

    #[test]
    fn sara_am_is_decomposed_by_the_thai_shaper() {
        // สำ is two code points; the Thai shaper splits SARA AM into NIKHAHIT (a mark over
        // SO SUEA) and SARA AA, so three glyphs come out. Drawing code points would give two.
        let shaped = sarabun().shape("สำ", Style::Normal, PaperWidth::Mm58);
        assert_eq!(shaped.glyph_ids().len(), 3, "{:?}", shaped.glyph_ids());
    }

    #[test]
    fn marks_take_no_room_on_the_line() {
        // A tone mark and an upper vowel stack on the consonant: "ที่" is as wide as "ท".
        let base = sarabun().shape("ท", Style::Normal, PaperWidth::Mm80);
        let stacked = sarabun().shape("ที่", Style::Normal, PaperWidth::Mm80);
        assert_eq!(base.width_dots(), stacked.width_dots());
    }

    #[test]
    fn long_text_wraps_within_the_paper() {
        let layout = Layout {
            typesetter: sarabun(),
            paper: PaperWidth::Mm58,
            y: 0,
            marks: Vec::new(),
            missing: Vec::new(),
        };
        let max = layout.text_width();
        let text = "ขอบคุณที่ใช้บริการ เติมเงินมือถือทุกเครือข่าย รวดเร็ว ปลอดภัย ตลอด 24 ชั่วโมง";
        let lines = layout.wrap(text, Style::Normal, max);
        assert!(lines.len() >= 2, "{lines:?}");
        for line in &lines {
            assert!(
                sarabun()
                    .shape(line, Style::Normal, PaperWidth::Mm58)
                    .width_dots()
                    <= max,
                "{line} is wider than the paper"
            );
        }
        assert_eq!(
            lines.join(" "),
            text,
            "wrapping only drops the spaces it breaks at"
        );

        let no_spaces = "เติมเงินมือถือทุกเครือข่ายรวดเร็วปลอดภัยตลอดยี่สิบสี่ชั่วโมงที่ร้านเติมดี";
        let lines = layout.wrap(no_spaces, Style::Normal, max);
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(
            lines.concat(),
            no_spaces,
            "nothing is lost when cutting a word"
        );
        for line in &lines {
            let first = line.chars().next().expect("no empty line");
            assert!(
                !('\u{0E31}'..='\u{0E3A}').contains(&first)
                    && !('\u{0E47}'..='\u{0E4E}').contains(&first),
                "a line starts with a mark cut from its consonant: {line}"
            );
            let last = line.chars().next_back().expect("no empty line");
            assert!(
                !('\u{0E40}'..='\u{0E44}').contains(&last),
                "a line ends with a leading vowel cut from its consonant: {line}"
            );
        }
    }

    #[test]
    fn rounding_to_dots_is_to_the_nearest() {
        assert_eq!(to_dots(1000, 24, 1000), 24);
        assert_eq!(to_dots(520, 24, 1000), 12); // 12.48
        assert_eq!(to_dots(521, 24, 1000), 13); // 12.504
        assert_eq!(to_dots(-500, 24, 1000), -12);
    }
}
